/**
 * `riskwasm var [history.csv ...] --portfolio p.json --method ... --confidence 0.99`: one-day VaR
 * and ES of a portfolio by full revaluation over historical scenarios (the last `--window` daily
 * log-returns of its assets), the Euler decomposition by position, and a rolling backtest of the
 * portfolio's hypothetical daily P&L (today's positions over the whole common history) with
 * every test (Kupiec, Christoffersen, traffic light, Acerbi-Szekely); `--plot` draws the P&L
 * histogram with the VaR and ES.
 */
import { pnlHistogramChart } from '../../charts/specs.js';
import type { Engine } from '../../engine.js';
import { alignHistories } from '../../risk/returns.js';
import type { Portfolio, Position, ScenarioSet } from '../../risk/portfolio.js';
import type { ValueAtRiskArgs, ValueAtRiskResult, VarMethod } from '../../risk/value-at-risk.js';
import type { MethodBacktest } from '../../risk/backtest-runner.js';
import { monteCarloScenarios } from '../../risk/monte-carlo-var.js';
import { sampleMoments } from '../../risk/parametric.js';
import type { CliCommand, CliContext, CommandReport } from '../command.js';
import { BadInputError, ComputationError } from '../errors.js';
import { plotFormat } from '../plot.js';
import { portfolioError, readHistories, readPortfolio, type HistoryInput, type PortfolioInput } from '../risk-input.js';
import { dictOf, ownValue } from '../../data-tables.js';
import { fixed, formatTable, percent, sig } from '../table.js';

const METHODS: readonly VarMethod[] = [
  'historical', 'ageWeighted', 'volatilityScaled', 'filteredHistorical', 'normal', 'studentT', 'cornishFisher',
  'ewma', 'garch', 'deltaNormal', 'deltaGamma', 'monteCarlo',
];
/** Methods whose VaR can be allocated to positions (Euler). */
const ALLOCATABLE: readonly VarMethod[] = ['historical', 'ageWeighted', 'normal', 'monteCarlo'];
/** Methods that need the portfolio itself, so they cannot be backtested on a P&L series. */
const PORTFOLIO_ONLY: readonly VarMethod[] = ['deltaNormal', 'deltaGamma', 'monteCarlo'];

