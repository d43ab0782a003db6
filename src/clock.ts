/**
 * Milliseconds from a monotonic clock (performance.now where the host has it, else Date.now),
 * for the elapsed times that results report. One definition for every module.
 */
export function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
