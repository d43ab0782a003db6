// WASM vs JS twin vs native scalar C, as structured figures for the issue-13 targets table of
// bench/RESULTS.md. A thin wrapper over bench/simd.mjs's `runSimdBench` (whose internals may
// change): it reads the rows that function returns by their job label, so a renamed or missing
// row reads as "not measured" instead of breaking the report.
// Every figure is per CPU-second of the process (simd.mjs times CPU time; the native baseline
// times its own process CPU clock), same inputs, one run.

/**
 * @typedef {{ wasmKernel?: number, jsKernel?: number, wasm?: number, js?: number, native?: number }} RateFigures
 *   options per CPU-second: kernel only (one kernel call on a chunk already in the heap) and facade
 * @typedef {{ wasm?: number, js?: number, native?: number }} TimeFigures seconds (GBM) or milliseconds (VaR)
 * @typedef {{ price: RateFigures, greeks: RateFigures, iv: RateFigures, gbm: TimeFigures & { paths?: number },
 *   varEs: TimeFigures & { samples?: number }, nativeAvailable: boolean, nativeNote: string }} NativeFigures
 */

const finite = (x) => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);

/** Leading count of a job label such as "price, 1e+6" or "VaR + ES 99%, 1e+6 samples (ms)", or undefined. */
function countIn(label) {
  const m = /(\d+(?:\.\d+)?e\+?\d+|\d[\d,]*)\s*(?:x|samples|$)/.exec(label.replace(/\s*\((?:s|ms)\)\s*$/, ''));
  return m ? Number(m[1].replace(/,/g, '')) : undefined;
}

/**
 * The structured figures of one `runSimdBench` result.
 * @param {{ markdown: string, rows?: any[] }} simd
 * @returns {NativeFigures}
 */
export function nativeFigures(simd) {
  const rows = simd.rows ?? [];
  const row = (re) => rows.find((r) => typeof r.job === 'string' && re.test(r.job));
  const rate = (r) => (r ? { wasmKernel: finite(r.kW), jsKernel: finite(r.kJ), wasm: finite(r.fW), js: finite(r.fJ), native: finite(r.nat) } : {});
  const time = (r) => (r ? { wasm: finite(r.fW), js: finite(r.fJ), native: finite(r.nat) } : {});
  const gbm = row(/^GBM/);
  const varEs = row(/^VaR/);
  const nativeAvailable = rows.some((r) => finite(r.nat) !== undefined);
  const skipped = /no C compiler[^;|\n]*/.exec(simd.markdown ?? '');
  const compiler = /native: ([^;\n]+)/.exec(simd.markdown ?? '');
  return {
    price: rate(row(/^price,/)),
    greeks: rate(row(/^price \+ 7 greeks/)),
    iv: rate(row(/^implied vol/)),
    gbm: { ...time(gbm), paths: gbm ? countIn(gbm.job) : undefined },
    // simd.mjs reports VaR in milliseconds
    varEs: { ...time(varEs), samples: varEs ? countIn(varEs.job) : undefined },
    nativeAvailable,
    nativeNote: nativeAvailable ? (compiler ? compiler[1].trim() : 'native C -O2') : skipped ? skipped[0].trim() : 'native baseline not run',
  };
}

/**
 * Run bench/simd.mjs's comparison and return its Markdown, checks and structured figures.
 * @param {{ log?: (line: string) => void }} [options]
 */
export async function runNativeCompare({ log = () => {} } = {}) {
  const { runSimdBench } = await import('./simd.mjs');
  const simd = await runSimdBench({ log });
  return { markdown: simd.markdown, checks: simd.checks ?? [], figures: nativeFigures(simd), sink: simd.sink ?? 0 };
}
