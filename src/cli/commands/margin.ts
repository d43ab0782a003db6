/**
 * `riskwasm margin [accounts.json] --market chain.csv --grid deribit|span16`: portfolio margin
 * (risk matrix) of margin accounts against a Deribit chain: IM and MM, the worst scenario, the
 * add-ons, each position's share of the scan loss, the risk matrix; beside it the standard
 * (isolated) margin of the same positions, equity and status, and liquidation prices. `--plot`
 * draws one account's risk matrix as a heatmap.
 */
import { riskMatrixChart } from '../../charts/specs.js';
import type { Engine } from '../../engine.js';
import { DERIBIT_GRID, SPAN16_GRID, type MarginScenario, type ScenarioGrid } from '../../margin/grids.js';
import { marketFromDeribitChain } from '../../margin/market.js';
import type { MarginAggregation, PortfolioMarginResult } from '../../margin/portfolio-margin.js';
import { DERIBIT_STANDARD, GENERIC_STANDARD, type MarginStatus, type StandardMarginParams, type StandardMarginResult } from '../../margin/standard-margin.js';
import type { LiquidationPriceResult, LiquidationSide } from '../../margin/liquidation-price.js';
import type { MarginMarket, MarginPosition } from '../../margin/types.js';
import { statusName } from '../../status.js';
import type { CliCommand, CommandReport } from '../command.js';
import { BadInputError, fromInputError } from '../errors.js';
import { accountsError, checkAccountsMarket, readAccounts, type AccountsInput } from '../margin-input.js';
import { readChain, type ChainInput } from '../market-input.js';
import { plotFormat } from '../plot.js';
import { dictOf } from '../../data-tables.js';
import { formatTable, percent } from '../table.js';

// Maps, not objects: `--grid constructor` must not find Object.prototype.constructor.
const GRIDS = new Map<string, ScenarioGrid>([['deribit', DERIBIT_GRID], ['span16', SPAN16_GRID]]);
const STANDARDS = new Map<string, StandardMarginParams>([['deribit', DERIBIT_STANDARD], ['generic', GENERIC_STANDARD]]);
const AGGREGATIONS: readonly MarginAggregation[] = ['per-asset', 'joint'];

