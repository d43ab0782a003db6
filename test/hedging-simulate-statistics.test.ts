// Discrete delta hedging of a Black-Scholes call against the known approximations (slow project;
// WASM only: the JS twin gives the same bits, test/hedging-simulate.test.ts checks that on every
// model and strategy).
//
// Hedging error (no costs). Formula used: Derman and Kamal ("When you cannot hedge continuously:
// the corrections of Black-Scholes", Risk 12, 1999; Boyle and Emanuel, "Discretely adjusted option
// hedges", J. Fin. Econ. 8, 1980): sd(P&L) ~ sqrt(pi/4) vega sigma / sqrt(N) for N rebalancing
// dates. It is the at-the-money, small sigma sqrt(T) limit of the asymptotic variance
// (T/(2N)) sigma^4 E[int_0^T e^{-2rt} S^4 Gamma^2 dt] (the per-step error Gamma S^2 (dW^2 - dt) sigma^2 / 2),
// which the test also computes by quadrature (independent of the Derman-Kamal closed form). Both
// neglect terms of relative order N^{-1/2} from the last steps before expiry, where Gamma varies
// within a step: measured here (r = q = 0, sigma = 0.2, T = 1, at the money) the simulated sd is
// 1.5% below at N = 256, 2.2% at N = 64 and 4.3% at N = 16 (+- 0.5% MC). Tolerance: that bias bound
// (3% for N >= 64, 6% at N = 16) plus 4 standard errors of the sd (PnlDistribution.sdStdErr).
//
// Costs. Leland ("Option pricing and replication with transactions costs", J. Finance 40, 1985):
// with a round-trip proportional cost k (here k = 2c, c one way), rebalancing every dt costs in
// expectation vega sigma Le / 2 with Le = sqrt(2/pi) k / (sigma sqrt(dt)), i.e.
// c sqrt(2 / (pi dt)) vega (the expected |change of delta| Gamma S sigma sqrt(dt) sqrt(2/pi) summed
// over the path, and E[int e^{-rt} S^2 Gamma dt] = vega / sigma). The simulated cost also pays the
// first hedge, c S0 |Delta0|, which is subtracted. Leading order in sqrt(dt): measured within 0.1%
// at N = 256, 0.6% at 64, 3.8% at 16. Tolerance 2% (N >= 64), 6% (N = 16) plus 4 standard errors.
import { beforeAll, describe, expect, it } from 'vitest';
import { engineFor } from './backends.js';
import type { Engine, SimulateHedgingResult } from '../src/index.js';

const sigma = 0.2;
const T = 1;
const S0 = 100;
const K = 100;
const model = { kind: 'gbm', spot: S0, rate: 0, vol: sigma } as const;
const phi = (x: number): number => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
const d1 = 0.5 * sigma * Math.sqrt(T);
const vega = S0 * Math.sqrt(T) * phi(d1);

/** Phi(x) by the series of Abramowitz-Stegun 26.2.11 (|x| small here). */
function Phi(x: number): number {
  let term = x;
  let sum = x;
  for (let k = 1; k < 100; k++) {
    term *= (x * x) / (2 * k + 1);
    sum += term;
  }
  return 0.5 + sum * phi(x);
}

/** (T/2) sigma^4 int_0^T E[S^4 Gamma^2] dt for r = q = 0 by quadrature (t = T(1 - u^2) removes the 1/sqrt(T - t) endpoint). */
function asymptoticVarianceTimesN(): number {
  const inner = (t: number): number => {
    const tau = T - t;
    const h = 24 / 1000;
    let s = 0;
    for (let i = 0; i <= 1000; i++) {
      const z = -12 + i * h;
      const S = S0 * Math.exp(-0.5 * sigma * sigma * t + sigma * Math.sqrt(t) * z);
      const d = (Math.log(S / K) + 0.5 * sigma * sigma * tau) / (sigma * Math.sqrt(tau));
      s += (i === 0 || i === 1000 ? 0.5 : 1) * h * phi(z) * S * S * phi(d) ** 2 / (sigma * sigma * tau);
    }
    return s;
  };
  const M = 800;
  let I = 0;
  for (let k = 0; k < M; k++) {
    const u = (k + 0.5) / M;
    I += (inner(T * (1 - u * u)) * 2 * T * u) / M;
  }
  return (T / 2) * sigma ** 4 * I;
}

