// Two calibration test gaps: (1) the SSVI kernel's analytic Jacobian against central differences of
// its own vols, called directly (both phi kinds, several parameter points and maturities); (2) Bates
// calibrated on the bundled Deribit surfaces, compared with Heston on the same surface.
import { describe, it, expect, beforeAll } from 'vitest';
import jan from '../data/market/deribit_options_snapshot_20260105T153329Z.csv?raw';
import apr from '../data/market/deribit_options_snapshot_20260415T102447Z.csv?raw';
import { BACKENDS, engineFor } from './backends.js';
import { BATES_PARAM_NAMES, loadDeribitChain, type BatesParams, type Engine } from '../src/index.js';
import { callKernel, calibrationKernels } from '../src/calibration/kernel-call.js';

/** The raw kernel: vols (and, if jac, the n x (3 + S) Jacobian) at natural parameters x = [rho, eta | lambda, gamma | 0, thetas]. */
function ssviKernel(engine: Engine, phiKind: 0 | 1, k: Float64Array, T: Float64Array, slice: Int32Array, x: Float64Array, vols: Float64Array, jac: Float64Array | null): void {
  const K = calibrationKernels(engine);
  const S = x.length - 3;
  callKernel(engine, 'ssviEvaluate', [k, T, slice, x], [vols, jac], (i, o) =>
    K.ssviEvaluate(k.length, i[0], i[1], i[2], S, phiKind, i[3], 0, o[0], o[1]));
}

// Four maturities from a week to two years, ATM vols 90% .. 55% (crypto-like), 41 log-moneyness
// points each over [-1.5, 1] (beyond the wings of the bundled surfaces).
const MATURITIES = [7 / 365, 0.1, 0.5, 2];
const ATM_VOLS = [0.9, 0.75, 0.65, 0.55];
const THETAS = MATURITIES.map((T, s) => ATM_VOLS[s] ** 2 * T); // 0.0155 .. 0.605
const GRID = (() => {
  const k: number[] = [], T: number[] = [], s: number[] = [];
  MATURITIES.forEach((t, j) => {
    for (let i = 0; i <= 40; i++) {
      k.push(-1.5 + (2.5 * i) / 40);
      T.push(t);
      s.push(j);
    }
  });
  return { k: Float64Array.from(k), T: Float64Array.from(T), slice: Int32Array.from(s) };
})();

// (rho, eta, gamma) for the power law; (rho, lambda) for Heston-like. lambda theta spans both branches
// of hestonPhi (series below u = 0.1: 0.5 * 0.0155; closed form above) and the crossover itself.
const POWER_LAW_POINTS = [[-0.3, 0.8, 0.4], [0.25, 1.6, 0.2], [-0.75, 0.4, 0.49], [0, 1, 0.3]];
const HESTON_POINTS = [[-0.3, 0.5], [0.4, 3], [-0.7, 25], [-0.1, 0.1 / THETAS[1]]];

/**
 * Per column j: max_i |J_ij - FD_ij| / max_i |FD_ij| with FD the central difference at step
 * h_j = 1e-5 |x_j| (1e-6 absolute for rho = 0). Error budget: truncation h^2/6 |vol'''| ~ 1e-10 of
 * the column's scale (the vols are smooth and O(1)-curved in every parameter at these points); rounding
 * eps |vol| / h ~ 1e-16 / 1e-5 = 1e-11 relative to |x_j dvol/dx_j| ~ vol. Measured (both backends):
 * <= 2.1e-10 for the power law; <= 6.7e-9 for Heston-like, worst in the lambda column at small
 * lambda, where vol depends weakly on lambda (dphi/dlambda = theta phi'(u), phi' ~ -1/6) and
 * hestonPhi's closed form just above u = 0.1 loses ~2 digits to cancellation in u - 1 + e^-u: both
 * inflate the finite-difference noise, not the analytic column. 1e-7 leaves a 15x margin; a wrong
 * factor or sign in any column gives O(1).
 */
