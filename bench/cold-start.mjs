// Child process of bench/startup.mjs: one cold start (fresh process, nothing cached):
// import the built package, create the first WASM engine (read + compile + instantiate), price one
// option. Prints one JSON line. Not meant to be run by hand (but harmless).
// Argument: the dist/ directory to import (default: this repository's; `startup.mjs --ab` passes
// another build's, which must have its build/riskwasm.wasm at ../build/ as in the package).

const entry = process.argv[2] ? `file://${process.argv[2].replace(/\/?$/, '/')}index.js` : '../dist/index.js';
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const c0 = cpuMs();
const t0 = performance.now();
const riskwasm = await import(entry);
const t1 = performance.now();
const c1 = cpuMs();
const engine = await riskwasm.createEngine({ backend: 'wasm' });
const t2 = performance.now();
const c2 = cpuMs();
const r = engine.blackScholes({ spots: 100, strikes: 105, expiries: 0.5, vols: 0.3, rates: 0.03, types: 'call' });
const t3 = performance.now();
process.stdout.write(JSON.stringify({
  backend: engine.backend,
  importMs: t1 - t0,
  createEngineMs: t2 - t1,
  firstCallMs: t3 - t2,
  // CPU time of the process (all threads: the wasm compiles on V8's background threads), which
  // other tenants of a shared machine disturb less than the wall clock.
  importCpuMs: c1 - c0,
  createEngineCpuMs: c2 - c1,
  // performance.now() counts from the process's time origin, so this includes Node's own start.
  sinceProcessStartMs: t2,
  // Node's own start, up to this module's first line: no riskwasm code in it, so a reference for
  // how fast the machine was at the time.
  nodeStartMs: t0,
  price: r.price[0],
}) + '\n');