export const marginCommand: CliCommand = {
  syntax: 'margin [accounts]',
  description: 'Portfolio margin (risk matrix) of accounts vs a Deribit chain: IM/MM, worst scenario, standard margin, liquidation prices',
  options: [
    { flags: '--market <chain>', description: 'Deribit option-chain CSV for indices, forwards, mark IVs and instrument names (default: the bundled snapshot)' },
    { flags: '--grid <grid>', description: 'Scenario grid: deribit (27 + 8 extended scenarios, MM = 0.8 IM) or span16 (CME SPAN 16 scenarios)', default: 'deribit' },
    { flags: '--standard <params>', description: 'Standard-margin preset compared with, and used for equity status and liquidation prices: deribit or generic', default: 'deribit' },
    { flags: '--aggregation <mode>', description: 'per-asset (each underlying scanned alone, losses summed) or joint (all assets move together)', default: 'per-asset' },
    { flags: '--plot <file>', description: 'Risk-matrix heatmap of one account (.svg or .html)' },
    { flags: '--account <id>', description: 'Account drawn by --plot (default: the first)' },
    { flags: '--skip-bad-rows', description: 'Skip malformed rows of the market CSV (listed on stderr) instead of failing with exit 2' },
  ],
  examples: [
    'riskwasm margin',
    'riskwasm margin examples/portfolios/margin-accounts.json --grid span16 --standard generic --json',
    'riskwasm margin book.json --market chain.csv --aggregation joint --plot matrix.svg --account my-book',
  ],
  async run(ctx, [accountsPath], options): Promise<CommandReport> {
    const gridName = String(options.grid);
    const grid = GRIDS.get(gridName);
    if (!grid) throw new BadInputError(`expected one of ${[...GRIDS.keys()].join(', ')}, got ${JSON.stringify(options.grid)}`, { field: '--grid' });
    const standardName = String(options.standard);
    const standard = STANDARDS.get(standardName);
    if (!standard) throw new BadInputError(`expected one of ${[...STANDARDS.keys()].join(', ')}, got ${JSON.stringify(options.standard)}`, { field: '--standard' });
    const aggregation = String(options.aggregation) as MarginAggregation;
    if (!AGGREGATIONS.includes(aggregation)) throw new BadInputError(`expected one of ${AGGREGATIONS.join(', ')}, got ${JSON.stringify(options.aggregation)}`, { field: '--aggregation' });
    const plot = options.plot !== undefined ? String(options.plot) : undefined;
    if (plot) plotFormat(plot);
    if (options.market === true || options.market === '') throw new BadInputError('expected a chain CSV file name', { field: '--market' });

    const input = await readAccounts(ctx, accountsPath);
    const ids = input.accounts.map((a, i) => (typeof a?.id === 'string' ? a.id : String(i)));
    const plotted = options.account === undefined ? 0 : ids.indexOf(String(options.account));
    if (plotted < 0) throw new BadInputError(`no account ${JSON.stringify(String(options.account))} in ${input.file} (accounts: ${ids.join(', ')})`, { field: '--account' });
    const chain = await readChain(ctx, options.market, options.skipBadRows === true);
    let market: MarginMarket;
    try {
      market = marketFromDeribitChain(chain.chain);
    } catch (e) {
      throw fromInputError(e, chain.file);
    }
    checkAccountsMarket(input, market, chain.chain, chain.file);
    const engine = await ctx.engine();
    const located = <T>(f: () => T): T => {
      try {
        return f();
      } catch (e) {
        throw accountsError(e, input, chain.chain, chain.file);
      }
    };
    const pm = located(() => engine.portfolioMargin(input.accounts, market, grid, { aggregation }));
    await ctx.checkpoint();
    const sm = located(() => engine.standardMargin(input.accounts, market, standard));
    await ctx.checkpoint();
    const lq = located(() => engine.liquidationPrice(input.accounts, market, standard));
    await ctx.checkpoint();
    // Under the grid too, with the preset's haircuts so its equity is the equity reported here.
    const plq = located(() => engine.liquidationPrice(input.accounts, market, grid, { aggregation, haircuts: standard.haircuts }));
    await ctx.checkpoint();

    const layout = matrixLayout(grid);
    const json = buildJson(engine, input, chain, market, grid, gridName, standard, aggregation, layout, pm, sm, lq, plq);
    if (plot) {
      const a = json.accounts[plotted];
      const w = a.worstScenario;
      const cell = layout.cellOf.get(w.index);
      const spec = riskMatrixChart({
        priceMoves: layout.priceMoves,
        volShocks: layout.volShocks,
        pnl: a.riskMatrix.map((row) => row.map((x) => x ?? NaN)),
        worst: cell ? { priceIndex: cell[1], volIndex: cell[0] } : undefined,
        unit: 'USD',
        title: `${a.id}: risk matrix, ${grid.name} grid (counted P&L; IM ${usd(a.initialMargin)} USD, worst ${w.name})`,
      });
      await ctx.stagePlot(plot, spec, `riskwasm margin: ${a.id}`);
    }
    const failed = json.accounts.some((a) => a.engineStatus !== 'ok');
    return { json, text: () => marginText(json), exitCode: failed ? 1 : 0 };
  },
};

/** Where each regular scenario sits in the heatmap: rows = vol shocks, columns = price moves (ascending). */
interface MatrixLayout {
  priceMoves: number[];
  volShocks: number[];
  /** Scenario index per [vol][price] cell, -1 for an empty cell. */
  index: number[][];
  /** [vol row, price column] of each scenario in the matrix. */
  cellOf: Map<number, [number, number]>;
}

/** Regular scenarios (not extended, weight 1) form the matrix; the others (Deribit's extended table, SPAN's extreme moves) are listed apart. */
function inMatrix(s: MarginScenario): boolean {
  return !s.extended && s.weight === 1;
}

