// Monte Carlo shard kernel: simulates paths [pathStart, pathStart + count) of one model, evaluates
// one payoff per path with its control variate, greeks and importance-sampling weight, and ADDS
// the sums of the accumulator block (layout.ts) at pAcc. Nothing is allocated and no path is
// stored unless pPaths != 0 (then row-major [count][steps + 1] spot values are written there).
// Mirrored line for line in src/kernels/montecarlo/paths.ts.
//
// Models (x = ln S, dt = T / steps, draws per step in brackets, draw j = step * dps + d):
//  GBM [1]: exact, x += (r - q - vol^2/2) dt + vol sqrt(dt) Z.                       d0 = Z
//  Merton [3]: GBM with compensated drift - lambda k dt, k = e^{m + delta^2/2} - 1, plus N ~
//    Poisson(lambda dt) by inverse-CDF summation of U and the sum of the N log jumps as
//    N m + delta sqrt(N) Zj.                                                        d0 = Z, d1 = U, d2 = Zj
//  Heston QE [2]: L. Andersen, "Simple and efficient simulation of the Heston stochastic volatility
//    model", J. Comp. Finance 11(3) 2008: quadratic-exponential variance step with psi_c = 1.5,
//    gamma1 = gamma2 = 1/2, log step x += (r - q) dt + K0* + K1 v + K2 v' + sqrt(K3 v + K4 v') Z with
//    the martingale-corrected K0* of his section 4.2 (E[S(t+dt)/S(t) | v] = e^{(r-q)dt} exactly),
//    falling back to the plain K0 where the correction does not exist (A >= 1/(2a), A >= beta). d0 = Uv, d1 = Z
//  Heston Euler [2]: full truncation (Lord, Koekkoek, van Dijk 2010) on x: v+ = max(v, 0),
//    x += (r - q - v+/2) dt + sqrt(v+ dt)(rho Zv + sqrt(1 - rho^2) Z),
//    v += kappa (theta - v+) dt + sigma sqrt(v+ dt) Zv.                                d0 = Zv, d1 = Z
//  Bates [4]: Heston QE plus Merton jumps (drift - lambda k dt).                    d0 = Uv, d1 = Z, d2 = U, d3 = Zj
// Z is the "diffusion normal", independent of the variance given the variance path; importance
// sampling shifts it by mu and weights the path by w = exp(-mu sum Z + steps mu^2 / 2).
//
// Payoffs (discount DF = e^{-rT}, theta = +-1): European (theta (S_T - K))^+; digital cash
// 1{theta (S_T - K) > 0}; barrier: the vanilla payoff knocked in/out, rebate R paid at expiry,
// monitored at the step dates or continuously through the survival probability of the Brownian
// bridge between steps, prod (1 - exp(-2 ln(B/S_i) ln(B/S_i+1) / (sigma^2 dt))) (conditional
// Monte Carlo; sigma^2 dt is the local variance, (v_i + v_i+1) dt / 2 for Heston); Asian on the
// arithmetic or geometric average of S at the step dates t_1..t_n (S_0 excluded).
//
// Greeks: pathwise where the payoff is Lipschitz (European, Asian: delta = payoff' dS/dS0 with
// dS/dS0 = S/S0 for every model here; vega from dS_i/dvol = S_i (W_i - vol t_i) for GBM/Merton);
// likelihood ratio otherwise: digital delta weight Xi / (S0 Vx) with Xi = sum s_i Z_i, Vx = sum s_i^2
// (s_i the conditional std of the diffusion part of step i: the score of ln S_T given the variance
// and jump paths), digital vega weight (zeta^2 - 1)/vol - zeta sqrt(T), zeta = W_T / sqrt(T);
// barrier delta weight Z_1 / (S0 s_1) and vega weight sum ((Z_i^2 - 1)/vol - Z_i sqrt(dt)), plus
// the explicit derivative of the bridge survival probability for continuous monitoring.
//
// Draws: inline Philox, or a buffer at pDraws (DRAWS_* in layout.ts); DRAWS_SOBOL_BRIDGE rewrites the
// buffer in place (sobolToBridgedNormals in draws.ts) using the bridge table at pBridge (0 otherwise).
//
// exp and log are the shared elementary functions (math/elementary.ts), the same bits on both
// backends, so every accumulator is bit for bit the same in the two twins.
//
// Returns 0, or 1 for a malformed call (count < 0, steps < 1, unknown code, odd antithetic range,
// path indices beyond 2^32).

