// Start-up cost and binary size: first createEngine in fresh child processes (cold) and repeated
// createEngine in this process (warm: compiled module cached), .wasm size raw and gzipped.

import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, brotliCompressSync, constants as zc } from 'node:zlib';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

export const median = (xs) => {
  const a = [...xs].sort((x, y) => x - y);
  const m = a.length >> 1;
  return a.length % 2 ? a[m] : 0.5 * (a[m - 1] + a[m]);
};

/** Cold start: `reps` fresh `node bench/cold-start.mjs` processes; medians and ranges. */
export function coldStart(reps = 9) {
  const runs = [];
  for (let i = 0; i < reps; i++) {
    const out = execFileSync(process.execPath, [here('./cold-start.mjs')], { encoding: 'utf8' });
    runs.push(JSON.parse(out.trim().split('\n').pop()));
  }
  for (const r of runs) r.totalMs = r.importMs + r.createEngineMs;
  const stat = (k) => ({ median: median(runs.map((r) => r[k])), min: Math.min(...runs.map((r) => r[k])), max: Math.max(...runs.map((r) => r[k])) });
  return {
    reps, backend: runs[0].backend,
    importMs: stat('importMs'), createEngineMs: stat('createEngineMs'), firstCallMs: stat('firstCallMs'),
    totalMs: stat('totalMs'),
    sinceProcessStartMs: stat('sinceProcessStartMs'),
    modules: moduleGraph(),
  };
}

/**
 * The JS files `import('riskwasm')` loads before its first line runs (the static import graph of
 * dist/index.js; lazy chunks excluded) and their bytes: what a cold start parses, and the requests
 * an unbundled browser page makes besides the .wasm.
 */
export function moduleGraph(entry = here('../dist/index.js')) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)\b[^'";]*?(?:from\s*)?["'](\.{1,2}\/[^"']+)["']/gm)) visit(join(dirname(file), m[1]));
  };
  visit(entry);
  return { files: seen.size, bytes: [...seen].reduce((t, f) => t + statSync(f).size, 0) };
}

/** Warm: createEngine again in a process that has already compiled the module (instantiate only). */
export async function warmStart(riskwasm, reps = 50) {
  await riskwasm.createEngine({ backend: 'wasm' });
  const wasm = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await riskwasm.createEngine({ backend: 'wasm' });
    wasm.push(performance.now() - t0);
  }
  const bytes = readFileSync(here('../build/riskwasm.wasm'));
  const sync = [];
  for (let i = 0; i < Math.min(reps, 20); i++) {
    const t0 = performance.now();
    riskwasm.createEngineSync(bytes);
    sync.push(performance.now() - t0);
  }
  const js = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await riskwasm.createEngine({ backend: 'js' });
    js.push(performance.now() - t0);
  }
  return { reps, wasmMs: median(wasm), syncFromBytesMs: median(sync), jsMs: median(js) };
}

/** .wasm sizes: raw, gzip -9, brotli (q 11). */
export function wasmSize() {
  const sizes = {};
  for (const [k, f] of [['release', '../build/riskwasm.wasm'], ['debug', '../build/riskwasm.debug.wasm']]) {
    const b = readFileSync(here(f));
    sizes[k] = {
      raw: b.length,
      gzip: gzipSync(b, { level: 9 }).length,
      brotli: brotliCompressSync(b, { params: { [zc.BROTLI_PARAM_QUALITY]: 11 } }).length,
    };
  }
  return sizes;
}
