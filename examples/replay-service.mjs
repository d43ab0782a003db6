#!/usr/bin/env node
// A margin service on the live margin book: the bundled daily perpetual closes (BTC, ETH, SOL,
// data/history) are replayed tick by tick through a book of 10,000 leveraged perpetual accounts;
// the book's events print margin calls and liquidations as they happen, liquidated accounts are
// closed and replaced by new ones at the day's prices. `riskwasm replay` runs the same replay.
// Usage (after `npm run build`): node examples/replay-service.mjs [--accounts N] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--lines N]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createEngine, parsePriceCsv, alignHistories } from '../dist/index.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const accounts = Number(arg('accounts', 10000));
const from = arg('from', '0000');
const to = arg('to', '9999');
const lines = Number(arg('lines', 3));

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const histories = {};
for (const asset of ['BTC', 'ETH', 'SOL']) histories[asset] = parsePriceCsv(readFileSync(here(`../data/history/${asset}USDT_1d.csv`), 'utf8'));
const aligned = alignHistories(histories);
const keep = aligned.dates.map((d, i) => [d, i]).filter(([d]) => d >= from && d <= to).map(([, i]) => i);
const dates = keep.map((i) => aligned.dates[i]);
const prices = Object.fromEntries(Object.keys(histories).map((a) => [a, Float64Array.from(keep, (i) => aligned.prices[a][i])]));

const engine = await createEngine();
let day = dates[0];
let shown = 0;
const result = engine.replayMarginBook({
  dates, prices, accounts,
  onBook(book) {
    // A service subscribes to the book: these fire inside updateMarket, as each account crosses.
    const print = (kind) => (e) => {
      if (shown++ >= lines) return;
      const s = e.detail.state;
      console.log(`${day}  ${kind.padEnd(11)} ${e.detail.id.padEnd(16)} equity ${s.equity.toFixed(0).padStart(9)}  IM ${s.initialMargin.toFixed(0).padStart(8)}  MM ${s.maintenanceMargin.toFixed(0).padStart(8)}  (${e.detail.from}${e.detail.warningBefore ? ' (warning)' : ''} -> ${e.detail.to}${e.detail.warning ? ' (warning)' : ''})`);
    };
    book.addEventListener('marginCall', print('MARGIN CALL'));
    book.addEventListener('liquidation', print('LIQUIDATION'));
  },
  onTick(t) {
    if (shown > lines) console.log(`${day}  ... ${shown - lines} more`);
    day = dates[Math.min(t.tick + 1, dates.length - 1)];
    shown = 0;
    if (t.liquidated.length > 0 && t.tick % 30 === 0) {
      console.log(`${t.date}  book: ${t.marginCalls} margin calls outstanding, ${t.liquidated.length} liquidated today, updateMarket ${t.updateMs.toFixed(1)} ms`);
    }
  },
});
console.log(`\n${result.ticks} days, ${result.accounts} accounts (${engine.backend}): ${result.marginCallEvents} margin calls, ${result.liquidations} liquidations (shortfall ${result.shortfall.toFixed(0)} USD); updateMarket mean ${result.meanUpdateMs.toFixed(2)} ms, worst ${result.maxUpdateMs.toFixed(2)} ms`);
