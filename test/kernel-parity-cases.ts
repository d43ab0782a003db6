// The table of cases test/kernel-parity.test.ts runs on both twins: per kernel, typical valid
// inputs plus edge elements (NaN, +-0, +-Inf, tiny, huge, out of domain). A case names every
// scalar argument and the contents of every pointer the kernel reads; written pointers are sized
// from the spec's length expressions. An optional pointer not given (inputs) or listed in `omit`
// (outputs) is passed as 0.
import * as MC from '../src/kernels/montecarlo/layout.js';
import * as RISK from '../src/kernels/risk/layout.js';
import * as LIQ from '../src/kernels/margin/layout.js';
import * as HEDGE from '../src/kernels/hedging/layout.js'; // [hedging] simulate
import { gaussLegendre } from '../src/math/gauss-legendre.js';
import { sobolDirectionTable } from '../src/random/sobol-table.js';
import { normalisedBlack } from '../src/kernels/pricing/normalised-black.js';

export interface KernelCase {
  label: string;
  scalars: Record<string, number>;
  inputs?: Record<string, ArrayLike<number>>;
  omit?: string[];
}

/** Scalar kernels: argument tuples. */
export type ScalarCases = number[][];

/** Elements a batch kernel must handle without a trap, the same way on both twins. */
export const EDGES = [Number.NaN, 0, -0, Infinity, -Infinity, 5e-324, 1e-300, 1e300, -1];