export const varCommand: CliCommand = {
  syntax: 'var [...histories]',
  description: 'Portfolio VaR/ES from price histories: decomposition, rolling backtest, P&L histogram',
  options: [
    { flags: '--portfolio <file>', description: 'Portfolio JSON (default: the bundled examples/portfolios/btc-eth-options.json)' },
    { flags: '--history <asset=file>', description: 'History of one asset, e.g. --history BTC=btc.csv (repeatable; else the asset is read from each file name: BTCUSDT_1d.csv -> BTC)' },
    { flags: '--method <method>', description: `VaR method: ${METHODS.join(', ')}`, default: 'historical' },
    { flags: '--confidence <level>', description: 'Confidence level in (0, 1)', default: 0.99 },
    { flags: '--window <days>', description: 'Scenarios: the last this many daily returns', default: 500 },
    { flags: '--backtest-window <days>', description: 'Estimation window of the rolling backtest', default: 250 },
    { flags: '--backtest-methods <list>', description: 'Comma-separated methods to backtest (default: --method, or historical for portfolio-only methods)' },
    { flags: '--no-backtest', description: 'Skip the rolling backtest' },
    { flags: '--paths <n>', description: 'Scenarios of --method monteCarlo', default: 10000 },
    { flags: '--plot <file>', description: 'P&L histogram with VaR and ES (.svg or .html)' },
  ],
  examples: [
    'riskwasm var',
    'riskwasm var data/history/BTCUSDT_1d.csv --portfolio examples/portfolios/btc-spot.json --method garch',
    'riskwasm var --history BTC=btc.csv --history ETH=eth.csv --portfolio book.json --confidence 0.975 --plot pnl.svg',
  ],
  async run(ctx, [files], options): Promise<CommandReport> {
    const method = String(options.method) as VarMethod;
    if (!METHODS.includes(method)) throw new BadInputError(`expected one of ${METHODS.join(', ')}, got ${JSON.stringify(options.method)}`, { field: '--method' });
    const confidence = Number(options.confidence);
    if (!(confidence > 0 && confidence < 1)) throw new BadInputError(`expected a number in (0, 1), got ${JSON.stringify(options.confidence)}`, { field: '--confidence' });
    const window = positiveInt(options.window, '--window', 20);
    const btWindow = positiveInt(options.backtestWindow, '--backtest-window', 20);
    const paths = positiveInt(options.paths, '--paths', 100);
    const btMethods = options.backtest === false ? [] : backtestMethods(options.backtestMethods, method);
    const plot = options.plot !== undefined ? String(options.plot) : undefined;
    if (plot) plotFormat(plot);

    const pf = await readPortfolio(ctx, options.portfolio);
    const assets = [...new Set([...Object.keys(pf.portfolio.spots ?? {}), ...pf.portfolio.positions.map((p) => p.asset)])];
    const fileList = (Array.isArray(files) ? files : files === undefined ? [] : [files]).map(String);
    const specs = options.history === undefined ? [] : (Array.isArray(options.history) ? options.history : [options.history]).map(String);
    const histories = await readHistories(ctx, fileList, specs, assets);
    const aligned = alignHistories(dictOf(histories.map((h) => [h.asset, h.history])));
    const n = aligned.dates.length - 1;
    if (n < window) throw new BadInputError(`the histories have ${n} common daily returns, fewer than --window ${window}`, { field: '--window' });
    const lastDate = aligned.dates[aligned.dates.length - 1];
    // Asset names are data: a null-prototype record, and only the file's own spots (never Object.prototype members).
    const spots = dictOf(assets.map((a) => {
      const given = ownValue(pf.portfolio.spots, a) as number | undefined;
      return [a, given ?? aligned.prices[a][aligned.prices[a].length - 1]] as const;
    }));
    const portfolio: Portfolio = { spots, positions: pf.portfolio.positions, accounts: pf.portfolio.accounts };

    const rows = (from: number, to: number) => {
      const out = new Float64Array((to - from) * assets.length);
      for (let t = from; t < to; t++) assets.forEach((a, j) => (out[(t - from) * assets.length + j] = aligned.returns[a][t]));
      return out;
    };
    const all: ScenarioSet = { assets, logReturns: rows(0, n), horizon: 1 / 365 };
    checkReturns(all.logReturns as Float64Array, assets, aligned.dates, histories);
    const recent: ScenarioSet = { assets, logReturns: rows(n - window, n), horizon: 1 / 365 };
    const engine = await ctx.engine();
    let series: Float64Array;
    let result: ValueAtRiskResult;
    let histogramPnl: Float64Array;
    try {
      series = engine.revaluePortfolio({ portfolio, scenarios: all }).pnl;
      const args: ValueAtRiskArgs = { portfolio, scenarios: recent, confidence, method, allocation: ALLOCATABLE.includes(method) };
      if (method === 'monteCarlo') {
        args.scenarios = undefined;
        args.monteCarlo = monteCarloOptions(recent, assets, paths);
        histogramPnl = engine.revaluePortfolio({ portfolio, scenarios: monteCarloScenarios(engine, portfolio, args.monteCarlo) }).pnl;
      } else {
        histogramPnl = series.slice(n - window);
      }
      result = engine.valueAtRisk(args);
    } catch (e) {
      throw portfolioError(e, pf);
    }
    // A NaN/Infinity VaR is a failed computation (exit 1), not a report of nulls, nor a plot error about `input.var`.
    if (!Number.isFinite(result.var) || !Number.isFinite(result.es)) {
      throw new ComputationError(`var: ${method} VaR/ES of ${JSON.stringify(pf.name)} is not finite (VaR ${result.var}, ES ${result.es}): check the position sizes, spots and histories`);
    }
    await ctx.checkpoint();

    const backtests: MethodBacktest[] = [];
    if (btMethods.length > 0) {
      if (n <= btWindow + 20) throw new BadInputError(`the histories have ${n} common daily returns: too few for --backtest-window ${btWindow}`, { field: '--backtest-window' });
      const bar = ctx.progress('backtest', btMethods.length);
      try {
        for (const m of btMethods) {
          await ctx.checkpoint();
          const r = engine.rollingBacktest({ returns: series, dates: aligned.dates.slice(1), methods: [m], window: btWindow, confidence });
          backtests.push(r.methods[m]);
          bar.tick(1, m);
        }
      } finally {
        bar.done();
      }
    }
    if (plot) {
      const spec = pnlHistogramChart({
        pnl: histogramPnl, var: result.var, es: result.es, confidence, unit: 'USD',
        title: `${pf.name}: one-day P&L, ${method} VaR/ES`,
      });
      await ctx.stagePlot(plot, spec, `riskwasm var: ${pf.name}`);
    }
    const json = buildJson(engine, pf, histories, portfolio, aligned.dates, n, window, method, confidence, result, histogramPnl, btWindow, backtests);
    return { json, text: () => varText(json) };
  },
};

/**
 * Every scenario log-return finite, else a BadInputError naming the history file and the line of
 * the later close (positive decimal closes can still have a ratio that overflows, 1e300 / 1e-300),
 * instead of the engine's `scenarios.logReturns[i]`, which names no file.
 */
