// A seeded, realistic option surface for the benchmarks, as Float64Array / Int8Array columns.
// Runs unchanged in Node and in the browser (no imports).
//
// Each option: spot log-uniform in [20, 5000] (many underlyings), expiry uniform in [1 day, 2 years],
// vol uniform in [0.2, 1.5], rate uniform in [0, 6%], no dividend yield (the npm peers have none),
// strike = F exp(z sigma sqrt(T)) with z uniform in [-3, 3] ("+-3 sd" in log-moneyness, F the
// forward), call or put with probability 1/2.

/** mulberry32: a small, seeded 32-bit generator; returns uniforms in [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const SURFACE_SEED = 20240611;
export const DAY = 1 / 365;

/**
 * Generate `n` options. Columns: spots, strikes, expiries (years), vols, rates, dividendYields
 * (zeros), types (Int8Array +1 call / -1 put), plus forwards F = S e^{rT} and discount factors
 * e^{-rT} for Black-76 / implied vol.
 */
export function makeSurface(n, seed = SURFACE_SEED) {
  const rnd = mulberry32(seed);
  const spots = new Float64Array(n);
  const strikes = new Float64Array(n);
  const expiries = new Float64Array(n);
  const vols = new Float64Array(n);
  const rates = new Float64Array(n);
  const dividendYields = new Float64Array(n);
  const types = new Int8Array(n);
  const forwards = new Float64Array(n);
  const discountFactors = new Float64Array(n);
  const lo = Math.log(20);
  const hi = Math.log(5000);
  for (let i = 0; i < n; i++) {
    const S = Math.exp(lo + (hi - lo) * rnd());
    const T = DAY + (2 - DAY) * rnd();
    const vol = 0.2 + 1.3 * rnd();
    const r = 0.06 * rnd();
    const z = -3 + 6 * rnd();
    const F = S * Math.exp(r * T);
    spots[i] = S;
    expiries[i] = T;
    vols[i] = vol;
    rates[i] = r;
    strikes[i] = F * Math.exp(z * vol * Math.sqrt(T));
    types[i] = rnd() < 0.5 ? 1 : -1;
    forwards[i] = F;
    discountFactors[i] = Math.exp(-r * T);
  }
  return { n, spots, strikes, expiries, vols, rates, dividendYields, types, forwards, discountFactors };
}

/** The first `m` options of a surface, as views (no copies). */
export function prefix(surface, m) {
  const out = { n: m };
  for (const [k, v] of Object.entries(surface)) out[k] = typeof v === 'number' ? v : v.subarray(0, m);
  out.n = m;
  return out;
}

/** The i-th option of a surface as a one-element surface (views, no copies). */
export function single(surface, i) {
  const out = {};
  for (const [k, v] of Object.entries(surface)) out[k] = typeof v === 'number' ? v : v.subarray(i, i + 1);
  out.n = 1;
  return out;
}