function matrixLayout(grid: ScenarioGrid): MatrixLayout {
  const regular = grid.scenarios.map((s, i) => ({ s, i })).filter(({ s }) => inMatrix(s));
  const priceMoves = [...new Set(regular.map(({ s }) => s.priceMove))].sort((a, b) => a - b);
  // Vol rows from the largest shock down: "vol up" on top, as exchanges print the matrix.
  const volShocks = [...new Set(regular.map(({ s }) => s.volShock))].sort((a, b) => b - a);
  const index = volShocks.map(() => priceMoves.map(() => -1));
  const cellOf = new Map<number, [number, number]>();
  for (const { s, i } of regular) {
    const v = volShocks.indexOf(s.volShock), p = priceMoves.indexOf(s.priceMove);
    index[v][p] = i;
    cellOf.set(i, [v, p]);
  }
  return { priceMoves, volShocks, index, cellOf };
}

/** A short name for a position: its instrument, else what it is. */
function positionLabel(p: MarginPosition): string {
  if (p.instrument !== undefined || p.kind === undefined) return String(p.instrument);
  switch (p.kind) {
    case 'option': return `${p.asset} ${p.strike} ${p.type} ${Number(p.expiry.toFixed(4))}y`;
    case 'future': return `${p.asset} future ${Number(p.expiry.toFixed(4))}y`;
    default: return `${p.asset} ${p.kind}`;
  }
}

/** Status of equity against a pair of margins, as standard margin reports it. */
function statusOf(equity: number, im: number, mm: number): MarginStatus | null {
  if (!Number.isFinite(im) || !Number.isFinite(mm) || !Number.isFinite(equity)) return null;
  return equity < mm ? 'liquidation' : equity < im ? 'marginCall' : 'healthy';
}

function ratio(margin: number, equity: number): number {
  return margin === 0 ? 0 : equity > 0 ? margin / equity : Infinity;
}

function sideJson(s: LiquidationSide) {
  return { price: s.price, distancePercent: s.distancePercent, status: s.status, reason: s.reason, iterations: s.iterations };
}