import { drawsShardBegin, drawsShardPath, draw, normal, uniform, asUniform } from "./draws";
import { exp, log, logOneMinus } from "../math/elementary";
import { localVolAt, localVolRow } from "./local-vol-grid";
import { gbmPathPair, mertonPathPair } from "./gbm-pairs";
import { poisson, jumpSum } from "./jump-counts";
import { hestonQePathPair, hestonQePathQuad, hestonQePathQuadQuadraticFirst, hestonQePathBlock, batesQePathQuad, batesQePathQuadQuadraticFirst, qeJumpConstants } from "./heston-qe-pairs";
import { pairEndLane, BLOCK_PATHS, END_X, END_SUM_Z, END_XI, END_VX, END_W, END_FIRST } from "./pair-draws";
import {
  P_MODEL, P_SPOT, P_RATE, P_DIVIDEND, P_EXPIRY, P_VOL, P_V0, P_KAPPA, P_THETA, P_VOL_OF_VAR, P_RHO,
  P_JUMP_INTENSITY, P_JUMP_MEAN, P_JUMP_VOL, P_PAYOFF, P_STRIKE, P_TYPE, P_CASH, P_BARRIER, P_DIRECTION,
  P_KNOCK_IN, P_REBATE, P_CONTINUOUS, P_ANTITHETIC, P_CONTROL, P_GREEKS, P_IS_SHIFT,
  MODEL_GBM, MODEL_HESTON_QE, MODEL_HESTON_EULER, MODEL_MERTON, MODEL_BATES,
  MODEL_MULTI_GBM, MODEL_LOCAL_VOL, P_LV_TIMES, P_LV_POINTS, P_LV_KMIN, P_LV_DK, P_LV_GRID,
  PAYOFF_NONE, PAYOFF_EUROPEAN, PAYOFF_DIGITAL, PAYOFF_BARRIER, PAYOFF_ASIAN_ARITHMETIC, PAYOFF_ASIAN_GEOMETRIC,
  CV_NONE, CV_UNDERLYING, CV_GEOMETRIC_ASIAN, GREEK_DELTA, GREEK_VEGA, DRAWS_PHILOX, DRAWS_SOBOL_BRIDGE,
  A_SAMPLES, A_SUM_Y, A_SUM_YY, A_SUM_X, A_SUM_XX, A_SUM_XY, A_SUM_D, A_SUM_DD, A_SUM_V, A_SUM_VV,
  A_PATHS, A_SUM_W, A_SUM_WW, A_PATH_Y, A_PATH_YY, A_SUM_KNOCK,
} from "./layout";

/** Andersen's switching level of psi = s^2 / m^2 between the quadratic and exponential steps. */
const PSI_C: f64 = 1.5;
const TINY: f64 = 1e-300;

