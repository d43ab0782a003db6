// Web Worker side of the Chromium fuzz watchdog: the same cases as the Node worker, over src/
// (served by vite), reporting each case before calling it so the page can name a call that hangs.
import * as rw from '../../src/index.js';
import { shapeFuzz, valueFuzz, brief } from './shape-fuzz.mjs';

interface Job { seed: number; shapeRuns: number; valueRuns: number; exclude: string[] }

self.onmessage = async (e: MessageEvent<Job>) => {
  const { seed, shapeRuns, valueRuns, exclude } = e.data;
  const post = (m: unknown): void => (self as unknown as Worker).postMessage(m);
  const engines = new Map([
    ['wasm', await rw.createEngine({ backend: 'wasm' })],
    ['js', await rw.createEngine({ backend: 'js' })],
  ]);
  const onCase = (name: string, backend: string, args: unknown[]): void => post({ type: 'case', name, backend, args: args.map((a) => brief(a)).join(', ') });
  const violations = [
    ...(await shapeFuzz(rw, engines, { seed, runsPerEntry: shapeRuns, exclude, onCase })),
    ...valueFuzz(rw, engines, { seed, runs: valueRuns, onCase, exclude }),
  ];
  await rw.closeSharedPools();
  post({ type: 'done', violations });
};
