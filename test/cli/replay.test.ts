/**
 * `riskwasm replay` end to end: spawned as `node dist/cli/main.js` on the bundled histories, its
 * `--json` totals compared with engine.replayMarginBook on the same dates and prices (the same
 * code path, so counts agree exactly); the events printed on stderr name the accounts the book
 * reports; bad options exit 2 naming the option. Node only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAIN, ROOT, runCli } from './run-cli.js';
import { alignHistories, createEngine, parsePriceCsv, type Engine } from '../../src/index.js';


const run = runCli;

let js: Engine;
beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error('dist/cli/main.js is missing: run `npm run build` first');
  js = await createEngine({ backend: 'js' });
});

describe('riskwasm replay', () => {
  it('replays the bundled closes and reports what engine.replayMarginBook reports', async () => {
    const r = await run(['replay', '--assets', 'BTC,ETH', '--accounts', '500', '--from', '2022-05-01', '--to', '2022-06-30', '--backend', 'js', '--json', '--lines', '2']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.schema).toBe('riskwasm.replay/1');
    expect([out.from, out.to, out.accounts]).toEqual(['2022-05-01', '2022-06-30', 500]);
    // The same replay in-process.
    const h = alignHistories({
      BTC: parsePriceCsv(readFileSync(join(ROOT, 'data/history/BTCUSDT_1d.csv'), 'utf8')),
      ETH: parsePriceCsv(readFileSync(join(ROOT, 'data/history/ETHUSDT_1d.csv'), 'utf8')),
    });
    const keep = h.dates.flatMap((d, i) => (d >= '2022-05-01' && d <= '2022-06-30' ? [i] : []));
    const liquidatedIds: string[] = [];
    const res = js.replayMarginBook({
      dates: keep.map((i) => h.dates[i]),
      prices: { BTC: keep.map((i) => h.prices.BTC[i]), ETH: keep.map((i) => h.prices.ETH[i]) },
      accounts: 500,
      onTick: (t) => liquidatedIds.push(...t.liquidated.map((q) => q.id)),
    });
    expect(out.ticks).toBe(keep.length);
    expect([out.marginCallEvents, out.liquidations]).toEqual([res.marginCallEvents, res.liquidations]);
    expect(out.shortfall).toBeCloseTo(res.shortfall, 6);
    // A volatile window: the replay must have something to report, and stderr names real liquidations.
    expect(res.liquidations).toBeGreaterThan(0);
    const named = [...r.stderr.matchAll(/LIQUIDATION +(\S+)/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(0);
    for (const id of named) expect(liquidatedIds).toContain(id);
  });

  it('exits 2 naming the option on bad input', async () => {
    for (const [args, field] of [
      [['--accounts', '0'], '--accounts'],
      [['--seed', 'x'], '--seed'],
      [['--from', '2030-01-01'], '--from'],
      [['--lines=-1'], '--lines'],
    ] as const) {
      const r = await run(['replay', ...args, '--json']);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr + r.stdout).toContain(field);
    }
  });
});
