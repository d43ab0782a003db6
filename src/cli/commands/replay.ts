/**
 * `riskwasm replay [...histories]`: replay daily perpetual prices (the bundled BTC, ETH and SOL
 * closes by default) tick by tick through a live margin book of synthetic leveraged perpetual
 * accounts (standard margin, generic tiers); margin calls and liquidations are printed on stderr as
 * they happen, the totals and the worst days on stdout (see src/margin/margin-book-replay.ts).
 */
import { alignHistories } from '../../risk/returns.js';
import { replayMarginBook, type ReplayTick } from '../../margin/margin-book-replay.js';
import type { CliCommand, CommandReport } from '../command.js';
import { BadInputError } from '../errors.js';
import { readHistories } from '../risk-input.js';
import { dictOf } from '../../data-tables.js';
import { formatTable } from '../table.js';

function positiveInt(v: unknown, field: string, max: number): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1 || n > max) throw new BadInputError(`expected a whole number in [1, ${max}], got ${JSON.stringify(v)}`, { field });
  return n;
}

interface DayRow { date: string; calls: number; liquidated: number; shortfall: number; updateMs: number }

export const replayCommand: CliCommand = {
  syntax: 'replay [...histories]',
  description: 'Replay perpetual price history through a live margin book: margin calls and liquidations as they happen',
  options: [
    { flags: '--assets <list>', description: 'Assets replayed, comma-separated (bundled histories: BTC, ETH, SOL)', default: 'BTC,ETH,SOL' },
    { flags: '--history <asset=file>', description: 'History of one asset, e.g. --history BTC=btc.csv (repeatable)' },
    { flags: '--accounts <n>', description: 'Accounts in the book', default: 10000 },
    { flags: '--seed <n>', description: 'Seed of the synthetic accounts', default: 1 },
    { flags: '--from <date>', description: 'First date replayed (YYYY-MM-DD)' },
    { flags: '--to <date>', description: 'Last date replayed (YYYY-MM-DD)' },
    { flags: '--lines <n>', description: 'Margin-call / liquidation lines printed per day on stderr (0: none)', default: 3 },
  ],
  examples: ['riskwasm replay', 'riskwasm replay --assets BTC --accounts 1000 --from 2022-05-01 --to 2022-07-01', 'riskwasm replay --json --quiet'],
  async run(ctx, [files], options): Promise<CommandReport> {
    const assets = String(options.assets).split(',').map((a) => a.trim().toUpperCase()).filter((a) => a !== '');
    if (assets.length === 0) throw new BadInputError('expected at least one asset', { field: '--assets' });
    const accounts = positiveInt(options.accounts, '--accounts', 1_000_000);
    const seed = Number(options.seed);
    if (!Number.isSafeInteger(seed)) throw new BadInputError(`expected an integer, got ${JSON.stringify(options.seed)}`, { field: '--seed' });
    const lines = Number(options.lines);
    if (!Number.isSafeInteger(lines) || lines < 0) throw new BadInputError(`expected a whole number >= 0, got ${JSON.stringify(options.lines)}`, { field: '--lines' });
    const fileList = (Array.isArray(files) ? files : files === undefined ? [] : [files]).map(String);
    const specs = options.history === undefined ? [] : (Array.isArray(options.history) ? options.history : [options.history]).map(String);
    const histories = await readHistories(ctx, fileList, specs, assets);
    const aligned = alignHistories(dictOf(histories.map((h) => [h.asset, h.history])));
    const from = options.from === undefined ? '' : String(options.from);
    const to = options.to === undefined ? '\uffff' : String(options.to);
    const keep: number[] = [];
    aligned.dates.forEach((d, i) => {
      if (d >= from && d <= to) keep.push(i);
    });
    if (keep.length < 2) throw new BadInputError(`fewer than 2 common dates in [${from || 'start'}, ${options.to ?? 'end'}] (histories cover ${aligned.dates[0]} to ${aligned.dates[aligned.dates.length - 1]})`, { field: '--from' });
    const dates = keep.map((i) => aligned.dates[i]);
    const prices = dictOf(assets.map((a) => [a, Float64Array.from(keep, (i) => aligned.prices[a][i])] as const));
    const engine = await ctx.engine();
    const days: DayRow[] = [];
    const onTick = (t: ReplayTick) => {
      const calls = t.changes.filter((c) => (c.to === 'marginCall' || c.warning) && !(c.from === 'marginCall' || c.warningBefore));
      const shortfall = t.liquidated.reduce((s, q) => s + q.shortfall, 0);
      days.push({ date: t.date, calls: calls.length, liquidated: t.liquidated.length, shortfall, updateMs: t.updateMs });
      if (lines === 0) return;
      const px = assets.map((a) => `${a} ${t.prices[a].toFixed(2)}`).join('  ');
      for (const c of calls.slice(0, lines)) {
        ctx.note(`${t.date}  ${px}  MARGIN CALL   ${c.id}  equity ${c.state.equity.toFixed(0)}  IM ${c.state.initialMargin.toFixed(0)}  MM ratio ${c.state.marginRatio.toFixed(3)}`);
      }
      if (calls.length > lines) ctx.note(`${t.date}  ... ${calls.length - lines} more margin calls`);
      for (const q of t.liquidated.slice(0, lines)) {
        ctx.note(`${t.date}  ${px}  LIQUIDATION   ${q.id}  shortfall ${q.shortfall.toFixed(0)} USD  MM ratio ${q.marginRatio === Infinity ? 'inf' : q.marginRatio.toFixed(3)}`);
      }
      if (t.liquidated.length > lines) ctx.note(`${t.date}  ... ${t.liquidated.length - lines} more liquidations`);
    };
    const result = replayMarginBook(engine, { dates, prices, accounts, seed, onTick });
    const worst = [...days].sort((a, b) => b.liquidated - a.liquidated || b.calls - a.calls || (a.date < b.date ? -1 : 1)).slice(0, 10);
    const json = {
      schema: 'riskwasm.replay/1',
      backend: engine.backend,
      assets,
      from: dates[0],
      to: dates[dates.length - 1],
      ...result,
      worstDays: worst.map((d) => ({ date: d.date, marginCalls: d.calls, liquidations: d.liquidated, shortfall: d.shortfall })),
    };
    return {
      json,
      text: () => [
        `replay ${assets.join(', ')} ${json.from} to ${json.to}: ${result.ticks} ticks through a book of ${accounts} accounts (${engine.backend})`,
        `margin calls ${result.marginCallEvents}, liquidations ${result.liquidations} (shortfall ${result.shortfall.toFixed(0)} USD)`,
        `updateMarket per tick: mean ${result.meanUpdateMs.toFixed(2)} ms, worst ${result.maxUpdateMs.toFixed(2)} ms`,
        '',
        'worst days:',
        formatTable([{ header: 'date', align: 'left' }, { header: 'margin calls' }, { header: 'liquidations' }, { header: 'shortfall USD' }], worst.map((d) => [d.date, String(d.calls), String(d.liquidated), d.shortfall.toFixed(0)])),
      ].join('\n'),
      csv: () => ['date,marginCalls,liquidations,shortfall', ...days.map((d) => `${d.date},${d.calls},${d.liquidated},${d.shortfall}`)].join('\n'),
    };
  },
};