function columnGaps(engine: Engine, phiKind: 0 | 1, x: Float64Array): { gaps: number[]; zeroOk: boolean } {
  const n = GRID.k.length, np = x.length;
  const vols = new Float64Array(n), J = new Float64Array(n * np);
  ssviKernel(engine, phiKind, GRID.k, GRID.T, GRID.slice, x, vols, J);
  // Structural zeros: a row depends only on its own slice's theta (and not on gamma for Heston-like).
  let zeroOk = true;
  for (let i = 0; i < n; i++) for (let j = 0; j < np; j++) {
    const structural = (j >= 3 && j !== 3 + GRID.slice[i]) || (phiKind === 1 && j === 2);
    if (structural && J[i * np + j] !== 0) zeroOk = false;
  }
  const up = new Float64Array(n), dn = new Float64Array(n);
  const gaps: number[] = [];
  for (let j = 0; j < np; j++) {
    if (phiKind === 1 && j === 2) {
      gaps.push(0);
      continue;
    }
    const h = x[j] === 0 ? 1e-6 : 1e-5 * Math.abs(x[j]);
    const xu = Float64Array.from(x), xd = Float64Array.from(x);
    xu[j] += h;
    xd[j] -= h;
    ssviKernel(engine, phiKind, GRID.k, GRID.T, GRID.slice, xu, up, null);
    ssviKernel(engine, phiKind, GRID.k, GRID.T, GRID.slice, xd, dn, null);
    let worst = 0, scale = 0;
    for (let i = 0; i < n; i++) {
      const fd = (up[i] - dn[i]) / (2 * h);
      scale = Math.max(scale, Math.abs(fd));
      worst = Math.max(worst, Math.abs(J[i * np + j] - fd));
    }
    gaps.push(worst / scale);
  }
  return { gaps, zeroOk };
}

describe.each(BACKENDS)('SSVI kernel Jacobian against central differences (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it('power-law phi: every column within 1e-7 of its scale at four parameter points, four maturities', () => {
    let worst = 0;
    const perPoint: string[] = [];
    for (const [rho, eta, gamma] of POWER_LAW_POINTS) {
      const x = Float64Array.from([rho, eta, gamma, ...THETAS]);
      const { gaps, zeroOk } = columnGaps(engine, 0, x);
      expect(zeroOk, 'structural zeros').toBe(true);
      gaps.forEach((g, j) => expect(g, `column ${j} at ${[rho, eta, gamma]}`).toBeLessThan(1e-7));
      worst = Math.max(worst, ...gaps);
      perPoint.push(`[${[rho, eta, gamma]}] ${gaps.map((g) => g.toExponential(1)).join(' ')}`);
    }
    console.log(`${backend} SSVI power-law Jacobian: max column-relative gap ${worst.toExponential(2)}\n  ${perPoint.join('\n  ')}`);
  });

  it('Heston-like phi (both hestonPhi branches): every column within 1e-7, the unused gamma column exactly 0', () => {
    let worst = 0;
    const perPoint: string[] = [];
    for (const [rho, lambda] of HESTON_POINTS) {
      const x = Float64Array.from([rho, lambda, 0, ...THETAS]);
      const { gaps, zeroOk } = columnGaps(engine, 1, x);
      expect(zeroOk, 'structural zeros').toBe(true);
      gaps.forEach((g, j) => expect(g, `column ${j} at ${[rho, lambda]}`).toBeLessThan(1e-7));
      worst = Math.max(worst, ...gaps);
      perPoint.push(`[${[rho, +lambda.toPrecision(4)]}] ${gaps.map((g) => g.toExponential(1)).join(' ')}`);
    }
    console.log(`${backend} SSVI Heston-like Jacobian: max column-relative gap ${worst.toExponential(2)}\n  ${perPoint.join('\n  ')}`);
  });
});

const SNAPSHOTS = [['2026-01-05', jan], ['2026-04-15', apr]] as const;
const SURFACES = SNAPSHOTS.flatMap(([date, csv]) => (['BTC', 'ETH'] as const).map((currency) => ({ date, csv, currency })));
const OK_REASONS = ['converged', 'smallStep', 'stationaryPoint'];

