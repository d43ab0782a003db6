/**
 * The calling convention of docs/api.md: every computation is an Engine method, and each old name
 * (free `f(engine, ...)` function, `fit*` for a quote calibration, liquidationPrice with a grid)
 * still works this release and gives exactly the same result as its replacement (Object.is on
 * every number: the new method calls the same code, so any difference is a wiring bug).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import btcCsv from '../data/history/BTCUSDT_1d.csv?raw';
import ethCsv from '../data/history/ETHUSDT_1d.csv?raw';
import { BACKENDS, engineFor, expectInputError } from './backends.js';
import { OPTION_BOOKS, chainMarket } from './margin-books.js';
import {
  DERIBIT_GRID, DERIBIT_STANDARD, alignHistories, parsePriceCsv, sviTotalVariance,
  calibrateHaircut, calibrateHaircuts, calibrateLendingParameters, empiricalTail, garchLogLikelihood, monteCarloScenarios, philoxNormals,
  philoxUniforms, portfolioLiquidationPrice, portfolioLiquidationPriceParallel, portfolioMarginParallel, portfolioSensitivities, runShards,
  runShardsInto, simulateGarch, stressedVar,
  type Engine, type GarchParameters, type PhiloxSumJob, type Portfolio, type SviParams,
} from '../src/index.js';

/** Drop wall-clock fields (`elapsedMs`, at any depth): the only thing two identical runs may differ in. */
function timeless(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(timeless);
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'elapsedMs').map(([k, x]) => [k, timeless(x)]));
}

const BOOK: Portfolio = {
  spots: { BTC: 90000, ETH: 3000 },
  positions: [
    { kind: 'option', asset: 'BTC', quantity: -2, strike: 95000, expiry: 30 / 365, vol: 0.5, type: 'call' },
    { kind: 'option', asset: 'ETH', quantity: 40, strike: 3100, expiry: 20 / 365, vol: 0.7, type: 'call' },
    { kind: 'perpetual', asset: 'ETH', quantity: -15 },
  ],
};

// Two SVI slices (the longer one above the shorter everywhere: no calendar arbitrage).
const SLICES: SviParams[] = [{ a: 0.01, b: 0.1, rho: -0.5, m: 0, sigma: 0.1 }, { a: 0.02, b: 0.1, rho: -0.5, m: 0, sigma: 0.1 }];
function sviQuotes() {
  const strikes: number[] = [], expiries: number[] = [], forwards: number[] = [], vols: number[] = [];
  SLICES.forEach((p, s) => {
    const t = [0.25, 0.5][s]!, f = [100, 104][s]!;
    for (let i = 0; i <= 20; i++) {
      const k = -0.5 + 0.05 * i;
      strikes.push(f * Math.exp(k));
      expiries.push(t);
      forwards.push(f);
      vols.push(Math.sqrt(sviTotalVariance(p, k).w / t));
    }
  });
  return { forwards, quotes: { strikes, expiries, vols } };
}

const GARCH: GarchParameters = { model: 'gjr', distribution: 'normal', omega: 2e-6, alpha: 0.05, beta: 0.9, gamma: 0.05 };

