// Worker-thread side of the Node fuzz watchdog: runs the fuzz over the built package (dist/) and
// reports each case before calling it, so the parent can name a call that never returns.
import { parentPort, workerData } from 'node:worker_threads';
import { shapeFuzz, valueFuzz, brief } from './shape-fuzz.mjs';

const rw = await import(new URL('../../dist/index.js', import.meta.url).href);
const engines = new Map([
  ['wasm', await rw.createEngine({ backend: 'wasm' })],
  ['js', await rw.createEngine({ backend: 'js' })],
]);
const onCase = (name, backend, args) => parentPort.postMessage({ type: 'case', name, backend, args: args.map((a) => brief(a)).join(', ') });
const { seed, shapeRuns, valueRuns, exclude } = workerData;
const violations = [
  ...(await shapeFuzz(rw, engines, { seed, runsPerEntry: shapeRuns, exclude, onCase })),
  ...valueFuzz(rw, engines, { seed, runs: valueRuns, onCase, exclude }),
];
await rw.closeSharedPools();
parentPort.postMessage({ type: 'done', violations });