function checkReturns(logReturns: Float64Array, assets: string[], dates: string[], histories: HistoryInput[]): void {
  const k = assets.length;
  for (let i = 0; i < logReturns.length; i++) {
    if (Number.isFinite(logReturns[i])) continue;
    const t = Math.floor(i / k);
    const h = histories.find((x) => x.asset === assets[i % k])!;
    throw new BadInputError(
      `the log-return of ${h.asset} from ${dates[t]} to ${dates[t + 1]} is ${logReturns[i]}: the closes are too far apart for a double`,
      { file: h.file, line: h.lineOfDate.get(dates[t + 1]), field: 'close' },
    );
  }
}

function positiveInt(v: unknown, field: string, min: number): number {
  const x = Number(v);
  if (!Number.isInteger(x) || x < min) throw new BadInputError(`expected an integer >= ${min}, got ${JSON.stringify(v)}`, { field });
  return x;
}

function backtestMethods(option: unknown, method: VarMethod): VarMethod[] {
  if (option === undefined) return [PORTFOLIO_ONLY.includes(method) ? 'historical' : method];
  const list = String(option).split(',').map((s) => s.trim()).filter(Boolean) as VarMethod[];
  for (const m of list) {
    if (!METHODS.includes(m) || PORTFOLIO_ONLY.includes(m)) {
      throw new BadInputError(`expected P&L-series methods (${METHODS.filter((x) => !PORTFOLIO_ONLY.includes(x)).join(', ')}), got ${JSON.stringify(m)}`, { field: '--backtest-methods' });
    }
  }
  return list;
}

/** Monte Carlo risk factors estimated from the scenario window: annualised vols and correlations of the log-returns. */
function monteCarloOptions(s: ScenarioSet, assets: string[], paths: number): NonNullable<ValueAtRiskArgs['monteCarlo']> {
  const k = assets.length;
  const x = s.logReturns as Float64Array;
  const m = x.length / k;
  const mean = assets.map((_, j) => { let t = 0; for (let i = 0; i < m; i++) t += x[i * k + j]; return t / m; });
  const cov = assets.map((_, a) => assets.map((__, b) => {
    let t = 0;
    for (let i = 0; i < m; i++) t += (x[i * k + a] - mean[a]) * (x[i * k + b] - mean[b]);
    return t / (m - 1);
  }));
  const sd = cov.map((row, j) => Math.sqrt(row[j]));
  return {
    vols: sd.map((v) => v * Math.sqrt(365)),
    correlation: cov.map((row, a) => row.map((c, b) => (a === b ? 1 : c / (sd[a] * sd[b])))),
    paths, seed: 0, assets,
  };
}

function positionLabel(p: Position): string {
  switch (p.kind) {
    case 'option': return `${p.quantity} ${p.asset} ${p.strike} ${p.type} ${p.expiry}y`;
    case 'future': return `${p.quantity} ${p.asset} future ${p.expiry}y`;
    default: return `${p.quantity} ${p.asset} ${p.kind}`;
  }
}

function buildJson(
  engine: Engine, pf: PortfolioInput, histories: HistoryInput[], portfolio: Portfolio, dates: string[], n: number, window: number,
  method: VarMethod, confidence: number, r: ValueAtRiskResult, pnl: Float64Array, btWindow: number, backtests: MethodBacktest[],
) {
  let lo = Infinity, hi = -Infinity;
  for (const x of pnl) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
  const moments = sampleMoments(pnl);
  return {
    schema: 'riskwasm.var/1',
    source: {
      portfolio: { file: pf.file, bundled: pf.bundled },
      histories: histories.map((h) => ({ asset: h.asset, file: h.file, bundled: h.bundled, rows: h.history.dates.length, first: h.history.dates[0], last: h.history.dates[h.history.dates.length - 1] })),
    },
    backend: engine.backend,
    portfolio: {
      name: pf.name,
      assets: Object.keys(portfolio.spots),
      spots: portfolio.spots,
      positions: portfolio.positions.map((p, i) => ({ index: i, label: positionLabel(p), kind: p.kind, asset: p.asset, quantity: p.quantity })),
    },
    scenarios: { kind: method === 'monteCarlo' ? 'monteCarlo' : 'historical', count: pnl.length, first: method === 'monteCarlo' ? null : dates[n - window + 1], last: method === 'monteCarlo' ? null : dates[n], horizonDays: 1 },
    method,
    confidence,
    var: r.var,
    es: r.es,
    currency: 'USD',
    observations: r.observations,
    details: r.details,
    pnl: { count: pnl.length, mean: moments.mean, sd: moments.sd, min: lo, max: hi },
    allocation: r.allocation
      ? {
        totalVar: r.allocation.totalVar, totalEs: r.allocation.totalEs,
        sumComponentVar: r.allocation.sumComponentVar, sumComponentEs: r.allocation.sumComponentEs,
        positions: r.allocation.positions.map((a) => ({ label: positionLabel(portfolio.positions[a.index]), ...a, marginalVar: a.marginalVar ?? null, marginalEs: a.marginalEs ?? null })),
      }
      : null,
    backtest: backtests.length === 0 ? null : {
      kind: 'hypothetical P&L of the current portfolio',
      window: btWindow,
      confidence,
      methods: backtests.map((b) => ({
        method: b.method, forecasts: b.observations, first: b.dates?.[0] ?? null, last: b.dates?.[b.dates.length - 1] ?? null,
        exceptions: b.exceptions, expectedExceptions: b.expectedExceptions,
        kupiec: b.kupiec, christoffersen: b.christoffersen, trafficLight: b.trafficLight, trafficLightLast250: b.trafficLightLast250 ?? null,
        acerbiSzekely: b.acerbiSzekely, elapsedMs: b.elapsedMs,
      })),
    },
  };
}