describe.each(BACKENDS)('Engine methods that replace old names (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it('calibrateSvi / calibrateSsvi equal the deprecated fitSvi / fitSsvi', () => {
    const args = sviQuotes();
    const svi = engine.calibrateSvi(args);
    expect(svi.slices.length).toBe(2);
    expect(timeless(svi)).toEqual(timeless(engine.fitSvi(args)));
    expect(timeless(engine.calibrateSsvi(args))).toEqual(timeless(engine.fitSsvi(args)));
  });

  it('portfolioLiquidationPrice equals liquidationPrice called with a grid (old shape) and the free function', () => {
    const books = OPTION_BOOKS.slice(0, 3);
    const levels = engine.portfolioLiquidationPrice(books, chainMarket, DERIBIT_GRID);
    expect(levels.length).toBe(3);
    expect(levels).toEqual(engine.liquidationPrice(books, chainMarket, DERIBIT_GRID));
    expect(levels).toEqual(portfolioLiquidationPrice(engine, books, chainMarket, DERIBIT_GRID));
    // One account in, one result out (its path `account`, not `accounts[0]`), as liquidationPrice does.
    const one = engine.portfolioLiquidationPrice(books[0]!, chainMarket, DERIBIT_GRID);
    expect(one).toEqual(engine.liquidationPrice(books[0]!, chainMarket, DERIBIT_GRID));
    expect(one).toEqual({ ...levels[0], path: 'account' });
    // The standard-margin shape is unchanged and differs from the portfolio one.
    expect(engine.liquidationPrice(books, chainMarket, DERIBIT_STANDARD)).not.toEqual(levels);
  });

  it('portfolioMarginParallel / portfolioLiquidationPriceParallel equal the free functions and the in-thread methods', async () => {
    const books = OPTION_BOOKS.slice(0, 3);
    const margin = await engine.portfolioMarginParallel(books, chainMarket, DERIBIT_GRID, { workers: 1 });
    expect(margin).toEqual(await portfolioMarginParallel(engine, books, chainMarket, DERIBIT_GRID, { workers: 1 }));
    expect(margin).toEqual(engine.portfolioMargin(books, chainMarket, DERIBIT_GRID));
    const levels = await engine.portfolioLiquidationPriceParallel(books, chainMarket, DERIBIT_GRID, { workers: 1 });
    expect(levels).toEqual(await portfolioLiquidationPriceParallel(engine, books, chainMarket, DERIBIT_GRID, { workers: 1 }));
    expect(levels).toEqual(engine.portfolioLiquidationPrice(books, chainMarket, DERIBIT_GRID));
  });

  it('philoxUniforms / philoxNormals take one object and give the free functions\' bits (with and without an engine)', () => {
    const a = { n: 1000, seed: 12345678901n, stream: 2, path: 7, offset: 99 };
    const u = engine.philoxUniforms(a);
    expect(u.length).toBe(1000);
    expect(u.every((x) => x > 0 && x < 1)).toBe(true);
    expect(u).toEqual(philoxUniforms(1000, a.seed, 2, 7, 99, engine));
    expect(u).toEqual(philoxUniforms(1000, a.seed, 2, 7, 99));
    const z = engine.philoxNormals({ n: 1000, seed: 5 });
    expect(z).toEqual(philoxNormals(1000, 5, 0, 0, 0, engine));
    expect(z).toEqual(philoxNormals(1000, 5));
    expectInputError(() => engine.philoxUniforms({ n: 10, seed: 1, stram: 1 } as never), 'stram');
    expectInputError(() => engine.philoxNormals({ n: -1, seed: 1 }), 'n');
    expectInputError(() => engine.philoxNormals(null as never), 'args');
  });

  it('stressedVar, empiricalTail, portfolioSensitivities, monteCarloScenarios equal the free functions', () => {
    const history = alignHistories({ BTC: parsePriceCsv(btcCsv), ETH: parsePriceCsv(ethCsv) });
    const sv = { portfolio: BOOK, history, confidence: 0.99, windowDays: 250 };
    expect(engine.stressedVar(sv)).toEqual(stressedVar(engine, sv));

    const sample = Float64Array.from(philoxNormals(2000, 3), (x) => 1000 * x);
    const before = sample.slice();
    const tail = engine.empiricalTail({ sample, confidence: 0.975 });
    expect(tail).toEqual(empiricalTail(engine, sample, 0.975));
    expect(engine.empiricalTail({ sample, confidence: 0.975, sign: 1 })).toEqual(empiricalTail(engine, sample, 0.975, 1));
    expect(sample).toEqual(before);
    expectInputError(() => engine.empiricalTail({ sample, confidence: 0.975, sing: 1 } as never), 'sing');

    const sens = engine.portfolioSensitivities({ portfolio: BOOK, horizon: 1 / 365, volShockMode: 'absolute' });
    expect(sens).toEqual(portfolioSensitivities(engine, BOOK, 1 / 365, 'absolute'));
    expect(engine.portfolioSensitivities({ portfolio: BOOK, horizon: 0, volShockMode: 'log', assets: ['ETH', 'BTC'] }))
      .toEqual(portfolioSensitivities(engine, BOOK, 0, 'log', ['ETH', 'BTC']));
    expectInputError(() => engine.portfolioSensitivities({ portfolio: BOOK, horizon: 0, mode: 'log' } as never), 'mode');

    const options = { vols: [0.6, 0.8], paths: 500, seed: 9, horizonDays: 2 };
    const args = { portfolio: BOOK, ...options };
    expect(engine.monteCarloScenarios(args)).toEqual(monteCarloScenarios(engine, BOOK, options));
    expect(args).toEqual({ portfolio: BOOK, ...options });
  });

  it('garchLogLikelihood and simulateGarch equal the free functions', () => {
    const returns = engine.simulateGarch({ params: GARCH, n: 500, seed: 11 });
    expect(returns).toEqual(simulateGarch(GARCH, 500, 11, { ctx: engine }));
    expect(returns).toEqual(simulateGarch(GARCH, 500, 11));
    expect(engine.simulateGarch({ params: GARCH, n: 50, seed: 11, stream: 3, variance0: 1e-4 }))
      .toEqual(simulateGarch(GARCH, 50, 11, { stream: 3, variance0: 1e-4 }));
    const ll = engine.garchLogLikelihood({ returns, params: GARCH });
    expect(Number.isFinite(ll.logLikelihood)).toBe(true);
    expect(ll).toEqual(garchLogLikelihood(engine, returns, GARCH));
    expect(engine.garchLogLikelihood({ returns, params: GARCH, variance0: 2e-4 })).toEqual(garchLogLikelihood(engine, returns, GARCH, 2e-4));
    expectInputError(() => engine.simulateGarch({ params: GARCH, n: 5, seed: 1, ctx: engine } as never), 'ctx');
  });

  it('calibrateHaircut(s) and calibrateLendingParameters equal the free functions', () => {
    const h = { history: ethCsv, confidence: 0.99, mporDays: 2 };
    expect(engine.calibrateHaircut(h)).toEqual(calibrateHaircut(engine, h));
    const hs = { histories: { BTC: btcCsv, ETH: ethCsv }, confidence: 0.99, mporDays: 2 };
    expect(engine.calibrateHaircuts(hs)).toEqual(calibrateHaircuts(engine, hs));
    const l = { history: ethCsv, confidence: 0.99, liquidationHorizonDays: 1 };
    expect(engine.calibrateLendingParameters(l)).toEqual(calibrateLendingParameters(engine, l));
  });

  it('runShards / runShardsInto equal the free functions', async () => {
    const job: PhiloxSumJob = { seedLo: 0x9e3779b9, seedHi: 7, stream: 3, pathsPerShard: 16, drawsPerPath: 20 };
    const shards = await engine.runShards({ task: 'philoxSum', job, shards: 3, workers: 1 });
    expect(shards.length).toBe(3);
    expect(shards).toEqual(await runShards(engine, { task: 'philoxSum', job, shards: 3, workers: 1 }));
    const len = shards[0]!.length;
    const a = await engine.runShardsInto(new Float64Array(3 * len), { task: 'philoxSum', job, shards: 3, workers: 1, shardLength: len });
    const b = await runShardsInto(engine, new Float64Array(3 * len), { task: 'philoxSum', job, shards: 3, workers: 1, shardLength: len });
    expect(a).toEqual(b);
  });
});
