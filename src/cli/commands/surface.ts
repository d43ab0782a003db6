/**
 * `riskwasm surface [chain.csv]`: an option chain (Deribit, Cboe or column-mapped) -> the
 * implied-vol surface of out-of-the-money options with a bid and an ask (bid, ask and mid IV by the
 * batch implied-vol solver, the venue's mark IV beside them when it publishes one) and Black-76
 * greeks at the mid IV in the chain's own settlement (coin-settled for Deribit, discounted quote
 * currency for Cboe and most listed options), as a table, JSON or CSV.
 */
import { ivSurfaceChart } from '../../charts/specs.js';
import type { Surface } from '../../calibration/surface.js';
import type { CliCommand, CommandReport } from '../command.js';
import { csvRecord } from '../csv.js';
import { buildSurfaces, CHAIN_OPTIONS, expiryLabel, readChain } from '../market-input.js';
import { plotFormat } from '../plot.js';
import { fixed, formatTable, percent, sig } from '../table.js';
import { BadInputError, EXIT } from '../errors.js';
import type { Engine } from '../../engine.js';
import type { BoundHit, FitQuality } from '../../calibration/fit-quality.js';
import type { SviParams } from '../../calibration/svi.js';

/** An expiry's SVI fit in the surface report (`--fit svi` or `--strict`). */
interface ExpirySviFit {
  params: SviParams; rmse: number; insideBidAsk: number; reason: string; quality: FitQuality; boundHits: BoundHit[]; failedArbitrage: string[];
}

/** SVI per expiry of a surface (each expiry on its own, as `riskwasm calibrate --model svi`), keyed by time to expiry. */
function sviFits(engine: Engine, s: Surface): Map<number, ExpirySviFit> {
  const out = new Map<number, ExpirySviFit>();
  for (const e of s.expiries) {
    const idx: number[] = [];
    for (let i = 0; i < s.kept; i++) if (s.quotes.expiries[i] === e.expiry) idx.push(i);
    const pick = (a: Float64Array) => Float64Array.from(idx, (i) => a[i]);
    const r = engine.fitSvi({
      forwards: pick(s.forwards),
      quotes: { strikes: pick(s.quotes.strikes), expiries: pick(s.quotes.expiries), vols: pick(s.quotes.vols), bids: pick(s.quotes.bids), asks: pick(s.quotes.asks), weights: pick(s.quotes.weights) },
    });
    const f = r.slices[0];
    out.set(e.expiry, { params: f.params, rmse: f.rmse, insideBidAsk: f.insideBidAsk, reason: f.reason, quality: f.quality, boundHits: f.boundHits, failedArbitrage: f.butterfly.failed });
  }
  return out;
}

/** One line per fitted expiry: rmse, inside bid-ask, and the flags with the bounds hit ('ok' when none). */
function fitLine(f: ExpirySviFit): string {
  const bounds = f.boundHits.map((h) => `${h.name}@${h.constraint === 'leeWing' ? 'Lee' : h.side}`).join(' ');
  const verdict = f.quality.ok ? 'ok' : `NOT OK: ${f.quality.flags.join(', ')}${bounds ? ` [${bounds}]` : ''}`;
  return `SVI fit: RMSE ${fixed(f.rmse, 3)} vol pts, inside bid-ask ${percent(f.insideBidAsk, 0)}, ${f.reason}; ${verdict}`;
}

/** One quote of the `riskwasm.surface/1` report. */
interface QuoteRow {
  instrument: string; line: number; expiry: string; expiryDate: string; timeToExpiry: number; strike: number; type: 'call' | 'put';
  forward: number; discountFactor: number; bid: number; ask: number; mid: number; bidIv: number; askIv: number; midIv: number; markIv: number;
  delta: number; gamma: number; vega: number; theta: number;
}