// @ts-ignore: decorator
@inline
function par(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline
function acc(p: usize, i: i32, v: f64): void {
  const a = p + (<usize>i << 3);
  store<f64>(a, load<f64>(a) + v);
}

export function mcShard(
  pathStart: f64, count: i32, steps: i32, seedLo: u32, seedHi: u32, stream: u32,
  pParams: usize, drawMode: i32, pDraws: usize, pAcc: usize, pPaths: usize, pBridge: usize,
): i32 {
  if (count < 0 || steps < 1 || drawMode < DRAWS_PHILOX || drawMode > DRAWS_SOBOL_BRIDGE) return 1;
  if (!(pathStart >= 0.0) || pathStart != Math.floor(pathStart) || pathStart + <f64>count > 4294967296.0) return 1;
  const model = <i32>par(pParams, P_MODEL);
  const payoff = <i32>par(pParams, P_PAYOFF);
  const control = <i32>par(pParams, P_CONTROL);
  const greeks = <i32>par(pParams, P_GREEKS);
  const anti = par(pParams, P_ANTITHETIC) != 0.0;
  if (model < MODEL_GBM || model > MODEL_LOCAL_VOL || model == MODEL_MULTI_GBM) return 1;
  if (payoff < PAYOFF_NONE || payoff > PAYOFF_ASIAN_GEOMETRIC || control < CV_NONE || control > CV_GEOMETRIC_ASIAN) return 1;
  const start = <u64>pathStart;
  if (anti && ((start & 1) != 0 || (count & 1) != 0)) return 1;
  const dps: i32 = model == MODEL_GBM || model == MODEL_LOCAL_VOL ? 1 : model == MODEL_MERTON ? 3 : model == MODEL_BATES ? 4 : 2;
  if (<i64>steps * <i64>dps > 0x7fffffff) return 1;

  const spot = par(pParams, P_SPOT);
  const rate = par(pParams, P_RATE);
  const divi = par(pParams, P_DIVIDEND);
  const T = par(pParams, P_EXPIRY);
  const vol = par(pParams, P_VOL);
  const v0 = par(pParams, P_V0);
  const kappa = par(pParams, P_KAPPA);
  const theta = par(pParams, P_THETA);
  const xi = par(pParams, P_VOL_OF_VAR);
  const rho = par(pParams, P_RHO);
  const lambda = par(pParams, P_JUMP_INTENSITY);
  const jm = par(pParams, P_JUMP_MEAN);
  const jv = par(pParams, P_JUMP_VOL);
  const K = par(pParams, P_STRIKE);
  const typ = par(pParams, P_TYPE);
  const cash = par(pParams, P_CASH);
  const B = par(pParams, P_BARRIER);
  const dir = par(pParams, P_DIRECTION);
  const knockIn = par(pParams, P_KNOCK_IN) != 0.0;
  const rebate = par(pParams, P_REBATE);
  const continuous = par(pParams, P_CONTINUOUS) != 0.0;
  const mu = par(pParams, P_IS_SHIFT);
  const wantDelta = (greeks & GREEK_DELTA) != 0;
  const wantVega = (greeks & GREEK_VEGA) != 0;

  const dt = T / <f64>steps;
  const sqdt = Math.sqrt(dt);
  const DF = exp(-rate * T);
  const lnS0 = log(spot);
  const lnB = payoff == PAYOFF_BARRIER ? log(B) : 0.0;
  const isAsian = payoff == PAYOFF_ASIAN_ARITHMETIC || payoff == PAYOFF_ASIAN_GEOMETRIC;
  const isBarrier = payoff == PAYOFF_BARRIER;
  const needNodes = isAsian || isBarrier || control == CV_GEOMETRIC_ASIAN || pPaths != 0;
  const flatVol = model == MODEL_GBM || model == MODEL_MERTON;
  const jumps = model == MODEL_MERTON || model == MODEL_BATES;
  const muHalfSq = 0.5 * <f64>steps * mu * mu;
  const barrierVega = isBarrier && wantVega && flatVol;
  const invVol = vol > 0.0 ? 1.0 / vol : 0.0;

  // GBM / Merton diffusion.
  const gSd = vol * sqdt;
  const jumpK = jumps ? exp(jm + 0.5 * jv * jv) - 1.0 : 0.0;
  const lamDt = lambda * dt;
  const pois0 = exp(-lamDt);
  const gDrift = (rate - divi - lambda * jumpK - 0.5 * vol * vol) * dt;
  const flatVar = vol * vol * dt;
  // Heston QE constants (Andersen 2008, eqs. 33 and section 4.2) and Euler.
  const E = exp(-kappa * dt);
  const c1 = kappa > 0.0 ? xi * xi * E * (1.0 - E) / kappa : 0.0;
  const c2 = kappa > 0.0 ? theta * xi * xi * (1.0 - E) * (1.0 - E) / (2.0 * kappa) : 0.0;
  const rOverXi = xi > 0.0 ? rho / xi : 0.0;
  const K0 = -rOverXi * kappa * theta * dt;
  const K1 = 0.5 * dt * (kappa * rOverXi - 0.5) - rOverXi;
  const K2 = 0.5 * dt * (kappa * rOverXi - 0.5) + rOverXi;
  const K3 = 0.5 * dt * (1.0 - rho * rho);
  const K4 = K3;
  const Acorr = K2 + 0.5 * K4;
  const Kv = K1 + 0.5 * K3;
  const hDrift = (rate - divi - lambda * jumpK) * dt;
  const sq1mr = Math.sqrt(Math.max(1.0 - rho * rho, 0.0));
  // [surface] Local vol: the grid after the parameter block (local-vol-grid.ts).
  const lvTf = model == MODEL_LOCAL_VOL ? par(pParams, P_LV_TIMES) : 2.0;
  const lvKf = model == MODEL_LOCAL_VOL ? par(pParams, P_LV_POINTS) : 2.0;
  const lvKMin = par(pParams, P_LV_KMIN);
  const lvDk = par(pParams, P_LV_DK);
  if (model == MODEL_LOCAL_VOL && (!(lvTf >= 2.0) || !(lvKf >= 2.0) || lvTf != Math.floor(lvTf) || lvKf != Math.floor(lvKf) || !(lvTf <= 1e9) || !(lvKf <= 1e9) || !(lvDk > 0.0))) return 1;
  const lvT = <i32>lvTf;
  const lvK = <i32>lvKf;
  const pGrid = pParams + (<usize>P_LV_GRID << 3);
  const carry = rate - divi;

  const pathBytes = <usize>(steps + 1) << 3;
  drawsShardBegin(drawMode, anti, count, steps, dps, seedLo, seedHi, stream, pDraws, pBridge);

  // Pending first path of an antithetic pair.
  let pY: f64 = 0.0;
  let pX: f64 = 0.0;
  let pD: f64 = 0.0;
  let pV: f64 = 0.0;
  // GBM, Merton, Heston QE and Bates with inline Philox draws and a payoff of S_T alone: paths i,
  // i + 1 (i even) step together, one per f64x2 lane (gbm-pairs.ts, heston-qe-pairs.ts: bit for bit
  // the scalar loop below), Heston QE sixteen at a time in a block (i a multiple of BLOCK_PATHS, see
  // below) or, like Bates, four at a time (i a multiple of 4, two pairs); the end states wait in
  // pair-draws.ts (slot i & (BLOCK_PATHS - 1) after a block, i & 1 for GBM and Merton, i & 3
  // otherwise) until each path's turn.
  const pairs = (model == MODEL_GBM || model == MODEL_MERTON || model == MODEL_HESTON_QE || model == MODEL_BATES) && drawMode == DRAWS_PHILOX && !needNodes;
  const bates = model == MODEL_BATES;
  if (pairs && bates) qeJumpConstants(lamDt, pois0, jm, jv);
  // Which four-path Heston kernel is faster (the bits are the same): the quadratic-first one where
  // the variance rarely nears zero, by the Feller ratio 2 kappa theta / sigma^2 (measured: faster
  // at 0.48 and 1.8, slower at 0.28 and below). Bates uses the same rule, measured on Heston only
  // (its jumps add one test per step to either kernel).
  const qeQuadraticFirst = 2.0 * kappa * theta >= 0.4 * xi * xi;
  // Quadratic-first models step BLOCK_PATHS paths at a time where a shard has that many left
  // (hestonQePathBlock, step-major; the same bits), the rest four at a time. Whether path i's end
  // state comes from the block kernel (set at each block's first path):
  let blockRun = false;

  for (let i = 0; i < count; ++i) {
    const odd = drawsShardPath(start, i);
    const pOutRow = pPaths + <usize>i * pathBytes;
    if (pPaths != 0) store<f64>(pOutRow, spot);

    let x = lnS0;
    let v = v0;
    let W: f64 = 0.0;
    let sumZ: f64 = 0.0;
    let Xi: f64 = 0.0;
    let Vx: f64 = 0.0;
    let firstScore: f64 = 0.0;
    let vegaScore: f64 = 0.0;
    let sumS: f64 = 0.0;
    let sumLn: f64 = 0.0;
    let sumSdS: f64 = 0.0;
    let sumDln: f64 = 0.0;
    let q: f64 = 1.0;
    let dqS: f64 = 0.0;
    let dqV: f64 = 0.0;
    if (isBarrier && dir * (lnS0 - lnB) >= 0.0) q = 0.0;

    if (pairs && ((i & 1) != 0 || i + 1 < count)) {
      if (model == MODEL_HESTON_QE && qeQuadraticFirst && (i & (BLOCK_PATHS - 1)) == 0 && i + BLOCK_PATHS <= count) {
        blockRun = true;
        const path0 = anti ? <u32>((start + <u64>i) >>> 1) : <u32>(start + <u64>i);
        // The block keeps the sums of z, sd z, sd^2 and z_1 / sd_1 only when this loop reads them:
        // the importance-sampling weight (mu != 0) and the digital's likelihood-ratio greeks. A new
        // reader of those sums on European payoffs must widen this condition.
        hestonQePathBlock(payoff != PAYOFF_EUROPEAN || mu != 0.0, path0, anti, steps, lnS0, v0, mu, theta, E, c1, c2, Acorr, Kv, K0, K1, K2, K3, K4, hDrift);
      } else if ((i & 3) == 0 && (i & (BLOCK_PATHS - 1)) == 0) blockRun = false;
      if (!blockRun && ((i & 3) == 0 || ((i & 1) == 0 && flatVol))) {
        const pathA = anti ? <u32>((start + <u64>i) >>> 1) : <u32>(start + <u64>i);
        const pathB = pathA + (anti ? 0 : 1);
        if (model == MODEL_GBM) gbmPathPair(pathA, pathB, anti, steps, lnS0, mu, gDrift, gSd, sqdt);
        else if (model == MODEL_MERTON) mertonPathPair(pathA, pathB, anti, steps, lnS0, mu, gDrift, gSd, sqdt, lamDt, pois0, jm, jv);
        else if (i + 3 < count && bates) {
          if (qeQuadraticFirst) batesQePathQuadQuadraticFirst(pathA, pathB, pathB + 1, pathB + (anti ? 1 : 2), anti, steps, lnS0, v0, mu, theta, E, c1, c2, Acorr, Kv, K0, K1, K2, K3, K4, hDrift);
          else batesQePathQuad(pathA, pathB, pathB + 1, pathB + (anti ? 1 : 2), anti, steps, lnS0, v0, mu, theta, E, c1, c2, Acorr, Kv, K0, K1, K2, K3, K4, hDrift);
        } else if (i + 3 < count && qeQuadraticFirst) hestonQePathQuadQuadraticFirst(pathA, pathB, pathB + 1, pathB + (anti ? 1 : 2), anti, steps, lnS0, v0, mu, theta, E, c1, c2, Acorr, Kv, K0, K1, K2, K3, K4, hDrift);
        else if (i + 3 < count) hestonQePathQuad(pathA, pathB, pathB + 1, pathB + (anti ? 1 : 2), anti, steps, lnS0, v0, mu, theta, E, c1, c2, Acorr, Kv, K0, K1, K2, K3, K4, hDrift);
        else hestonQePathPair(bates, pathA, pathB, anti, steps, lnS0, v0, mu, theta, E, c1, c2, Acorr, Kv, K0, K1, K2, K3, K4, hDrift);
      }
      const slot = flatVol ? i & 1 : blockRun ? i & (BLOCK_PATHS - 1) : i & 3;
      x = pairEndLane(slot, END_X);
      sumZ = pairEndLane(slot, END_SUM_Z);
      Xi = pairEndLane(slot, END_XI);
      Vx = pairEndLane(slot, END_VX);
      W = pairEndLane(slot, END_W);
      firstScore = pairEndLane(slot, END_FIRST);
    } else {
      for (let s = 0; s < steps; ++s) {
        const j0 = <u32>(s * dps);
        const xPrev = x;
        let z: f64;
        let sd: f64;
        let varLoc: f64;
        if (model == MODEL_GBM) {
          z = normal(j0) + mu;
          x += gDrift + gSd * z;
          sd = gSd;
          varLoc = flatVar;
        } else if (model == MODEL_MERTON) {
          z = normal(j0) + mu;
          const uN = uniform(j0 + 1);
          const n = poisson(uN, lamDt, pois0);
          const jump = n > 0 ? jumpSum(n, jm, jv, normal(j0 + 2)) : 0.0;
          x += gDrift + gSd * z + jump;
          sd = gSd;
          varLoc = flatVar;
        } else if (model == MODEL_LOCAL_VOL) {
          // [surface] Log-Euler: sigma at the step's midpoint time and its starting k = ln(S / F(t_s)).
          z = normal(j0) + mu;
          const sig = localVolAt(pGrid, lvT, lvK, lvKMin, lvDk, localVolRow(s, steps, lvT), x - (lnS0 + carry * (<f64>s * dt)));
          sd = sig * sqdt;
          varLoc = sig * sig * dt;
          x += (carry - 0.5 * sig * sig) * dt + sd * z;
        } else if (model == MODEL_HESTON_EULER) {
          const zv = normal(j0);
          z = normal(j0 + 1) + mu;
          const vp = v > 0.0 ? v : 0.0;
          const sv = Math.sqrt(vp * dt);
          x += (rate - divi - 0.5 * vp) * dt + sv * (rho * zv + sq1mr * z);
          v += kappa * (theta - vp) * dt + xi * sv * zv;
          sd = sq1mr * sv;
          varLoc = vp * dt;
        } else {
          // Heston QE (and Bates).
          const uv = draw(j0);
          z = normal(j0 + 1) + mu;
          const m = theta + (v - theta) * E;
          const s2 = v * c1 + c2;
          const m2 = m * m;
          let vn: f64;
          let k0: f64;
          // psi = s2 / m^2 <= psi_c, tested without dividing; 2 / psi = 2 m^2 / s2 (one division on
          // the v -> v' dependency chain, which bounds the speed of a path).
          if (s2 <= PSI_C * m2) {
            const t2 = 2.0 * m2 / s2;
            const b2 = t2 - 1.0 + Math.sqrt(t2 * (t2 - 1.0));
            const a = m / (1.0 + b2);
            const bz = Math.sqrt(b2) + normal(j0);
            vn = a * bz * bz;
            // Martingale correction where A < 1 / (2a), i.e. 1 - 2 A a > 0 (a > 0).
            const y = 2.0 * Acorr * a;
            const d = 1.0 - y;
            k0 = d > 0.0 ? -Acorr * b2 * a / d + 0.5 * logOneMinus(y, d) - Kv * v : K0;
          } else {
            const psi = s2 / m2;
            const pp = (psi - 1.0) / (psi + 1.0);
            const beta = (1.0 - pp) / m;
            const u = asUniform(uv);
            vn = u <= pp ? 0.0 : log((1.0 - pp) / (1.0 - u)) / beta;
            k0 = Acorr < beta ? -log(pp + beta * (1.0 - pp) / (beta - Acorr)) - Kv * v : K0;
          }
          const var1 = K3 * v + K4 * vn;
          sd = Math.sqrt(var1);
          x += hDrift + k0 + K1 * v + K2 * vn + sd * z;
          if (model == MODEL_BATES) {
            const uN = uniform(j0 + 2);
            const n = poisson(uN, lamDt, pois0);
            if (n > 0) x += jumpSum(n, jm, jv, normal(j0 + 3));
          }
          varLoc = 0.5 * (v + vn) * dt;
          v = vn;
        }

        sumZ += z;
        Xi += sd * z;
        Vx += sd * sd;
        if (s == 0) firstScore = sd > 0.0 ? z / sd : 0.0;
        if (flatVol) W += sqdt * z;
        if (barrierVega) vegaScore += (z * z - 1.0) * invVol - z * sqdt;
        if (needNodes) {
          const S = exp(x);
          if (isAsian || control == CV_GEOMETRIC_ASIAN) {
            sumS += S;
            sumLn += x;
            if (wantVega && flatVol) {
              const dx = W - vol * <f64>(s + 1) * dt;
              sumSdS += S * dx;
              sumDln += dx;
            }
          }
          if (isBarrier && q > 0.0) {
            if (dir * (x - lnB) >= 0.0) {
              q = 0.0;
              dqS = 0.0;
              dqV = 0.0;
            } else if (continuous) {
              const a1 = lnB - xPrev;
              const a2 = lnB - x;
              const vl = varLoc > TINY ? varLoc : TINY;
              const pc = exp(-2.0 * a1 * a2 / vl);
              if (wantDelta && s == 0) dqS = dqS * (1.0 - pc) - q * pc * 2.0 * a2 / (vl * spot);
              else dqS *= 1.0 - pc;
              if (wantVega && flatVol) dqV = dqV * (1.0 - pc) - q * pc * 4.0 * a1 * a2 / (vl * vol);
              q *= 1.0 - pc;
            }
          }
          if (pPaths != 0) store<f64>(pOutRow + (<usize>(s + 1) << 3), S);
        }
      }
    }

    // Payoff, control, greeks.
    const ST = exp(x);
    let Y: f64 = 0.0;
    let D: f64 = 0.0;
    let V: f64 = 0.0;
    if (payoff == PAYOFF_EUROPEAN) {
      const e = typ * (ST - K);
      if (e > 0.0) {
        Y = DF * e;
        D = DF * typ * ST / spot;
        V = DF * typ * ST * (W - vol * T);
      }
    } else if (payoff == PAYOFF_DIGITAL) {
      if (typ * (ST - K) > 0.0) Y = DF * cash;
      D = Vx > 0.0 ? Y * Xi / (spot * Vx) : 0.0;
      const zeta = W / Math.sqrt(T);
      V = Y * ((zeta * zeta - 1.0) / vol - zeta * Math.sqrt(T));
    } else if (payoff == PAYOFF_BARRIER) {
      const e = typ * (ST - K);
      const van = e > 0.0 ? DF * e : 0.0;
      const reb = DF * rebate;
      Y = knockIn ? (1.0 - q) * van + q * reb : q * van + (1.0 - q) * reb;
      const sign = knockIn ? -1.0 : 1.0;
      D = Y * firstScore / spot + sign * (van - reb) * dqS;
      V = Y * vegaScore + sign * (van - reb) * dqV;
    } else if (payoff == PAYOFF_ASIAN_ARITHMETIC) {
      const avg = sumS / <f64>steps;
      const e = typ * (avg - K);
      if (e > 0.0) {
        Y = DF * e;
        D = DF * typ * avg / spot;
        V = DF * typ * sumSdS / <f64>steps;
      }
    } else if (payoff == PAYOFF_ASIAN_GEOMETRIC) {
      const G = exp(sumLn / <f64>steps);
      const e = typ * (G - K);
      if (e > 0.0) {
        Y = DF * e;
        D = DF * typ * G / spot;
        V = DF * typ * G * sumDln / <f64>steps;
      }
    }
    let X: f64 = 0.0;
    if (control == CV_UNDERLYING) {
      X = DF * ST;
    } else if (control == CV_GEOMETRIC_ASIAN) {
      const e = typ * (exp(sumLn / <f64>steps) - K);
      X = e > 0.0 ? DF * e : 0.0;
    }
    const w = mu != 0.0 ? exp(muHalfSq - mu * sumZ) : 1.0;
    const wY = w * Y;
    acc(pAcc, A_PATHS, 1.0);
    acc(pAcc, A_SUM_W, w);
    acc(pAcc, A_SUM_WW, w * w);
    acc(pAcc, A_PATH_Y, wY);
    acc(pAcc, A_PATH_YY, wY * Y);
    if (isBarrier) acc(pAcc, A_SUM_KNOCK, w * (1.0 - q));
    let sY = wY;
    let sX = w * X;
    let sD = w * D;
    let sV = w * V;
    if (anti) {
      if (!odd) {
        pY = sY;
        pX = sX;
        pD = sD;
        pV = sV;
        continue;
      }
      sY = 0.5 * (pY + sY);
      sX = 0.5 * (pX + sX);
      sD = 0.5 * (pD + sD);
      sV = 0.5 * (pV + sV);
    }
    acc(pAcc, A_SAMPLES, 1.0);
    acc(pAcc, A_SUM_Y, sY);
    acc(pAcc, A_SUM_YY, sY * sY);
    if (control != CV_NONE) {
      acc(pAcc, A_SUM_X, sX);
      acc(pAcc, A_SUM_XX, sX * sX);
      acc(pAcc, A_SUM_XY, sX * sY);
    }
    if (wantDelta) {
      acc(pAcc, A_SUM_D, sD);
      acc(pAcc, A_SUM_DD, sD * sD);
    }
    if (wantVega) {
      acc(pAcc, A_SUM_V, sV);
      acc(pAcc, A_SUM_VV, sV * sV);
    }
  }
  return 0;
}