type VarJson = ReturnType<typeof buildJson>;

function money(x: number): string {
  return Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: 2, minimumFractionDigits: 2 }) : '-';
}

function varText(j: VarJson): string {
  const out: string[] = [];
  out.push(`VaR/ES of "${j.portfolio.name}" (${j.source.portfolio.file}): ${j.portfolio.positions.length} positions on ${j.portfolio.assets.join(', ')}`);
  out.push(`  spots: ${Object.entries(j.portfolio.spots).map(([a, s]) => `${a} ${s}`).join(', ')}`);
  out.push(`  histories: ${j.source.histories.map((h) => `${h.asset} ${h.file} (${h.first}..${h.last})`).join('; ')}`);
  out.push(j.scenarios.kind === 'historical'
    ? `  scenarios: ${j.scenarios.count} daily log-returns ${j.scenarios.first}..${j.scenarios.last}, full revaluation, 1-day horizon`
    : `  scenarios: ${j.scenarios.count} Monte Carlo paths (vols and correlations from the return window), 1-day horizon`);
  out.push('');
  out.push(`  ${j.method} ${percent(j.confidence, 1)}:  VaR ${money(j.var)} USD   ES ${money(j.es)} USD   (positive = loss)`);
  out.push(`  scenario P&L: mean ${money(j.pnl.mean)}, sd ${money(j.pnl.sd)}, worst ${money(j.pnl.min)}, best ${money(j.pnl.max)} USD`);
  if (j.allocation) {
    out.push('');
    out.push(`  Euler decomposition (components sum to VaR ${money(j.allocation.sumComponentVar)} and ES ${money(j.allocation.sumComponentEs)}):`);
    out.push(formatTable(
      [{ header: 'position', align: 'left' }, { header: 'component VaR' }, { header: 'component ES' }, { header: 'incremental VaR' }, { header: 'incremental ES' }],
      j.allocation.positions.map((a) => [a.label, money(a.componentVar), money(a.componentEs), money(a.incrementalVar), money(a.incrementalEs)]),
      '    ',
    ));
  } else {
    out.push(`  (no Euler decomposition for ${j.method}: available for historical, ageWeighted, normal and monteCarlo)`);
  }
  if (j.backtest) {
    out.push('');
    out.push(`  Rolling backtest: ${j.backtest.kind}, ${j.backtest.window}-day window, ${percent(j.backtest.confidence, 1)} VaR`);
    out.push(formatTable(
      [{ header: 'method', align: 'left' }, { header: 'forecasts' }, { header: 'exceptions' }, { header: 'expected' }, { header: 'Kupiec p' },
        { header: 'Christoffersen cc p' }, { header: 'independence p' }, { header: 'traffic light', align: 'left' }, { header: 'last 250', align: 'left' }, { header: 'AS Z2 p' }],
      j.backtest.methods.map((b) => [
        b.method, String(b.forecasts), String(b.exceptions), fixed(b.expectedExceptions, 1), sig(b.kupiec.pValue, 3),
        sig(b.christoffersen.conditionalCoverage.pValue, 3), sig(b.christoffersen.independence.pValue, 3),
        b.trafficLight.zone, b.trafficLightLast250?.zone ?? '-', sig(b.acerbiSzekely.pValue, 3),
      ]),
      '    ',
    ));
    out.push('    (p < 0.05 rejects the model at 5%; traffic light zones per Basel on 250 days)');
  }
  return out.join('\n');
}
