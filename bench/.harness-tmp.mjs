import { Bench } from 'tinybench';
import { benchOptions, prepare, riskwasmTasks, timeTasks, verifyRiskwasm } from './suite.mjs';
const riskwasm = await import('../dist/index.js');
const ctx = await prepare(riskwasm, 1e6); verifyRiskwasm(ctx);
const n = 1e6;
const all = riskwasmTasks(ctx, 'price', n);
const W = all.find((t) => t.name === 'riskwasm WASM');
const J = all.find((t) => t.name === 'riskwasm JS twin');
const rate = (x) => (x / 1e6).toFixed(1);
const direct = () => { const w = []; for (let k = 0; k < 6; k++) { const t0 = performance.now(); W.fn(); w.push(performance.now() - t0); } return rate(n / (w.reduce((a, b) => a + b) / w.length / 1e3)); };
for (let rep = 0; rep < 3; rep++) {
  const a = await timeTasks(Bench, [W], benchOptions(n));
  const b = await timeTasks(Bench, [W, J], benchOptions(n));
  const c = await timeTasks(Bench, all, benchOptions(n));
  console.log(`direct loop mean ${direct()} | alone ${rate(a[0].opsPerSec)} [${a[0].roundRates.map(rate)}] | W+J ${rate(b[0].opsPerSec)} [${b[0].roundRates.map(rate)}] | all 4 ${rate(c[0].opsPerSec)} [${c[0].roundRates.map(rate)}]`);
}