// Default Bates box (batesDefaults): Heston's plus lambda [0, 5], muJ [-1, 1], deltaJ [1e-3, 1].
const JUMP_BOX = { lambda: [0, 5], muJ: [-1, 1], deltaJ: [1e-3, 1] } as const;

describe.each(BACKENDS)('Bates on the bundled Deribit surfaces (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  for (const { date, csv, currency } of SURFACES) {
    it(`Bates (vol objective) from the Heston fit: ${currency} ${date}, converged, in bounds, rmse no worse than Heston (spread-weighted and uniform surfaces)`, () => {
      const chain = loadDeribitChain(csv);
      const lines: string[] = [];
      for (const weighting of ['inverseSpread', 'uniform'] as const) {
        const s = engine.buildSurface(chain, { currency, weighting });
        const args = { forwards: s.forwards, quotes: s.quotes };
        const h = engine.calibrateHeston(args);
        // Bates nests Heston at lambda = 0: from there LM only accepts cost-decreasing steps. A second
        // start with jumps switched on (the default lambda 0.5) explores the other basin.
        let inBounds = true;
        const b = engine.calibrateBates({
          ...args, initial: { ...h.params, lambda: 0, muJ: -0.05, deltaJ: 0.1 }, starts: [{ ...h.params, lambda: 0.5, muJ: -0.05, deltaJ: 0.1 }],
          onEvaluate: (p) => {
            BATES_PARAM_NAMES.forEach((name, j) => {
              if (name in JUMP_BOX) {
                const [lo, hi] = JUMP_BOX[name as keyof typeof JUMP_BOX];
                if (!(p[j] >= lo && p[j] <= hi)) inBounds = false;
              }
            });
          },
        });
        // rmse weighted as the objective (vol points): what LM minimises, so Bates <= Heston exactly
        // up to the stopping tolerance. With uniform weights it is the reported rmse.
        const wRmse = (res: Float64Array) => {
          let ss = 0, sw = 0;
          res.forEach((e, i) => {
            if (Number.isFinite(e)) {
              ss += s.quotes.weights[i] * e * e;
              sw += s.quotes.weights[i];
            }
          });
          return Math.sqrt(ss / sw);
        };
        const hw = wRmse(h.residuals), bw = wRmse(b.residuals);
        const row = (name: string, r: { rmse: number; insideBidAsk?: number; iterations: number; elapsedMs: number; reason: string }, w: number) =>
          `${date} ${currency} ${backend} ${weighting.padEnd(13)} ${name.padEnd(6)} rmse ${r.rmse.toFixed(3)} (weighted ${w.toFixed(3)}) vol pts  inside ${(100 * r.insideBidAsk!).toFixed(1).padStart(5)}%  ${String(r.iterations).padStart(3)} it  ${r.elapsedMs.toFixed(0).padStart(5)} ms  ${r.reason}`;
        lines.push(row('Heston', h, hw), row('Bates', b, bw), `    Bates ${JSON.stringify(b.params, (_, v) => (typeof v === 'number' ? +v.toPrecision(4) : v))} best start ${b.bestStart}`);
        expect(OK_REASONS, 'Heston reason').toContain(h.reason);
        expect(OK_REASONS, `Bates reason (runs ${JSON.stringify(b.runs)})`).toContain(b.reason);
        expect(inBounds, 'every evaluated jump parameter inside the default box').toBe(true);
        for (const [name, [lo, hi]] of Object.entries(JUMP_BOX)) {
          const v = b.params[name as keyof BatesParams];
          expect(v, name).toBeGreaterThanOrEqual(lo);
          expect(v, name).toBeLessThanOrEqual(hi);
        }
        expect(b.runs[b.bestStart].cost).toBeLessThanOrEqual(h.runs[h.bestStart].cost * (1 + 1e-8));
        expect(bw, 'weighted rmse').toBeLessThanOrEqual(hw * (1 + 1e-6));
        if (weighting === 'uniform') expect(b.rmse, 'rmse').toBeLessThanOrEqual(h.rmse * (1 + 1e-6));
      }
      console.log(lines.join('\n'));
    });
  }
});
