/**
 * The fuzz harness over every public entry point (issue 11): seeded, bounded, its seed printed.
 * Node runs the cases in a worker thread over the built package (dist/, built by `npm test`) so a
 * call that never returns is named and fails the test instead of hanging the suite; Chromium runs
 * the same cases in-thread over src/ (a hang there fails on the test timeout, seen from Node).
 * Replay: FC_SEED=<seed> npx vitest run test/fuzz.test.ts.
 */
import { describe, expect, it } from 'vitest';
import * as rw from '../src/index.js';
import { BACKENDS, engineFor, propertySeed } from './backends.js';
// @ts-expect-error plain-JS harness shared with the watchdog worker (no declaration file)
import { shapeFuzz, valueFuzz } from './fuzz/shape-fuzz.mjs';

const isNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string'
  && typeof (globalThis as { window?: unknown }).window === 'undefined';

/** Cases per entry point: bounded so the whole harness takes seconds, not minutes. */
const SHAPE_RUNS = 25;
const VALUE_RUNS = 60;
/** A single call that runs this long counts as a hang (the slowest honest call here takes < 1 s). */
const HANG_MS = 15_000;

/** The seed CI runs (any seed must pass; this one keeps a landing reproducible). */
const CI_SEED = 20261206;

type Violations = string[];

async function inWorker(seed: number): Promise<Violations> {
  const { Worker } = await import('node:worker_threads');
  const { existsSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  const dist = new URL('../dist/index.js', import.meta.url);
  if (!existsSync(fileURLToPath(dist))) throw new Error('dist/ is missing: run `npm run build` (npm test does) before the fuzz harness');
  const violations: Violations = [];
  const exclude: string[] = [];
  // A hung entry point is reported and left out of the next round, so one hang does not hide the rest.
  for (let round = 0; round < 20; round++) {
    const r = await new Promise<{ done?: Violations; hung?: { name: string; backend: string; args: string }; error?: unknown }>((resolve) => {
      const w = new Worker(new URL('./fuzz/watchdog-worker.mjs', import.meta.url), {
        workerData: { seed, shapeRuns: SHAPE_RUNS, valueRuns: VALUE_RUNS, exclude },
      });
      let last: { name: string; backend: string; args: string } | undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const arm = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          void w.terminate();
          resolve({ hung: last ?? { name: '(start-up)', backend: '', args: '' } });
        }, HANG_MS);
      };
      arm();
      w.on('message', (m: { type: string; name: string; backend: string; args: string; violations: Violations }) => {
        if (m.type === 'case') {
          last = m;
          arm();
        } else {
          clearTimeout(timer);
          void w.terminate();
          resolve({ done: m.violations });
        }
      });
      w.on('error', (error) => {
        clearTimeout(timer);
        resolve({ error });
      });
    });
    if (r.hung) {
      violations.push(`${r.hung.name}(${r.hung.args}) [${r.hung.backend}]: did not return within ${HANG_MS} ms`);
      exclude.push(r.hung.name);
      continue;
    }
    if (r.error) throw r.error;
    violations.push(...(r.done ?? []));
    break;
  }
  return violations;
}

async function inThread(seed: number): Promise<Violations> {
  const engines = new Map(await Promise.all(BACKENDS.map(async (b) => [b, await engineFor(b)] as const)));
  const v = [
    ...(await shapeFuzz(rw, engines, { seed, runsPerEntry: SHAPE_RUNS })),
    ...valueFuzz(rw, engines, { seed, runs: VALUE_RUNS }),
  ];
  await rw.closeSharedPools();
  return v;
}

describe('fuzz: every public entry point, both backends', () => {
  it('malformed calls throw RiskwasmError, bad elements are NaN with a non-ok status, nothing hangs, mutates or pollutes, backends agree', async () => {
    // CI runs a fixed seed so that a landing is reproducible; locally every run explores a new one
    // (printed; FC_SEED replays or pins it).
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
    const ci = !!env?.CI && env.CI !== 'false' && env.FC_SEED === undefined;
    const seed = ci ? CI_SEED : propertySeed('fuzz harness');
    if (ci) console.log(`[fast-check] fuzz harness: CI seed ${seed} (replay with FC_SEED=${seed})`);
    const violations = isNode ? await inWorker(seed) : await inThread(seed);
    if (violations.length) console.log(`[fuzz] ${violations.length} violations (seed ${seed}):\n${violations.slice(0, 60).join('\n')}`);
    expect(violations.slice(0, 20)).toEqual([]);
  }, 600_000);
});