export const surfaceCommand: CliCommand = {
  syntax: 'surface [chain]',
  description: 'Option chain (Deribit, Cboe, columns) -> implied-vol surface (bid/ask/mid IV, greeks)',
  options: [
    ...CHAIN_OPTIONS,
    { flags: '--csv', description: 'CSV output (one row per quote)' },
    { flags: '--plot <file>', description: 'Plot the mid-IV smiles per expiry (.svg or .html)' },
    { flags: '--fit <model>', description: "Fit each expiry ('svi') and report its quality flags and parameters at a bound ('none': no fit)", default: 'none' },
    { flags: '--strict', description: 'Fit SVI per expiry (as --fit svi) and exit 1 when any fit raises a quality flag' },
  ],
  examples: ['riskwasm surface', 'riskwasm surface chain.csv --currency ETH --csv --out eth.csv', 'riskwasm surface --expiry 27MAR26 --plot smiles.svg'],
  async run(ctx, [chainPath], options): Promise<CommandReport> {
    const plot = options.plot !== undefined ? String(options.plot) : undefined;
    const format = plot ? plotFormat(plot) : undefined;
    const input = await readChain(ctx, chainPath, options.skipBadRows === true, options);
    const engine = await ctx.engine();
    const surfaces = buildSurfaces(ctx, engine, input, options);
    const fitModel = String(options.fit ?? 'none').toLowerCase();
    if (fitModel !== 'none' && fitModel !== 'svi') throw new BadInputError(`expected 'svi' or 'none', got ${JSON.stringify(options.fit)}`, { field: '--fit' });
    const doFit = fitModel === 'svi' || options.strict === true;
    const fits = surfaces.map((s) => (doFit ? sviFits(engine, s) : null));
    const lineIndex = new Map<number, number>();
    input.chain.line.forEach((l, i) => lineIndex.set(l, i));
    const results = surfaces.map((s) => {
      const greeks = engine.black76({
        forwards: s.forwards, strikes: s.quotes.strikes, expiries: s.quotes.expiries, vols: s.quotes.vols,
        types: s.quotes.types, greeks: true,
        // The chain's own settlement: coin-settled prices are never discounted; quote-currency prices at the expiry's discount factor.
        ...(s.priceUnit === 'underlying' ? { settlement: 'coin' as const } : { settlement: 'usd' as const, discountFactors: s.discountFactors }),
      });
      const quotes: QuoteRow[] = Array.from({ length: s.kept }, (_, i) => {
        const row = lineIndex.get(s.lines[i])!;
        const e = s.expiries.find((x) => x.expiry === s.quotes.expiries[i])!;
        return {
          instrument: s.instruments[i], line: s.lines[i], expiry: expiryLabel(e.expiryDate), expiryDate: e.expiryDate,
          timeToExpiry: s.quotes.expiries[i], strike: s.quotes.strikes[i], type: s.quotes.types[i], forward: s.forwards[i], discountFactor: s.discountFactors[i],
          bid: s.bidPrices[i], ask: s.askPrices[i], mid: s.midPrices[i],
          bidIv: s.quotes.bids[i], askIv: s.quotes.asks[i], midIv: s.quotes.vols[i], markIv: input.chain.markIv[row],
          delta: greeks.delta![i], gamma: greeks.gamma![i], vega: greeks.vega![i], theta: greeks.theta![i],
        };
      });
      return { surface: s, quotes };
    });
    const json = {
      schema: 'riskwasm.surface/1',
      source: { file: input.file, bundled: input.bundled, rows: input.chain.length, skippedRows: input.chain.skipped.length },
      backend: engine.backend,
      ...(doFit ? { ok: fits.every((m) => [...m!.values()].every((f) => f.quality.ok)) } : {}),
      surfaces: results.map(({ surface: s, quotes }, k) => ({
        currency: s.currency,
        considered: s.considered,
        kept: s.kept,
        dropped: s.dropped,
        expiries: s.expiries.map((e) => ({
          expiry: expiryLabel(e.expiryDate), expiryDate: e.expiryDate, timeToExpiry: e.expiry, forward: e.forward,
          discountFactor: e.discountFactor, forwardSource: e.forwardSource, quotes: e.quotes,
          atmIv: atmIv(quotes, e.expiry, e.forward),
          ...(fits[k] ? { fit: { model: 'svi', ...fits[k]!.get(e.expiry)! } } : {}),
        })),
        quotes,
      })),
    };
    if (plot && format) {
      const points = results.flatMap(({ quotes }) => quotes.map((q) => ({ expiryLabel: results.length > 1 ? `${q.instrument.split('-')[0]} ${q.expiry}` : q.expiry, expiry: q.timeToExpiry, strike: q.strike, iv: q.midIv })));
      await ctx.stagePlot(plot, ivSurfaceChart({ points, title: `Mid implied vols, ${input.file}` }), 'riskwasm surface');
    }
    return {
      json,
      text: () => surfaceText(json.source.file, results, fits),
      csv: () => surfaceCsv(results),
      exitCode: options.strict && json.ok === false ? EXIT.failed : EXIT.ok,
    };
  },
};

