/**
 * `riskwasm hedge [book.json] --market chain.csv --objective greeks|margin`: book greeks, a hedge
 * calibrated over the book file's candidate instruments (greek-neutral, or margin-optimal under a
 * grid), the residual greeks and margins, and the hedge's effectiveness over the last `--window`
 * daily moves of the bundled histories (hedged book P&L vs unhedged on historical scenarios).
 * `--plot` draws the greeks by expiry bucket, book and hedged book side by side.
 *
 * The book file: `{ "name"?, "description"?, "positions": [...margin positions...],
 * "instruments": [...hedge instruments...], "greeks"?: ["delta", "gamma", "vega"] }`, positions and
 * instruments by Deribit name or as full specs (see docs/hedging.md).
 */
import { hedgeGreeksChart } from '../../charts/hedge-greeks.js';
import { DERIBIT_GRID, SPAN16_GRID, type ScenarioGrid } from '../../margin/grids.js';
import { marketFromDeribitChain } from '../../margin/market.js';
import type { MarginMarket, MarginPosition } from '../../margin/types.js';
import { alignHistories, type PriceHistory } from '../../risk/returns.js';
import type { CalibrateHedgeResult, HedgeInstrument } from '../../hedging/calibrate-hedge.js';
import type { BookGreeksResult, CashGreeks, GreekBucket } from '../../hedging/book-greeks.js';
import { LpSolverMissingError } from '../../hedging/hedge-lp.js';
import type { CliCommand, CommandReport } from '../command.js';
import { BadInputError, ComputationError, fromInputError } from '../errors.js';
import { bundled, BUNDLED_HISTORIES, displayPath, readText } from '../files.js';
import { jsonLines, lineOf, parseJsonFile } from '../json-locate.js';
import { readChain } from '../market-input.js';
import { parseHistory } from '../risk-input.js';
import { plotFormat } from '../plot.js';
import { formatTable, percent, sig } from '../table.js';

const BUNDLED_BOOK = 'examples/portfolios/hedge-book.json';
const GRIDS = new Map<string, ScenarioGrid>([['deribit', DERIBIT_GRID], ['span16', SPAN16_GRID]]);
const OBJECTIVES = ['greeks', 'margin'] as const;

interface BookFile {
  name: string;
  description?: string;
  positions: MarginPosition[];
  instruments: HedgeInstrument[];
  greeks?: ('delta' | 'gamma' | 'vega' | 'theta' | 'vanna' | 'volga')[];
}

const greeksJson = (g: CashGreeks | null | undefined) => (g ? { value: g.value, delta: g.delta, gamma: g.gamma, vega: g.vega, theta: g.theta, vanna: g.vanna, volga: g.volga } : null);
const mapJson = (m: Map<string, CashGreeks>) => [...m].map(([asset, g]) => ({ asset, ...greeksJson(g)! }));
const bucketJson = (b: GreekBucket[]) => b.map((x) => ({ asset: x.asset, label: x.label, count: x.count, delta: x.delta, gamma: x.gamma, vega: x.vega, theta: x.theta }));

