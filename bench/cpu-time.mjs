// The probes' timing statistic: process CPU time, which other tenants of a shared machine disturb
// less than the wall clock, best of `reps` runs after one warm-up run.

/**
 * Seconds of process CPU time (user + system) of the fastest of `reps` calls of fn, after one
 * warm-up call.
 * @param {() => unknown} fn
 * @param {number} [reps]
 * @returns {number}
 */
export function cpuBest(fn, reps = 7) {
  fn();
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 1e6);
  }
  return best;
}