describe('discrete delta hedging of a Black-Scholes call (WASM)', () => {
  let e: Engine;
  let plain: SimulateHedgingResult;
  beforeAll(async () => {
    e = await engineFor('wasm');
    plain = await e.simulateHedging({
      model, positions: [{ type: 'call', strike: K, expiry: T, quantity: -1 }], paths: 40_000, steps: 256, seed: 3, rebalance: { every: [1, 4, 16] },
    });
  }, 120_000);

  it('the hedged P&L has mean 0 without costs (each hedge gain is a martingale increment)', () => {
    for (const r of plain.runs) expect(Math.abs(r.pnl.mean)).toBeLessThan(4 * r.pnl.stdErr);
  });

  it('sd matches Derman-Kamal sqrt(pi/4) vega sigma / sqrt(N) and the asymptotic variance by quadrature', () => {
    const asym = asymptoticVarianceTimesN();
    // The quadrature and the closed form agree (same approximation; the closed form is its ATM small-vol limit).
    expect(Math.abs(Math.sqrt(asym) / (Math.sqrt(Math.PI / 4) * vega * sigma) - 1)).toBeLessThan(2e-3);
    for (const r of plain.runs) {
      const N = r.rebalancingDates;
      const dk = (Math.sqrt(Math.PI / 4) * vega * sigma) / Math.sqrt(N);
      const bias = N >= 64 ? 0.03 : 0.06;
      expect(Math.abs(r.pnl.sd / dk - 1), `N = ${N}: sd ${r.pnl.sd} vs ${dk}`).toBeLessThan(bias + (4 * r.pnl.sdStdErr) / dk);
      expect(Math.abs(r.pnl.sd / Math.sqrt(asym / N) - 1)).toBeLessThan(bias + (4 * r.pnl.sdStdErr) / dk);
    }
  });

  it('sd falls like 1/sqrt(N): sd(N) sqrt(N) is the same constant for N = 256, 64, 16', () => {
    const [a, b, c] = plain.runs;
    expect([a!.rebalancingDates, b!.rebalancingDates, c!.rebalancingDates]).toEqual([256, 64, 16]);
    const scaled = plain.runs.map((r) => r.pnl.sd * Math.sqrt(r.rebalancingDates));
    const se = plain.runs.map((r) => r.pnl.sdStdErr * Math.sqrt(r.rebalancingDates));
    // Ratio tolerance: the bias difference between the two N (1% for 256 vs 64, 3.5% for 256 vs 16, see above) plus 4 standard errors in quadrature.
    expect(Math.abs(scaled[1]! / scaled[0]! - 1)).toBeLessThan(0.01 + (4 * Math.hypot(se[0]!, se[1]!)) / scaled[0]!);
    expect(Math.abs(scaled[2]! / scaled[0]! - 1)).toBeLessThan(0.035 + (4 * Math.hypot(se[0]!, se[2]!)) / scaled[0]!);
    // And not the wrong law: 1/N would make these ratios 1/2 and 1/4.
    expect(scaled[2]! / scaled[0]!).toBeGreaterThan(0.9);
  });

  it('mean cost with proportional costs matches Leland: c sqrt(2 / (pi dt)) vega, plus the first hedge', async () => {
    const c = 0.001;
    const res = await e.simulateHedging({
      model, positions: [{ type: 'call', strike: K, expiry: T, quantity: -1 }], paths: 20_000, steps: 256, seed: 4, rebalance: { every: [1, 4, 16] },
      costs: { proportional: c },
    });
    const first = c * S0 * Phi(d1);
    for (const r of res.runs) {
      const dt = T / r.rebalancingDates;
      const leland = c * Math.sqrt(2 / (Math.PI * dt)) * vega;
      const tol = r.rebalancingDates >= 64 ? 0.02 : 0.06;
      expect(Math.abs((r.cost.mean - first) / leland - 1), `N = ${r.rebalancingDates}`).toBeLessThan(tol + (4 * r.cost.stdErr) / leland);
      // The P&L pays exactly the costs: its mean is minus the mean cost (within the P&L's standard error).
      expect(Math.abs(r.pnl.mean + r.cost.mean)).toBeLessThan(4 * r.pnl.stdErr);
    }
  }, 120_000);

  it('a Whalley-Wilmott band trades less and pays less than daily rebalancing, with a wider P&L', async () => {
    const base = { model, positions: [{ type: 'call', strike: K, expiry: T, quantity: -1 }], paths: 4000, steps: 256, seed: 5, costs: { proportional: 0.002 } } as const;
    const clock = await e.simulateHedging(base);
    const band = await e.simulateHedging({ ...base, rebalance: { band: 'whalley-wilmott', riskAversion: 1 } });
    expect(band.runs[0]!.trades.mean).toBeLessThan(0.5 * clock.runs[0]!.trades.mean);
    expect(band.runs[0]!.cost.mean).toBeLessThan(clock.runs[0]!.cost.mean - 4 * Math.hypot(band.runs[0]!.cost.stdErr, clock.runs[0]!.cost.stdErr));
    expect(band.runs[0]!.pnl.sd).toBeGreaterThan(clock.runs[0]!.pnl.sd);
  }, 120_000);
});