function buildJson(
  engine: Engine, input: AccountsInput, chain: ChainInput, market: MarginMarket, grid: ScenarioGrid, gridName: string,
  standard: StandardMarginParams, aggregation: MarginAggregation, layout: MatrixLayout,
  pm: PortfolioMarginResult[], sm: StandardMarginResult[], lq: LiquidationPriceResult[], plq: LiquidationPriceResult[],
) {
  const snapshot = chain.chain.timestamp.reduce((a, b) => (b > a ? b : a), '');
  return {
    schema: 'riskwasm.margin/1',
    source: {
      accounts: { file: input.file, bundled: input.bundled, name: input.name },
      market: { file: chain.file, bundled: chain.bundled, rows: chain.chain.length, skippedRows: chain.chain.skipped.length, snapshot },
    },
    backend: engine.backend,
    market: {
      assets: dictOf(Object.entries(market.assets).map(([a, m]) => [a, { index: m.index, expiries: m.forwards?.length ?? 0 }])),
    },
    grid: {
      name: gridName,
      source: grid.source ?? null,
      volShockMode: grid.volShockMode,
      combine: grid.combine,
      maintenanceFactor: grid.maintenanceFactor,
      extendedDampener: grid.extendedDampener,
      extendedScaling: grid.extendedScaling,
      addOns: grid.addOns,
      scenarios: grid.scenarios.map((s, i) => ({ index: i, name: s.name, priceMove: s.priceMove, volShock: s.volShock, weight: s.weight, extended: s.extended, inMatrix: inMatrix(s) })),
      matrix: { priceMoves: layout.priceMoves, volShocks: layout.volShocks, scenarioIndex: layout.index.map((r) => r.map((i) => (i < 0 ? null : i))) },
    },
    aggregation,
    standard: { name: standard.name, source: standard.source },
    accounts: pm.map((r, k) => {
      const acc = input.accounts[k];
      const s = sm[k];
      const l = lq[k];
      const pl = plq[k];
      const w = r.worstScenario;
      const scn = grid.scenarios[w.index];
      const apath = input.fileField(`accounts[${k}]`);
      return {
        id: r.id,
        description: input.descriptions[k] ?? null,
        line: input.lineOf(apath) ?? null,
        collateral: dictOf(Object.entries(acc.collateral ?? {})),
        initialMargin: r.initialMargin,
        maintenanceMargin: r.maintenanceMargin,
        scanRisk: r.scanRisk,
        addOns: { ...r.addOns },
        worstScenario: {
          index: w.index, name: w.name, priceMove: w.priceMove, volShock: w.volShock, pnl: w.pnl, weight: w.weight,
          extended: scn?.extended ?? false, asset: w.asset ?? null,
        },
        perAsset: r.perAsset.map((a) => ({ asset: a.asset, scanRisk: a.scanRisk, worstIndex: a.worstIndex, worstName: grid.scenarios[a.worstIndex]?.name ?? null, netDelta: a.netDelta })),
        engineStatus: statusName(r.status),
        equity: s.equity,
        equityBreakdown: { ...s.equityBreakdown },
        availableMargin: s.equity - r.initialMargin,
        initialMarginRatio: ratio(r.initialMargin, s.equity),
        marginRatio: ratio(r.maintenanceMargin, s.equity),
        status: statusOf(s.equity, r.initialMargin, r.maintenanceMargin),
        standard: {
          initialMargin: s.initialMargin, maintenanceMargin: s.maintenanceMargin, availableMargin: s.availableMargin,
          marginRatio: s.marginRatio, status: s.status,
        },
        positions: acc.positions.map((p, i) => {
          const sp = s.positions[i];
          return {
            index: i,
            line: input.lineOf(input.fileField(`accounts[${k}].positions[${i}]`)) ?? null,
            label: positionLabel(p),
            instrument: sp.instrument ?? null,
            kind: sp.kind,
            asset: sp.asset,
            size: sp.size,
            value: sp.value,
            contribution: r.contributions[i],
            standard: { initialMargin: sp.initialMargin, maintenanceMargin: sp.maintenanceMargin, rule: sp.rule, detail: sp.detail },
          };
        }),
        scenarioPnl: Array.from(r.scenarioPnl),
        riskMatrix: layout.index.map((row) => row.map((i) => (i < 0 ? null : r.scenarioPnl[i]))),
        liquidation: {
          basis: `equity = maintenance margin of ${standard.name}`,
          nearest: l.nearest ? { asset: l.nearest.asset, direction: l.nearest.direction, price: l.nearest.price, distancePercent: l.nearest.distancePercent, status: l.nearest.status } : null,
          assets: l.assets.map((a) => ({ asset: a.asset, index: a.index, below: sideJson(a.below), above: sideJson(a.above) })),
        },
        portfolioLiquidation: {
          basis: `equity = portfolio maintenance margin of the ${gridName} grid`,
          nearest: pl.nearest ? { asset: pl.nearest.asset, direction: pl.nearest.direction, price: pl.nearest.price, distancePercent: pl.nearest.distancePercent, status: pl.nearest.status } : null,
          assets: pl.assets.map((a) => ({ asset: a.asset, index: a.index, below: sideJson(a.below), above: sideJson(a.above) })),
        },
      };
    }),
  };
}

type MarginJson = ReturnType<typeof buildJson>;

/** USD amount with thousands separators and no decimals, or `-`. */
function usd(x: number | null): string {
  return x !== null && Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: 0 }) : '-';
}

/** A move as a signed percentage (`+16%`, `-5%`, `0%`). */
function signedPct(x: number): string {
  const s = `${Number((x * 100).toFixed(2))}%`;
  return x > 0 ? `+${s}` : s;
}

/** A side's level: the price and its distance; else `-` and why there is none (the JSON's status and reason). */
function liqSide(s: ReturnType<typeof sideJson>): string {
  return s.status === 'found' ? `${usd(s.price)} (${s.distancePercent > 0 ? '+' : ''}${s.distancePercent.toFixed(1)}%)` : `- (${s.status}: ${s.reason})`;
}

/** One asset's liquidation levels; when both sides stopped for the same reason (e.g. already below maintenance), that reason once. */
function liqAsset(l: { asset: string; below: ReturnType<typeof sideJson>; above: ReturnType<typeof sideJson> }): string {
  if (l.below.status !== 'found' && l.below.status === l.above.status && l.below.reason === l.above.reason) return `${l.asset}: no level (${l.below.status}: ${l.below.reason})`;
  return `${l.asset} below ${liqSide(l.below)}, above ${liqSide(l.above)}`;
}