export const hedgeCommand: CliCommand = {
  syntax: 'hedge [book]',
  description: 'Book greeks, a greek-neutral or margin-optimal hedge over candidate instruments, and its effectiveness on history',
  options: [
    { flags: '--market <chain>', description: 'Deribit option-chain CSV for indices, forwards, mark IVs and instrument names (default: the bundled snapshot)' },
    { flags: '--objective <name>', description: 'greeks (neutralise the book file\'s greeks, default delta/gamma/vega) or margin (minimise portfolio-margin IM; needs the optional `highs` package)', default: 'greeks' },
    { flags: '--grid <grid>', description: 'Margin grid: deribit or span16', default: 'deribit' },
    { flags: '--window <days>', description: 'Historical daily moves (bundled histories) the hedge\'s effectiveness is measured on', default: 365 },
    { flags: '--plot <file>', description: 'Greeks by expiry bucket, book vs hedged (.svg or .html)' },
    { flags: '--skip-bad-rows', description: 'Skip malformed rows of the market CSV instead of failing with exit 2' },
  ],
  examples: ['riskwasm hedge', 'riskwasm hedge examples/portfolios/hedge-book.json --objective margin --json', 'riskwasm hedge book.json --plot greeks.svg'],
  async run(ctx, [bookPath], options): Promise<CommandReport> {
    const objective = String(options.objective) as (typeof OBJECTIVES)[number];
    if (!OBJECTIVES.includes(objective)) throw new BadInputError(`expected one of ${OBJECTIVES.join(', ')}, got ${JSON.stringify(options.objective)}`, { field: '--objective' });
    const gridName = String(options.grid);
    const grid = GRIDS.get(gridName);
    if (!grid) throw new BadInputError(`expected one of ${[...GRIDS.keys()].join(', ')}, got ${JSON.stringify(options.grid)}`, { field: '--grid' });
    const window = Number(options.window);
    if (!Number.isInteger(window) || window < 10) throw new BadInputError(`expected a whole number of days >= 10, got ${JSON.stringify(options.window)}`, { field: '--window' });
    const plot = options.plot !== undefined ? String(options.plot) : undefined;
    if (plot) plotFormat(plot);

    const isBundled = bookPath === undefined;
    const file = isBundled ? BUNDLED_BOOK : displayPath(String(bookPath));
    if (isBundled) ctx.note(`riskwasm: no book file given: using the bundled example ${BUNDLED_BOOK}`);
    const text = await readText(isBundled ? bundled(BUNDLED_BOOK) : String(bookPath));
    const data = parseJsonFile(text, file) as Partial<BookFile> | null;
    const lines = jsonLines(text, file);
    if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new BadInputError('expected a JSON object { positions, instruments }', { file, line: 1 });
    if (!Array.isArray(data.positions)) throw new BadInputError('expected an array of positions', { file, line: lineOf(lines, 'positions'), field: 'positions' });
    if (!Array.isArray(data.instruments) || data.instruments.length === 0) throw new BadInputError('expected a non-empty array of hedge instruments', { file, line: lineOf(lines, 'instruments'), field: 'instruments' });
    const book = data as BookFile;

    const chain = await readChain(ctx, options.market, options.skipBadRows === true);
    let market: MarginMarket;
    try {
      market = marketFromDeribitChain(chain.chain);
    } catch (e) {
      throw fromInputError(e, chain.file);
    }
    const located = (e: unknown) => fromInputError(e, file, (p) => lineOf(lines, p.replace(/^account\./, '').replace(/^args\./, '')));
    const engine = await ctx.engine();
    let greeks: BookGreeksResult;
    try {
      greeks = engine.bookGreeks(book.positions, market);
    } catch (e) {
      throw located(e);
    }
    // Historical scenarios: the last `window` aligned daily log-returns of every asset held.
    const assets = [...new Set([...greeks.assets, ...Object.keys(market.assets)])].filter((a) => BUNDLED_HISTORIES.has(a));
    const held = [...new Set(greeks.assets)];
    const missing = held.filter((a) => !BUNDLED_HISTORIES.has(a));
    if (missing.length > 0) throw new BadInputError(`no bundled history for ${missing.join(', ')} (bundled: ${[...BUNDLED_HISTORIES.keys()].join(', ')})`, { file });
    const histories: Record<string, PriceHistory> = {};
    for (const a of assets) histories[a] = parseHistory(await readText(bundled(BUNDLED_HISTORIES.get(a)!)), BUNDLED_HISTORIES.get(a)!);
    const aligned = alignHistories(histories);
    const n = Math.min(window, aligned.dates.length - 1);
    const rows = Array.from({ length: n }, (_, k) => assets.map((a) => aligned.returns[a][aligned.returns[a].length - n + k]));
    await ctx.checkpoint();
    let r: CalibrateHedgeResult;
    try {
      r = await engine.calibrateHedge({
        book: book.positions, market, instruments: book.instruments, objective, grid, greeks: book.greeks,
        scenarios: { assets, logReturns: rows, horizon: 1 / 365 },
      });
    } catch (e) {
      if (e instanceof LpSolverMissingError) throw new ComputationError(`${e.message}`);
      throw located(e);
    }
    const hedgedBook = [...book.positions, ...book.instruments.map((h, i) => {
      const { name: _n, lotSize: _l, min: _a, max: _b, halfSpread: _h, ...rest } = h as HedgeInstrument & Record<string, unknown>;
      return { ...rest, size: r.rounded.quantities[i] } as MarginPosition;
    }).filter((p) => p.size !== 0)];
    const after = engine.bookGreeks(hedgedBook, market);
    const imBefore = engine.portfolioMargin({ positions: book.positions }, market, grid).initialMargin;
    const imAfter = engine.portfolioMargin({ positions: hedgedBook }, market, grid).initialMargin;
    const eff = r.effectiveness;
    const json = {
      schema: 'riskwasm.hedge/1',
      source: { book: file, bundledBook: isBundled, market: chain.file, bundledMarket: chain.bundled, name: book.name ?? file },
      objective, grid: grid.name,
      book: { total: greeksJson(greeks.total), byUnderlying: mapJson(greeks.byUnderlying), byExpiry: bucketJson(greeks.byExpiry) },
      hedge: r.instruments.map((name, i) => ({ name, quantity: r.solution.quantities[i], rounded: r.rounded.quantities[i] })),
      solver: r.solver,
      ok: r.ok,
      residual: mapJson(r.solution.residual),
      roundedResidual: mapJson(r.rounded.residual),
      hedged: { total: greeksJson(after.total), byExpiry: bucketJson(after.byExpiry) },
      cost: r.rounded.cost,
      initialMargin: { before: imBefore, after: imAfter },
      effectiveness: eff ? {
        window: n, from: aligned.dates[aligned.dates.length - n - 1], to: aligned.dates[aligned.dates.length - 1],
        slope: eff.regression.slope, rSquared: eff.regression.rSquared, dollarOffset: eff.dollarOffset.ratio, dollarOffsetWithinBand: eff.dollarOffset.withinBand,
        varianceReduction: eff.varianceReduction, var99: eff.var, es99: eff.es, highlyEffective: eff.highlyEffective,
      } : null,
    };
    if (plot) {
      const spec = hedgeGreeksChart({ book: greeks.byExpiry, hedged: after.byExpiry, unit: 'USD', title: `${json.source.name}: greeks by expiry, book vs hedged (${objective})` });
      await ctx.stagePlot(plot, spec, `riskwasm hedge: ${json.source.name}`);
    }
    return { json, text: () => hedgeText(json), exitCode: r.ok ? 0 : 1 };
  },
};

