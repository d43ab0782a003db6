// Brownian-bridge construction of Wiener paths (P. Glasserman, Monte Carlo Methods in Financial
// Engineering, 2004, sec. 3.1 and 5.5.1): the first normal sets the terminal value W(T), the next
// ones fill in midpoints conditioned on the points already built, so that with quasi-random
// inputs the best dimensions of the point set carry the most variance. Construction order and
// weights follow QuantLib's BrownianBridge (any number of steps, any increasing time grid).
// Mirrored line for line in src/kernels/random/brownian-bridge.ts.
//
// Table at pTable, 48 * steps bytes (8-byte aligned), built by brownianBridgeInit:
//   f64 leftWeight[steps], rightWeight[steps], stdDev[steps], sqrtDt[steps],
//   i32 bridgeIndex[steps], leftIndex[steps], rightIndex[steps], scratch[steps].
// Construction step i draws point bridgeIndex[i] from normal i given the points leftIndex[i] - 1
// (or W(0) = 0 when leftIndex[i] == 0) and rightIndex[i].

/** Bytes of table per time step. */
export const BRIDGE_TABLE_BYTES_PER_STEP: i32 = 48;

// @ts-ignore: decorator
@inline
function f64At(pTable: usize, steps: i32, column: i32, i: i32): usize {
  return pTable + ((<usize>column * <usize>steps + <usize>i) << 3);
}

// @ts-ignore: decorator
@inline
function i32At(pTable: usize, steps: i32, column: i32, i: i32): usize {
  return pTable + (<usize>steps << 5) + ((<usize>column * <usize>steps + <usize>i) << 2);
}

/**
 * Build the bridge table for times t_1 < ... < t_steps (f64 at `pTimes`, years, t_0 = 0 implied).
 * Returns 1 (writing nothing) unless steps >= 1 and 0 < t_1 < ... < t_steps are finite.
 */
export function brownianBridgeInit(steps: i32, pTimes: usize, pTable: usize): i32 {
  if (steps < 1) return 1;
  let prev = 0.0;
  for (let i = 0; i < steps; ++i) {
    const t = load<f64>(pTimes + (<usize>i << 3));
    if (!(t > prev) || !(t < Infinity)) return 1;
    prev = t;
  }
  // sqrt(dt) per step.
  store<f64>(f64At(pTable, steps, 3, 0), Math.sqrt(load<f64>(pTimes)));
  for (let i = 1; i < steps; ++i) {
    const dt = load<f64>(pTimes + (<usize>i << 3)) - load<f64>(pTimes + (<usize>(i - 1) << 3));
    store<f64>(f64At(pTable, steps, 3, i), Math.sqrt(dt));
  }
  // scratch[i] != 0: point i already constructed.
  for (let i = 0; i < steps; ++i) store<i32>(i32At(pTable, steps, 3, i), 0);
  const last = steps - 1;
  const tLast = load<f64>(pTimes + (<usize>last << 3));
  store<i32>(i32At(pTable, steps, 3, last), 1);
  store<i32>(i32At(pTable, steps, 0, 0), last);
  store<i32>(i32At(pTable, steps, 1, 0), 0);
  store<i32>(i32At(pTable, steps, 2, 0), 0);
  store<f64>(f64At(pTable, steps, 0, 0), 0.0);
  store<f64>(f64At(pTable, steps, 1, 0), 0.0);
  store<f64>(f64At(pTable, steps, 2, 0), Math.sqrt(tLast));
  let j = 0;
  for (let i = 1; i < steps; ++i) {
    // The next unconstructed point from j, then the next constructed one after it.
    while (load<i32>(i32At(pTable, steps, 3, j)) != 0) ++j;
    let k = j;
    while (load<i32>(i32At(pTable, steps, 3, k)) == 0) ++k;
    const l = j + ((k - 1 - j) >> 1);
    store<i32>(i32At(pTable, steps, 3, l), i + 1);
    store<i32>(i32At(pTable, steps, 0, i), l);
    store<i32>(i32At(pTable, steps, 1, i), j);
    store<i32>(i32At(pTable, steps, 2, i), k);
    const tk = load<f64>(pTimes + (<usize>k << 3));
    const tl = load<f64>(pTimes + (<usize>l << 3));
    if (j != 0) {
      const tj = load<f64>(pTimes + (<usize>(j - 1) << 3));
      store<f64>(f64At(pTable, steps, 0, i), (tk - tl) / (tk - tj));
      store<f64>(f64At(pTable, steps, 1, i), (tl - tj) / (tk - tj));
      store<f64>(f64At(pTable, steps, 2, i), Math.sqrt(((tl - tj) * (tk - tl)) / (tk - tj)));
    } else {
      store<f64>(f64At(pTable, steps, 0, i), (tk - tl) / tk);
      store<f64>(f64At(pTable, steps, 1, i), tl / tk);
      store<f64>(f64At(pTable, steps, 2, i), Math.sqrt((tl * (tk - tl)) / tk));
    }
    j = k + 1;
    if (j >= steps) j = 0;
  }
  return 0;
}

/**
 * Wiener increments from normals by the bridge: for each of `nPaths` rows of `steps` standard
 * normals at `pNormals` (row-major [nPaths][steps], normal i drives construction step i, so
 * normal 0 sets W(T)), writes the increments W(t_i) - W(t_{i-1}) at `pOut` (same layout; variance
 * t_i - t_{i-1}), or with `normalise` = 1 those increments divided by sqrt(t_i - t_{i-1}) (i.i.d.
 * N(0, 1) in law). `pOut` must not overlap `pNormals`. Returns 1 if nPaths < 0 or steps < 1.
 */
export function brownianBridgeBatch(
  nPaths: i32, steps: i32, pTable: usize, normalise: i32, pNormals: usize, pOut: usize,
): i32 {
  if (nPaths < 0 || steps < 1) return 1;
  const rowBytes = <usize>steps << 3;
  for (let path = 0; path < nPaths; ++path) {
    const z = pNormals + <usize>path * rowBytes;
    const w = pOut + <usize>path * rowBytes;
    store<f64>(w + (<usize>(steps - 1) << 3), load<f64>(f64At(pTable, steps, 2, 0)) * load<f64>(z));
    for (let i = 1; i < steps; ++i) {
      const j = load<i32>(i32At(pTable, steps, 1, i));
      const k = load<i32>(i32At(pTable, steps, 2, i));
      const l = load<i32>(i32At(pTable, steps, 0, i));
      const right = load<f64>(f64At(pTable, steps, 1, i)) * load<f64>(w + (<usize>k << 3));
      const noise = load<f64>(f64At(pTable, steps, 2, i)) * load<f64>(z + (<usize>i << 3));
      let value: f64;
      if (j != 0) {
        value = load<f64>(f64At(pTable, steps, 0, i)) * load<f64>(w + (<usize>(j - 1) << 3)) + right + noise;
      } else {
        value = right + noise;
      }
      store<f64>(w + (<usize>l << 3), value);
    }
    for (let i = steps - 1; i >= 1; --i) {
      const p = w + (<usize>i << 3);
      let d = load<f64>(p) - load<f64>(p - 8);
      if (normalise != 0) d /= load<f64>(f64At(pTable, steps, 3, i));
      store<f64>(p, d);
    }
    if (normalise != 0) store<f64>(w, load<f64>(w) / load<f64>(f64At(pTable, steps, 3, 0)));
  }
  return 0;
}