/** Mid IV of the quote whose strike is nearest the forward. */
function atmIv(quotes: QuoteRow[], T: number, F: number): number {
  let best = NaN, dist = Infinity;
  for (const q of quotes) {
    if (q.timeToExpiry !== T) continue;
    const d = Math.abs(Math.log(q.strike / F));
    if (d < dist) { dist = d; best = q.midIv; }
  }
  return best;
}

const CSV_COLUMNS: (keyof QuoteRow | 'currency')[] = [
  'currency', 'instrument', 'line', 'expiry', 'expiryDate', 'timeToExpiry', 'strike', 'type', 'forward', 'discountFactor', 'bid', 'ask', 'mid',
  'bidIv', 'askIv', 'midIv', 'markIv', 'delta', 'gamma', 'vega', 'theta',
];

/** One row per quote; text cells (instrument names, currencies come from the input file) escaped by csvField. */
function surfaceCsv(results: { surface: Surface; quotes: QuoteRow[] }[]): string {
  const lines = [csvRecord(CSV_COLUMNS)];
  for (const { surface, quotes } of results) {
    for (const q of quotes) lines.push(csvRecord(CSV_COLUMNS.map((c) => (c === 'currency' ? surface.currency : q[c]))));
  }
  return lines.join('\n') + '\n';
}

function surfaceText(file: string, results: { surface: Surface; quotes: QuoteRow[] }[], fits: (Map<number, ExpirySviFit> | null)[]): string {
  const out: string[] = [];
  for (const [k, { surface: s, quotes }] of results.entries()) {
    const dropped = Object.entries(s.dropped).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ');
    out.push(`${s.currency} implied-vol surface from ${file}: ${s.kept} OTM quotes with bid and ask, ${s.expiries.length} expiries (of ${s.considered} options; dropped: ${dropped || 'none'})`);
    out.push(unitsLine(s, quotes));
    for (const e of s.expiries) {
      const rows = quotes.filter((q) => q.timeToExpiry === e.expiry);
      out.push('');
      const df = s.priceUnit === 'quote' ? `  DF ${e.discountFactor.toFixed(5)} (forward from ${e.forwardSource})` : '';
      out.push(`${expiryLabel(e.expiryDate)}  T ${e.expiry.toFixed(4)} y  forward ${e.forward.toFixed(2)}${df}  ${e.quotes} quotes  ATM mid IV ${percent(atmIv(quotes, e.expiry, e.forward))}`);
      const fit = fits[k]?.get(e.expiry);
      if (fit) out.push(fitLine(fit));
      out.push(formatTable(
        [{ header: 'strike' }, { header: 'type', align: 'left' }, { header: 'bid IV' }, { header: 'mid IV' }, { header: 'ask IV' }, { header: 'mark IV' },
          { header: 'delta' }, { header: 'gamma' }, { header: 'vega' }, { header: 'theta' }],
        rows.map((q) => [
          String(q.strike), q.type, percent(q.bidIv), percent(q.midIv), percent(q.askIv), percent(q.markIv),
          fixed(q.delta, 4), sig(q.gamma, 3), fixed(q.vega / 100, 2), fixed(q.theta / 365, 2),
        ]),
      ));
    }
    const m = fits[k];
    if (m) {
      const flagged = [...m.values()].filter((f) => !f.quality.ok).length;
      out.push('');
      out.push(flagged ? `NOT OK: ${flagged} of ${m.size} SVI fits raised a quality flag` : `all ${m.size} SVI fits ok`);
    }
    out.push('');
  }
  return out.join('\n');
}

/**
 * What the IVs and greeks of a surface are in: coin-settled (Deribit) or quote currency discounted
 * at the chain's discount factors (Cboe, columns); the venue's mark IV named only when it has one.
 */
function unitsLine(s: Surface, quotes: QuoteRow[]): string {
  const marks = quotes.some((q) => Number.isFinite(q.markIv)) ? 'markIv = the venue\'s' : 'no venue mark IV in the chain';
  const ccy = 'USD';
  if (s.priceUnit === 'underlying') {
    return `IVs: Black-76 on the forward, coin-settled prices (never discounted); ${marks}. Greeks at mid IV: delta dV/dF, gamma per ${ccy}, vega ${ccy} per vol point, theta ${ccy} per day.`;
  }
  return `IVs: Black-76 on the forward, ${ccy} prices discounted at each expiry's discount factor; ${marks}. Greeks at mid IV of the discounted price: delta dV/dF, gamma per ${ccy}, vega ${ccy} per vol point, theta ${ccy} per day.`;
}