type HedgeJson = {
  source: { name: string }; objective: string; grid: string; book: { total: ReturnType<typeof greeksJson> }; hedge: { name: string; quantity: number; rounded: number }[];
  solver: CalibrateHedgeResult['solver']; hedged: { total: ReturnType<typeof greeksJson> }; cost: number; initialMargin: { before: number; after: number };
  effectiveness: null | { window: number; from: string; to: string; slope: number; rSquared: number; dollarOffset: number; varianceReduction: number; highlyEffective: boolean; es99: { reduction: number } };
};

function hedgeText(j: HedgeJson): string {
  const g = ['delta', 'gamma', 'vega', 'theta'] as const;
  const out = [`${j.source.name}: ${j.objective} hedge (${j.solver.method}, ${j.solver.status})`, ''];
  out.push(formatTable([{ header: 'greek (USD)' }, { header: 'book', align: 'right' }, { header: 'hedged', align: 'right' }],
    g.map((k) => [k, sig(j.book.total?.[k]), sig(j.hedged.total?.[k])])));
  out.push('', formatTable([{ header: 'instrument' }, { header: 'quantity', align: 'right' }, { header: 'rounded', align: 'right' }],
    j.hedge.map((h) => [h.name, sig(h.quantity, 6), sig(h.rounded, 6)])));
  out.push('', `spread cost ${sig(j.cost)} USD; IM (${j.grid}) ${sig(j.initialMargin.before)} -> ${sig(j.initialMargin.after)} USD`);
  const e = j.effectiveness;
  if (e) out.push(`effectiveness over ${e.window} daily moves (${e.from} .. ${e.to}): slope ${sig(e.slope)}, R^2 ${sig(e.rSquared)}, dollar offset ${sig(e.dollarOffset)}, variance reduction ${percent(e.varianceReduction)}, ES reduction ${percent(e.es99.reduction)}${e.highlyEffective ? ' (highly effective)' : ''}`);
  return out.join('\n');
}