/** A deterministic stream in [0, 1) (cases are data, not draws). */
function stream(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Columns of a batch: the typical rows, then for every column in `edgeColumns` and every edge value
 * one row equal to the first typical row except that column.
 */
function batch(rows: Record<string, number>[], edgeColumns: string[], edges: number[] = EDGES): { n: number; columns: Record<string, number[]> } {
  const all = [...rows];
  for (const c of edgeColumns) for (const e of edges) all.push({ ...rows[0], [c]: e });
  const columns: Record<string, number[]> = {};
  for (const key of Object.keys(rows[0])) columns[key] = all.map((r) => r[key]);
  return { n: all.length, columns };
}

const grid = <T>(xs: T[][]): T[][] => xs.reduce<T[][]>((acc, x) => acc.flatMap((a) => x.map((v) => [...a, v])), [[]]);

function blackRows(spot: 'pSpot' | 'pForward', extra: Record<string, number>) {
  return grid([[80, 100, 125], [0.05, 1, 7], [1, -1]]).map(([K, T, type]) => ({ [spot]: 100, pStrike: K, pExpiry: T, pVol: 0.25, ...extra, pType: type }));
}

const bs = batch(blackRows('pSpot', { pRate: 0.03, pDividend: 0.01 }), ['pSpot', 'pStrike', 'pExpiry', 'pVol', 'pRate', 'pDividend']);
const typeEdges = batch(blackRows('pSpot', { pRate: 0.03, pDividend: 0.01 }), ['pType'], [0, 2, -2]);
const b76 = batch(blackRows('pForward', { pDiscount: 0.97 }), ['pForward', 'pStrike', 'pExpiry', 'pVol', 'pDiscount']);

// Implied vol: prices of known vols (Black-76 from the twin's normalised price), then edges.
const ivRows = grid([[70, 100, 140], [0.02, 0.5, 4], [0.05, 0.3, 1.2], [1, -1]]).map(([K, T, vol, type]) => {
  const F = 100, D = 0.98;
  const price = D * Math.sqrt(F * K) * normalisedBlack(Math.log(F / K), vol * Math.sqrt(T), type);
  return { pPrice: price, pForward: F, pStrike: K, pExpiry: T, pDiscount: D, pType: type };
});
const iv = batch(ivRows, ['pPrice', 'pForward', 'pStrike', 'pExpiry', 'pDiscount']);

const GL = gaussLegendre(32);
const hestonRows = grid([[60, 100, 150], [0.05, 1, 5], [1, -1]]).map(([K, T, type]) => ({ pForward: 100, pStrike: K, pExpiry: T, pDiscount: 0.95, pType: type }));
// A discount factor of 1e300 is included: since the twins share sin/cos/expm1/atan2 the gradients
// agree bit for bit there too (before, they differed by 4e-10 relative).
const heston = (() => {
  const a = batch(hestonRows, ['pForward', 'pStrike', 'pExpiry'], [Number.NaN, 0, Infinity, 1e-300, 1e300, -1]);
  const b = batch(hestonRows, ['pDiscount'], [Number.NaN, 0, Infinity, 1e-300, 1e300, -1]);
  const extra = b.n - hestonRows.length;
  const columns = Object.fromEntries(Object.entries(a.columns).map(([k, v]) => [k, [...v, ...b.columns[k].slice(hestonRows.length)]]));
  return { n: a.n + extra, columns };
})();
const hestonScalars = { v0: 0.04, kappa: 1.5, theta: 0.05, sigma: 0.6, rho: -0.7, nNodes: GL.nodes.length, tolerance: 1e-12, maxPanels: 24 };

function mcParams(set: Partial<Record<keyof typeof MC, number>>): number[] {
  const b = new Array<number>(MC.PARAMS_SIZE).fill(0);
  const base = { P_SPOT: 100, P_RATE: 0.03, P_DIVIDEND: 0.01, P_EXPIRY: 1, P_VOL: 0.25, P_V0: 0.04, P_KAPPA: 1.5, P_THETA: 0.05, P_VOL_OF_VAR: 0.5, P_RHO: -0.6,
    P_JUMP_INTENSITY: 0.5, P_JUMP_MEAN: -0.1, P_JUMP_VOL: 0.15, P_STRIKE: 100, P_TYPE: 1, P_PAYOFF: MC.PAYOFF_EUROPEAN, P_DIRECTION: 1, P_BARRIER: 130 };
  for (const [k, v] of Object.entries({ ...base, ...set })) b[(MC as Record<string, number>)[k]] = v as number;
  return b;
}
const mcScalars = { pathStart: 5, count: 64, steps: 12, seedLo: 42, seedHi: 7, stream: 3, drawMode: MC.DRAWS_PHILOX };
const acc0 = new Array<number>(MC.ACC_SIZE).fill(0);

// Multi-asset: three assets, correlation 0.5 between each pair (Cholesky factor below).
const rho = 0.5, l21 = rho, l22 = Math.sqrt(1 - rho * rho), l31 = rho, l32 = (rho - rho * rho) / l22, l33 = Math.sqrt(1 - l31 * l31 - l32 * l32);
const assetBlock = [100, 50, 80, 0.01, 0, 0.02, 0.25, 0.4, 0.3, 0.5, 0.3, 0.2, 1, 0, 0, 1, 0, 0, l21, l22, 0, l31, l32, l33];

const svi = batch([-1.5, -0.5, 0, 0.3, 1.2].map((k) => ({ pLogMoneyness: k, pTarget: 0.2 })), ['pLogMoneyness'], [Number.NaN, Infinity, -Infinity, 0, 1e300]);
const sabr = batch([40, 80, 100, 120, 250].map((K) => ({ pStrike: K, pTarget: 0.3 })), ['pStrike'], [Number.NaN, Infinity, 0, -1, 5e-324, 1e300]);
const ssvi = batch(grid([[-1, -0.2, 0, 0.4, 1.1], [0, 1, 2]]).map(([k, s]) => ({ pLogMoneyness: k, pExpiry: [0.25, 1, 3][s], pSlice: s, pTarget: 0.25 })),
  ['pLogMoneyness', 'pExpiry'], [Number.NaN, Infinity, 0, -1]);

function portfolio() {
  const r = stream(11);
  const kinds = [RISK.KIND_SPOT, RISK.KIND_PERPETUAL, RISK.KIND_FUTURE, RISK.KIND_INVERSE_FUTURE, RISK.KIND_OPTION_USD, RISK.KIND_OPTION_COIN];
  const n = 12, m = 9, nFactors = 2, nAccounts = 3;
  const f64 = new Array<number>(RISK.POS_F64_COLUMNS * n).fill(0);
  const i32 = new Array<number>(RISK.POS_I32_COLUMNS * n).fill(0);
  for (let i = 0; i < n; i++) {
    const set = (c: number, v: number) => { f64[c * n + i] = v; };
    set(RISK.COL_QUANTITY, (i % 2 ? -1 : 1) * (1 + 3 * r()));
    set(RISK.COL_STRIKE, 80 + 40 * r());
    set(RISK.COL_EXPIRY, 0.05 + r());
    set(RISK.COL_VOL, 0.2 + 0.6 * r());
    set(RISK.COL_RATE, 0.03);
    set(RISK.COL_CARRY, 0.05 * r());
    set(RISK.COL_VOL_SCALE, 1);
    i32[RISK.COL_KIND * n + i] = kinds[i % kinds.length];
    i32[RISK.COL_FACTOR * n + i] = i % nFactors;
    i32[RISK.COL_ACCOUNT * n + i] = i % nAccounts;
    i32[RISK.COL_TYPE * n + i] = i % 4 < 2 ? 1 : -1;
  }
  const returns = Array.from({ length: m * nFactors }, (_, j) => (j < nFactors ? 0 : 0.3 * (r() - 0.5)));
  returns[nFactors * 2] = -3; // a crash scenario: e^-3
  const shocks = Array.from({ length: m * nFactors }, () => 0.2 * (r() - 0.5));
  return {
    scalars: { n, m, nFactors, nAccounts, horizon: 1 / 365 },
    inputs: { pPosF64: f64, pPosI32: i32, pSpots: [100, 2000], pLogReturns: returns, pVolShocks: shocks, pNumeraire: [-1, 0, 1] },
  };
}

function liquidation() {
  // Problem 0: a long perpetual on tiers; 1: a short USD call and a long put; 2: a NaN index.
  const nPositions = 4, nProblems = 3;
  const f64 = new Array<number>(LIQ.LIQ_POS_F64_COLUMNS * nPositions).fill(0);
  const i32 = new Array<number>(LIQ.LIQ_POS_I32_COLUMNS * nPositions).fill(0);
  const pos = (i: number, f: Record<string, number>, n: Record<string, number>) => {
    for (const [k, v] of Object.entries(f)) f64[(LIQ as Record<string, number>)[k] * nPositions + i] = v;
    for (const [k, v] of Object.entries(n)) i32[(LIQ as Record<string, number>)[k] * nPositions + i] = v;
  };
  pos(0, { LIQ_QUANTITY: 2, LIQ_ENTRY: 95, LIQ_VALUE_SCALE: 1 }, { LIQ_KIND: RISK.KIND_PERPETUAL, LIQ_TYPE: 1, LIQ_RULE: LIQ.LIQ_RULE_TIERS, LIQ_TIER_START: 0, LIQ_TIER_COUNT: 2 });
  pos(1, { LIQ_QUANTITY: -3, LIQ_STRIKE: 110, LIQ_EXPIRY: 0.25, LIQ_VOL: 0.6, LIQ_RATE: 0.02, LIQ_MM_RATE: 0.075, LIQ_MM_MARK_RATE: 0.1, LIQ_VALUE_SCALE: 1 },
    { LIQ_KIND: RISK.KIND_OPTION_USD, LIQ_TYPE: 1, LIQ_RULE: LIQ.LIQ_RULE_SHORT_OPTION, LIQ_UNIT: 1 });
  pos(2, { LIQ_QUANTITY: 1, LIQ_STRIKE: 90, LIQ_EXPIRY: 0.25, LIQ_VOL: 0.5, LIQ_RATE: 0.02, LIQ_VALUE_SCALE: 1 },
    { LIQ_KIND: RISK.KIND_OPTION_USD, LIQ_TYPE: -1, LIQ_RULE: LIQ.LIQ_RULE_PREMIUM });
  pos(3, { LIQ_QUANTITY: 1, LIQ_ENTRY: 100, LIQ_VALUE_SCALE: 1 }, { LIQ_KIND: RISK.KIND_PERPETUAL, LIQ_TYPE: 1, LIQ_RULE: LIQ.LIQ_RULE_TIERS, LIQ_TIER_START: 0, LIQ_TIER_COUNT: 2 });
  const problems = new Array<number>(LIQ.LIQ_PROB_COLUMNS * nProblems).fill(0);
  const prob = (p: number, v: number[]) => v.forEach((x, c) => { problems[c * nProblems + p] = x; });
  prob(0, [100, 30, 0, 0, 1, 10000]);
  prob(1, [100, 60, 5, 0.1, 1, 10000]);
  prob(2, [Number.NaN, 30, 0, 0, 1, 10000]);
  return {
    scalars: { nProblems, nPositions, nTiers: 2, maxIterations: 100 },
    inputs: { pPosF64: f64, pPosI32: i32, pStarts: [0, 1, 3, 4], pProblems: problems, pTiers: [1000, 0.01, 0, Infinity, 0.02, 10] },
  };
}

const garchReturns = Array.from({ length: 300 }, (_, i) => Math.sin(i * 1.7) * (1 + 0.5 * Math.cos(i / 13)));
const tail = (() => { const r = stream(5); return Array.from({ length: 101 }, (_, i) => (i % 17 === 0 ? 0.5 : r() - 0.5)); })();

const BRIDGE_TIMES = [0.1, 0.25, 0.3, 0.5, 0.8, 1, 1.5];
const sobolDims = 6;

/**
 * Inputs that are another kernel's output (Sobol directions, a bridge table): computed by the
 * JS twin once, then copied into both twins' arenas, so each kernel is compared on the same bytes.
 */
export interface Derived {
  sobolDirections: Uint32Array;
  bridgeTable: Float64Array;
}

export const SCALAR_CASES: Record<string, ScalarCases> = {
  assertionCheck: [[0], [3]],
  normalPdf: [...Array.from({ length: 60 }, (_, i) => [-38 + i * 0.79]), ...EDGES.map((z) => [z]), [40], [-40]],
  normalCdf: [...Array.from({ length: 60 }, (_, i) => [-38 + i * 0.79]), ...EDGES.map((z) => [z]), [40], [-40]],
  normalCdfOverPdf: [...Array.from({ length: 60 }, (_, i) => [-38 + i * 0.79]), ...EDGES.map((z) => [z]), [40], [-40]],
  inverseNormalCdf: [...Array.from({ length: 50 }, (_, i) => [(i + 0.5) / 50]), [1e-300], [5e-324], [1 - 2 ** -53], [0.5 + 2 ** -40], [0], [1], [Number.NaN], [-1], [2]],
  inverseNormalCdfFast: [...Array.from({ length: 50 }, (_, i) => [(i + 0.5) / 50]), [1e-300], [5e-324], [1 - 2 ** -53], [0.5 + 2 ** -40], [0], [1], [Number.NaN], [-1], [2]],
  normalisedBlack: [...grid([[-3, -0.5, 0, 0.5, 3], [0.05, 0.5, 2], [1, -1]]), [0, 0, 1], [1, Infinity, 1], [Number.NaN, 1, 1], [1, Number.NaN, -1], [Infinity, 1, 1], [-Infinity, 1, -1]],
  normalisedImpliedVolatility: [
    ...grid([[-2, -0.5, 0, 0.5, 2], [0.1, 0.5, 1.5], [1, -1]]).map(([x, s, theta]) => [normalisedBlack(x, s, theta), x, theta]),
    [0, 0, 1], [Number.NaN, 0, 1], [2, 0, 1], [Infinity, 0.5, 1], [0.1, Number.NaN, -1],
  ],
};

export function batchCases(d: Derived): Record<string, KernelCase[]> {
  const pf = portfolio();
  const lq = liquidation();
  return {
    blackScholesBatch: [
      { label: 'grid + edges, greeks', scalars: { n: bs.n, greeks: 1 }, inputs: bs.columns },
      { label: 'grid + edges, price only', scalars: { n: bs.n, greeks: 0 }, inputs: bs.columns },
      { label: 'bad type flags', scalars: { n: typeEdges.n, greeks: 1 }, inputs: typeEdges.columns },
    ],
    black76Batch: [
      { label: 'grid + edges, greeks', scalars: { n: b76.n, coin: 0, greeks: 1 }, inputs: b76.columns },
      { label: 'grid + edges, coin, price only', scalars: { n: b76.n, coin: 1, greeks: 0 }, inputs: b76.columns },
    ],
    impliedVolatilityBatch: [
      { label: 'round trip + edges', scalars: { n: iv.n, coin: 0 }, inputs: iv.columns },
      { label: 'coin prices', scalars: { n: iv.n, coin: 1 }, inputs: { ...iv.columns, pPrice: iv.columns.pPrice.map((p, i) => p / iv.columns.pForward[i]) } },
    ],
    hestonPriceBatch: [
      { label: 'grid + edges, gradient', scalars: { n: heston.n, ...hestonScalars, gradient: 1 }, inputs: { ...heston.columns, pNodes: GL.nodes, pWeights: GL.weights } },
      { label: 'prices only', scalars: { n: heston.n, ...hestonScalars, gradient: 0 }, inputs: { ...heston.columns, pNodes: GL.nodes, pWeights: GL.weights }, omit: ['pGrad'] },
      { label: 'parameters outside the domain', scalars: { n: heston.n, ...hestonScalars, sigma: -1, gradient: 0 }, inputs: { ...heston.columns, pNodes: GL.nodes, pWeights: GL.weights }, omit: ['pGrad'] },
    ],
    batesPriceBatch: [
      { label: 'grid + edges, gradient', scalars: { n: heston.n, ...hestonScalars, lambda: 0.4, muJ: -0.12, deltaJ: 0.15, gradient: 1 }, inputs: { ...heston.columns, pNodes: GL.nodes, pWeights: GL.weights } },
    ],
    philox4x32_10: [
      { label: 'zero counter and key', scalars: { c0: 0, c1: 0, c2: 0, c3: 0, k0: 0, k1: 0 } },
      { label: 'all ones', scalars: { c0: 0xffffffff, c1: 0xffffffff, c2: 0xffffffff, c3: 0xffffffff, k0: 0xffffffff, k1: 0xffffffff } },
      { label: 'mixed', scalars: { c0: 1, c1: 2 ** 31, c2: 12345, c3: 7, k0: 0xdeadbeef, k1: 42 } },
    ],
    philoxUint32Batch: [
      { label: 'unaligned offset', scalars: { n: 37, seedLo: 42, seedHi: 0, stream: 1, path: 9, offset: 3 } },
      { label: 'large offset, all-ones seed', scalars: { n: 11, seedLo: 0xffffffff, seedHi: 0xffffffff, stream: 0xffffffff, path: 0, offset: 2 ** 40 + 1 } },
    ],
    philoxUniformBatch: [
      { label: 'unaligned offset', scalars: { n: 37, seedLo: 42, seedHi: 0, stream: 1, path: 9, offset: 3 } },
      { label: 'large offset', scalars: { n: 11, seedLo: 0xffffffff, seedHi: 1, stream: 2, path: 0xffffffff, offset: 2 ** 40 + 1 } },
      { label: 'malformed: negative offset', scalars: { n: 4, seedLo: 1, seedHi: 1, stream: 1, path: 1, offset: -1 } },
    ],
    philoxUniformPaths: [{ label: '3 paths', scalars: { nPaths: 3, n: 17, seedLo: 42, seedHi: 0, stream: 1, firstPath: 0xfffffffe, offset: 5 } }],
    philoxNormalBatch: [
      { label: 'unaligned offset', scalars: { n: 37, seedLo: 42, seedHi: 0, stream: 1, path: 9, offset: 3 } },
      { label: 'bulk', scalars: { n: 4099, seedLo: 1, seedHi: 2, stream: 3, path: 4, offset: 0 } },
    ],
    philoxNormalPaths: [{ label: '3 paths', scalars: { nPaths: 3, n: 17, seedLo: 42, seedHi: 0, stream: 1, firstPath: 7, offset: 5 } }],
    sobolInitDirections: [
      { label: `${sobolDims} dimensions`, scalars: { dims: sobolDims, tableWords: sobolDirectionTable(sobolDims).length }, inputs: { pTable: sobolDirectionTable(sobolDims) } },
      { label: '1 dimension (no table)', scalars: { dims: 1, tableWords: 0 }, inputs: { pTable: [] } },
    ],
    sobolPoints: [0, 1, 2].map((scramble) => ({
      label: `scramble ${scramble}`,
      scalars: { count: 33, dims: sobolDims, index: 1000, scramble },
      inputs: { pDirections: d.sobolDirections, ...(scramble ? { pScramble: [1, 0xffffffff, 7, 99, 2 ** 31, 12345] } : {}) },
    })),
    brownianBridgeInit: [
      { label: 'uneven times', scalars: { steps: BRIDGE_TIMES.length }, inputs: { pTimes: BRIDGE_TIMES } },
      { label: 'malformed: times not increasing', scalars: { steps: 3 }, inputs: { pTimes: [0.5, 0.5, 1] } },
    ],
    brownianBridgeBatch: [0, 1].map((normalise) => {
      const r = stream(3 + normalise);
      return {
        label: `normalise ${normalise}`,
        scalars: { nPaths: 4, steps: BRIDGE_TIMES.length, normalise },
        inputs: { pTable: d.bridgeTable, pNormals: Array.from({ length: 4 * BRIDGE_TIMES.length }, (_, i) => (i === 5 ? Number.NaN : 4 * (r() - 0.5))) },
      };
    }),
    mcShard: [
      { label: 'GBM European, paths written', scalars: mcScalars, inputs: { pParams: mcParams({}), pAcc: acc0 }, omit: ['pBridge'] },
      { label: 'Heston QE up-and-out, antithetic, control, greeks', scalars: mcScalars, inputs: { pParams: mcParams({ P_MODEL: MC.MODEL_HESTON_QE, P_PAYOFF: MC.PAYOFF_BARRIER, P_ANTITHETIC: 1, P_CONTROL: MC.CV_UNDERLYING, P_GREEKS: 3 }), pAcc: acc0 }, omit: ['pBridge'] },
      { label: 'Bates arithmetic Asian, importance shift', scalars: mcScalars, inputs: { pParams: mcParams({ P_MODEL: MC.MODEL_BATES, P_PAYOFF: MC.PAYOFF_ASIAN_ARITHMETIC, P_IS_SHIFT: 0.3 }), pAcc: acc0 }, omit: ['pPaths', 'pBridge'] },
      { label: 'Merton digital, accumulates onto a non-zero block', scalars: mcScalars, inputs: { pParams: mcParams({ P_MODEL: MC.MODEL_MERTON, P_PAYOFF: MC.PAYOFF_DIGITAL, P_CASH: 1 }), pAcc: acc0.map((_, i) => i + 0.5) }, omit: ['pPaths', 'pBridge'] },
      { label: 'malformed: NaN spot', scalars: mcScalars, inputs: { pParams: mcParams({ P_SPOT: Number.NaN }), pAcc: acc0 }, omit: ['pPaths', 'pBridge'] },
    ],
    mcMultiAssetShard: [
      { label: 'basket call, paths written', scalars: { ...mcScalars, nAssets: 3 }, inputs: { pParams: mcParams({ P_MODEL: MC.MODEL_MULTI_GBM, P_ASSETS: 3, P_PAYOFF: MC.PAYOFF_BASKET }), pAssets: assetBlock, pAcc: acc0 }, omit: ['pBridge'] },
      { label: 'worst-of put, antithetic + control', scalars: { ...mcScalars, nAssets: 3 }, inputs: { pParams: mcParams({ P_MODEL: MC.MODEL_MULTI_GBM, P_ASSETS: 3, P_PAYOFF: MC.PAYOFF_WORST_OF, P_TYPE: -1, P_ANTITHETIC: 1, P_CONTROL: MC.CV_UNDERLYING }), pAssets: assetBlock.map((v, i) => (i >= 12 && i < 15 ? 1 : v)), pAcc: acc0 }, omit: ['pPaths', 'pBridge'] },
    ],
    sviSliceEvaluate: [
      { label: 'slice + edges, targets and Jacobian', scalars: { n: svi.n, expiry: 0.5 }, inputs: { pLogMoneyness: svi.columns.pLogMoneyness, pParams: [0.02, 0.15, -0.4, 0.05, 0.2], pTarget: svi.columns.pTarget } },
      { label: 'no target, no Jacobian', scalars: { n: svi.n, expiry: 2 }, inputs: { pLogMoneyness: svi.columns.pLogMoneyness, pParams: [0.02, 0.15, -0.4, 0.05, 0.2] }, omit: ['pJacobian'] },
    ],
    sabrSliceEvaluate: [
      { label: 'slice + edges', scalars: { n: sabr.n, forward: 100, expiry: 0.4, beta: 0.5 }, inputs: { pStrike: sabr.columns.pStrike, pParams: [3, -0.3, 1.1], pTarget: sabr.columns.pTarget } },
      { label: 'beta 1, no target', scalars: { n: sabr.n, forward: 100, expiry: 2, beta: 1 }, inputs: { pStrike: sabr.columns.pStrike, pParams: [0.3, 0.2, 0.6] } },
    ],
    ssviEvaluate: [0, 1].map((phiKind) => ({
      label: `phi kind ${phiKind}, three slices + edges`,
      scalars: { n: ssvi.n, nSlices: 3, phiKind },
      inputs: { ...ssvi.columns, pParams: [-0.4, phiKind ? 0.8 : 1.2, phiKind ? 0.4 : 0.4, 0.01, 0.04, 0.12] },
    })),
    portfolioRevalue: [
      ...[0, 1, 2].map((volMode) => ({ label: `vol mode ${volMode}`, scalars: { ...pf.scalars, volMode }, inputs: pf.inputs })),
      {
        label: 'no vol shocks, USD numeraire, no per-position P&L',
        scalars: { ...pf.scalars, volMode: 0 },
        inputs: { pPosF64: pf.inputs.pPosF64, pPosI32: pf.inputs.pPosI32, pSpots: pf.inputs.pSpots, pLogReturns: pf.inputs.pLogReturns },
        omit: ['pPositionPnl'],
      },
    ],
    tailSelect: [
      { label: 'k = 10 of 101 with ties', scalars: { n: tail.length, k: 10 }, inputs: { pData: tail } },
      { label: 'k = n - 1', scalars: { n: tail.length, k: tail.length - 1 }, inputs: { pData: tail } },
      { label: 'malformed: k = n', scalars: { n: tail.length, k: tail.length }, inputs: { pData: tail } },
    ],
    garchLikelihood: grid([[0, 1], [0, 1]]).map(([model, distribution]) => ({
      label: `model ${model}, distribution ${distribution}`,
      scalars: { n: garchReturns.length, model, distribution, variance0: 0.8 },
      inputs: { pReturns: garchReturns, pParams: [0.05, 0.08, 0.85, 0.06, 6] },
    })),
    liquidationPrice: [{ label: 'tiers, short and long options, a NaN index', scalars: lq.scalars, inputs: lq.inputs }],
    // [surface] three SVI slices and four forward nodes (the spot at T = 0); every output, input kind and extrapolation.
    volSurfaceEvaluate: grid([[0, 1, 2], [0, 1], [0, 1]]).map(([output, strikeInput, extrapolation]) => ({
      label: `output ${output}, ${strikeInput ? 'strikes' : 'moneyness'}, extrapolation ${extrapolation}`,
      scalars: { n: surf.n, broadcastExpiry: 0, strikeInput, output, nSlices: 3, nForwards: 4, extrapolation },
      inputs: { pX: strikeInput ? surf.strikes : surf.moneyness, pExpiry: surf.expiries, pSlices: SURFACE_SLICES, pForwards: SURFACE_FORWARDS },
    })).concat([{
      label: 'broadcast expiry, local vol, strikes',
      scalars: { n: surf.n, broadcastExpiry: 1, strikeInput: 1, output: 2, nSlices: 3, nForwards: 4, extrapolation: 1 },
      inputs: { pX: surf.strikes, pExpiry: [0.7, ...Array<number>(surf.n - 1).fill(NaN)], pSlices: SURFACE_SLICES, pForwards: SURFACE_FORWARDS },
    }, {
      label: 'malformed: output 3',
      scalars: { n: surf.n, broadcastExpiry: 0, strikeInput: 0, output: 3, nSlices: 3, nForwards: 4, extrapolation: 0 },
      inputs: { pX: surf.moneyness, pExpiry: surf.expiries, pSlices: SURFACE_SLICES, pForwards: SURFACE_FORWARDS },
    }]),
    // [hedging] simulate
    hedgeShard: [
      { label: 'GBM delta, clock every 2, 1 and 5, costs (odd count: lane pairs and a scalar tail)', scalars: hedgeThreeRuns, inputs: { pParams: hedgeParams({ H_PROPORTIONAL: 0.001, H_FIXED: 0.01 }), pOptions: hedgeOptions, pEvery: [2, 1, 5] } },
      { label: 'Heston QE delta-gamma', scalars: hedgeScalars, inputs: { pParams: hedgeParams({ H_MODEL: MC.MODEL_HESTON_QE, H_STRATEGY: HEDGE.STRATEGY_DELTA_GAMMA }), pOptions: hedgeOptions, pEvery: [1] } },
      { label: 'Bates Whalley-Wilmott band to the target', scalars: hedgeScalars, inputs: { pParams: hedgeParams({ H_MODEL: MC.MODEL_BATES, H_BAND_MODE: HEDGE.BAND_WHALLEY_WILMOTT, H_TO_EDGE: 0, H_PROPORTIONAL: 0.002 }), pOptions: hedgeOptions, pEvery: [2] } },
      { label: 'Merton fixed band, a NaN strike and a zero strike', scalars: hedgeScalars, inputs: { pParams: hedgeParams({ H_MODEL: MC.MODEL_MERTON, H_BAND_MODE: HEDGE.BAND_FIXED, H_BAND: 0.1 }), pOptions: hedgeOptions.map((v, i) => (i === HEDGE.OPT_STRIKE ? Number.NaN : i === HEDGE.OPT_COLUMNS + HEDGE.OPT_STRIKE ? 0 : v)), pEvery: [1] } },
      { label: 'malformed: strategy code 7', scalars: hedgeScalars, inputs: { pParams: hedgeParams({ H_STRATEGY: 7 }), pOptions: hedgeOptions, pEvery: [1] } },
      { label: 'malformed: interval 0', scalars: hedgeScalars, inputs: { pParams: hedgeParams({}), pOptions: hedgeOptions, pEvery: [0] } },
    ],
    // [simd] SVI butterfly scan: an arbitrage-free slice (odd count: lane pairs and a scalar tail),
    // one with g < 0 and w <= 0 regions (minimum -Infinity, first index), NaN parameters, the
    // smallest grid, and a malformed one.
    sviButterflyGrid: [
      { label: 'arbitrage-free slice, 301 points', scalars: { kMin: -1.5, kMax: 1.5, points: 301 }, inputs: { pParams: [0.02, 0.15, -0.4, 0.05, 0.2] } },
      { label: 'negative w and g, 200 points', scalars: { kMin: -2, kMax: 2, points: 200 }, inputs: { pParams: [-0.1, 1.5, 0.3, 0, 0.05] } },
      { label: 'NaN parameter', scalars: { kMin: -1, kMax: 1, points: 11 }, inputs: { pParams: [Number.NaN, 0.1, 0, 0, 0.1] } },
      { label: 'two points', scalars: { kMin: -1, kMax: 1, points: 2 }, inputs: { pParams: [0.02, 0.15, -0.4, 0.05, 0.2] } },
      { label: 'malformed: one point', scalars: { kMin: -1, kMax: 1, points: 1 }, inputs: { pParams: [0.02, 0.15, -0.4, 0.05, 0.2] } },
    ],
  };
}

// [surface] volSurfaceEvaluate inputs: slices (column-major), forward nodes [T, ln F], points on a grid plus edges.
// Column-major: expiries, a, b, rho, m, sigma of the three slices.
const SURFACE_SLICES = [0.1, 0.5, 2, 0.004, 0.02, 0.07, 0.08, 0.1, 0.12, -0.4, -0.3, -0.25, 0.02, 0, -0.05, 0.15, 0.2, 0.3];
const SURFACE_FORWARDS = [0, Math.log(100), 0.1, Math.log(100.3), 0.5, Math.log(101.1), 2, Math.log(104)];
const surf = (() => {
  const r = stream(14);
  const moneyness: number[] = [], strikes: number[] = [], expiries: number[] = [];
  for (let i = 0; i < 120; i++) {
    moneyness.push(-2 + 4 * r());
    strikes.push(100 * Math.exp(-2 + 4 * r()));
    expiries.push([0.1, 0.5, 2][i % 3] * (i % 7 === 0 ? 1 : 0.05 + 3 * r()));
  }
  for (const e of EDGES) {
    moneyness.push(e, 0.1);
    strikes.push(e, 95);
    expiries.push(0.3, e);
  }
  return { n: moneyness.length, moneyness, strikes, expiries };
})();

// [hedging] simulate: a short call settling at step 8 and a long put marked at the horizon (step 13 > steps),
// each with its own hedge vol.
function hedgeParams(set: Partial<Record<keyof typeof HEDGE, number>>): number[] {
  const b = new Array<number>(HEDGE.H_PARAMS_SIZE).fill(0);
  const base = { H_SPOT: 100, H_RATE: 0.03, H_DIVIDEND: 0.01, H_HORIZON: 0.5, H_VOL: 0.25, H_V0: 0.04, H_KAPPA: 1.5, H_THETA: 0.05, H_VOL_OF_VAR: 0.5, H_RHO: -0.6,
    H_JUMP_INTENSITY: 0.5, H_JUMP_MEAN: -0.1, H_JUMP_VOL: 0.15, H_HEDGE_VOL: 0.25, H_STRATEGY: HEDGE.STRATEGY_DELTA, H_RISK_AVERSION: 1, H_TO_EDGE: 1,
    H_HEDGE_TYPE: -1, H_HEDGE_STRIKE: 95, H_HEDGE_EXPIRY: 1 };
  for (const [k, v] of Object.entries({ ...base, ...set })) b[(HEDGE as Record<string, number>)[k]] = v as number;
  return b;
}
const hedgeOptions = [-1, 1, 100, 0.35, 8, 0.25, 2, -1, 90, 0.8, 13, 0.3];
const hedgeScalars = { pathStart: 6, count: 33, steps: 12, seedLo: 42, seedHi: 7, stream: 3, nOptions: 2, nRuns: 1 };
const hedgeThreeRuns = { ...hedgeScalars, nRuns: 3 };

export { BRIDGE_TIMES, sobolDims };