function marginText(j: MarginJson): string {
  const out: string[] = [];
  const nScen = j.grid.scenarios.length, nMatrix = j.grid.scenarios.filter((s) => s.inMatrix).length;
  out.push(`Portfolio margin of ${j.accounts.length} account${j.accounts.length === 1 ? '' : 's'} (${j.source.accounts.file}) on ${j.source.market.file} (snapshot ${j.source.market.snapshot.slice(0, 19)}Z)`);
  out.push(`  grid ${j.grid.name}: ${nScen} scenarios (${nMatrix} in the matrix, ${nScen - nMatrix} extended/extreme), IM = ${j.grid.combine === 'sum' ? 'scan + add-ons' : 'max(scan, add-ons)'}, MM = ${j.grid.maintenanceFactor} x IM; aggregation ${j.aggregation}`);
  out.push(`  compared with standard margin ${j.standard.name}; liquidation prices where equity = its maintenance margin, and where equity = the portfolio MM`);
  out.push(`  index: ${Object.entries(j.market.assets).map(([a, m]) => `${a} ${usd(m.index)}`).join(', ')} USD. Amounts in USD; P&L counted (weights, extended scaling and dampener applied), negative = loss.`);
  for (const a of j.accounts) {
    out.push('');
    out.push(`${a.id}${a.description ? `: ${a.description}` : ''}`);
    const coll = Object.entries(a.collateral).map(([k, v]) => `${v} ${k}`).join(', ') || 'none';
    out.push(`  collateral ${coll}; equity ${usd(a.equity)}`);
    out.push(`  portfolio IM ${usd(a.initialMargin)}  MM ${usd(a.maintenanceMargin)}   (scan risk ${usd(a.scanRisk)}, short-option contingency ${usd(a.addOns.shortOptionContingency)}, delta shock ${usd(a.addOns.deltaShock)})  status ${a.status ?? a.engineStatus}, MM/equity ${percent(a.marginRatio, 1)}`);
    out.push(`  standard IM ${usd(a.standard.initialMargin)}  MM ${usd(a.standard.maintenanceMargin)}   status ${a.standard.status}, MM/equity ${percent(a.standard.marginRatio, 1)}; portfolio IM is ${percent(a.initialMargin / a.standard.initialMargin, 0)} of it`);
    const w = a.worstScenario;
    out.push(`  worst scenario: ${w.name}${w.asset ? ` (${w.asset})` : ''}, counted P&L ${usd(w.pnl)}`);
    if (a.perAsset.length > 1) out.push(`  per asset: ${a.perAsset.map((p) => `${p.asset} scan ${usd(p.scanRisk)} in "${p.worstName}"`).join('; ')}`);
    out.push(formatTable(
      [{ header: 'position', align: 'left' }, { header: 'line' }, { header: 'size' }, { header: 'value' }, { header: 'share of scan loss' }, { header: 'standard IM' }, { header: 'standard MM' }, { header: 'standard rule', align: 'left' }],
      a.positions.map((p) => [p.label, String(p.line ?? '-'), String(p.size), usd(p.value), usd(p.contribution), usd(p.standard.initialMargin), usd(p.standard.maintenanceMargin), p.standard.rule]),
      '    ',
    ));
    out.push(`  risk matrix (rows: vol shock; columns: price move):`);
    out.push(formatTable(
      [{ header: 'vol', align: 'left' }, ...j.grid.matrix.priceMoves.map((m) => ({ header: signedPct(m) }))],
      a.riskMatrix.map((row, v) => [signedPct(j.grid.matrix.volShocks[v]), ...row.map((x) => usd(x))]),
      '    ',
    ));
    const apart = j.grid.scenarios.filter((s) => !s.inMatrix);
    if (apart.length > 0) out.push(`  outside the matrix: ${apart.map((s) => `${s.name} ${usd(a.scenarioPnl[s.index])}`).join('; ')}`);
    out.push(`  liquidation (index where equity = standard MM): ${a.liquidation.assets.map(liqAsset).join('; ') || 'no risky asset'}`);
    out.push(`  liquidation (index where equity = portfolio MM): ${a.portfolioLiquidation.assets.map(liqAsset).join('; ') || 'no risky asset'}`);
  }
  return out.join('\n');
}
