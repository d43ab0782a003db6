/**
 * Inputs of the `var` command: price histories (a file per asset, the asset named by the file or
 * by `--history ASSET=path`) and a portfolio JSON file, with errors that name file, line and field.
 */
import { basename } from 'node:path';
import { InputError } from '../errors.js';
import { parsePriceCsv, type PriceHistory } from '../risk/returns.js';
import type { Portfolio, Position } from '../risk/portfolio.js';
import { BadInputError, inputProblem } from './errors.js';
import { parseDecimal } from '../csv-number.js';
import { bundled, BUNDLED_HISTORIES, BUNDLED_PORTFOLIO, displayPath, readText } from './files.js';
import { jsonLines, lineOf, parseJsonFile } from './json-locate.js';
import type { CliContext } from './command.js';

/** A history file and the asset it prices; `lineOfDate` gives the file line of each date's row. */
export interface HistoryInput { asset: string; file: string; bundled: boolean; history: PriceHistory; lineOfDate: ReadonlyMap<string, number> }

/** A portfolio file: the portfolio (spots may be filled in later) and a locator of its fields' lines. */
export interface PortfolioInput {
  file: string;
  bundled: boolean;
  name: string;
  description?: string;
  portfolio: { spots?: Record<string, number>; positions: Position[]; accounts?: Portfolio['accounts'] };
  /** Source line of a portfolio field path (`positions[2].strike`). */
  lineOf(path: string): number | undefined;
}

/** The asset a history file prices, from its name: `BTCUSDT_1d.csv` -> BTC, `eth-daily.csv` -> ETH. */
function assetFromFileName(file: string): string {
  const head = basename(file).replace(/\.[^.]*$/, '').split(/[_\-. ]/)[0].toUpperCase();
  return head.replace(/(USDT|USDC|BUSD|USD|PERP)$/, '') || head;
}

/**
 * Check the close of every row before parsePriceCsv reads it: a positive decimal number (no `0x10`,
 * `0b1`, `1_000`, `Infinity`, and nothing that overflows a double such as `1e999`, which would
 * surface later as a non-finite scenario return with no file or line).
 * @returns the file line of each row's date (dates as parsePriceCsv reads them: the first 10 characters).
 * @throws BadInputError naming the file, the line and the column.
 */
function scanHistory(text: string, file: string): Map<string, number> {
  const lines = text.split(/\r?\n/);
  const first = lines.findIndex((l) => l.trim() !== '');
  const lineOfDate = new Map<string, number>();
  if (first < 0) return lineOfDate;
  const head = lines[first].split(',').map((s) => s.trim().toLowerCase());
  const iDate = head.includes('timestamp') ? head.indexOf('timestamp') : head.indexOf('date');
  const iClose = head.indexOf('close');
  if (iDate < 0 || iClose < 0) return lineOfDate; // parsePriceCsv reports the header
  for (let k = first + 1; k < lines.length; k++) {
    if (lines[k].trim() === '') continue;
    const cells = lines[k].split(',');
    const date = (cells[iDate] ?? '').trim().slice(0, 10);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new BadInputError(`expected a date YYYY-MM-DD, got ${JSON.stringify(date)}`, { file, line: k + 1, field: head[iDate] });
    const close = cells[iClose] ?? '';
    if (!(parseDecimal(close) > 0)) throw new BadInputError(`expected a positive close, got ${JSON.stringify(close)}`, { file, line: k + 1, field: 'close' });
    lineOfDate.set(date, k + 1);
  }
  return lineOfDate;
}

/** Parse a history CSV; a bad row is reported as file:line: column. @throws BadInputError. */
export function parseHistory(text: string, file: string): PriceHistory {
  return parseHistoryLines(text, file).history;
}

/** {@link parseHistory}, with the file line of each date. */
function parseHistoryLines(text: string, file: string): { history: PriceHistory; lineOfDate: ReadonlyMap<string, number> } {
  const lineOfDate = scanHistory(text, file);
  let history: PriceHistory;
  try {
    history = parsePriceCsv(text);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    // parsePriceCsv names the row as `line N` (possibly followed by a column).
    const m = /^line (\d+)\b/.exec(e.path);
    if (!m) throw new BadInputError(inputProblem(e), { file, line: 1, field: 'header' });
    const line = Number(m[1]);
    const lines = text.trim().split(/\r?\n/);
    const head = lines[0].split(',').map((s) => s.trim().toLowerCase());
    const dateCol = head.includes('timestamp') ? 'timestamp' : 'date';
    const cells = (lines[line - 1] ?? '').split(',');
    const date = (cells[head.indexOf(dateCol)] ?? '').trim().slice(0, 10);
    const close = (cells[head.indexOf('close')] ?? '').trim();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new BadInputError(`expected a date YYYY-MM-DD, got ${JSON.stringify(date)}`, { file, line, field: dateCol });
    // The close as parsePriceCsv reads it: a decimal number (not `0x10`, which Number() reads as 16)
    // that fits a double (not `1e999`) and is positive; else the row's problem is its close.
    if (!(parseDecimal(close) > 0)) {
      throw new BadInputError(`expected a positive close, got ${JSON.stringify(close)}`, { file, line, field: 'close' });
    }
    throw new BadInputError(inputProblem(e), { file, line, field: dateCol });
  }
  // One return needs two closes; fewer (a header-only file) would surface later as "-1 common daily returns".
  if (history.close.length < 2) throw new BadInputError(`expected at least two daily closes, got ${history.close.length}`, { file });
  return { history, lineOfDate };
}

/** Read the history files: positional files (asset from the name) and `--history ASSET=path` entries. */
export async function readHistories(ctx: CliContext, files: string[], specs: string[], assets: string[]): Promise<HistoryInput[]> {
  const chosen = new Map<string, { file: string; bundled: boolean }>();
  for (const f of files) chosen.set(assetFromFileName(f), { file: f, bundled: false });
  for (const s of specs) {
    const m = /^([A-Za-z0-9]+)=(.+)$/.exec(s);
    if (!m) throw new BadInputError(`expected ASSET=path, got ${JSON.stringify(s)}`, { field: '--history' });
    chosen.set(m[1].toUpperCase(), { file: m[2], bundled: false });
  }
  const fromBundle: string[] = [];
  for (const a of assets) {
    if (chosen.has(a)) continue;
    const sample = BUNDLED_HISTORIES.get(a);
    if (files.length + specs.length > 0 || sample === undefined) {
      const given = [...chosen.keys()].join(', ') || 'none';
      throw new BadInputError(`no price history for asset ${a} (histories given for: ${given}; name a file ${a}USDT_1d.csv or pass --history ${a}=path)`);
    }
    chosen.set(a, { file: bundled(sample), bundled: true });
    fromBundle.push(`${a} ${sample}`);
  }
  if (fromBundle.length) ctx.note(`riskwasm: no history files given: using the bundled daily closes ${fromBundle.join(', ')}`);
  const out: HistoryInput[] = [];
  for (const a of assets) {
    const { file, bundled: isBundled } = chosen.get(a)!;
    const shown = isBundled ? BUNDLED_HISTORIES.get(a)! : displayPath(file);
    out.push({ asset: a, file: shown, bundled: isBundled, ...parseHistoryLines(await readText(file), shown) });
  }
  return out;
}

/** Read and check the shape of a portfolio file (or the bundled example). @throws BadInputError with file:line: field. */
export async function readPortfolio(ctx: CliContext, path: unknown): Promise<PortfolioInput> {
  const isBundled = path === undefined;
  const file = isBundled ? bundled(BUNDLED_PORTFOLIO) : String(path);
  if (isBundled) ctx.note(`riskwasm: no --portfolio given: using the bundled example ${BUNDLED_PORTFOLIO}`);
  const shown = isBundled ? BUNDLED_PORTFOLIO : displayPath(file);
  const text = await readText(file);
  const data = parseJsonFile(text, shown);
  const lines = jsonLines(text, shown);
  const where = (field: string) => ({ file: shown, line: lineOf(lines, field), field });
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new BadInputError('expected a JSON object with "positions"', { file: shown, line: 1 });
  const d = data as Record<string, unknown>;
  if (!Array.isArray(d.positions) || d.positions.length === 0) throw new BadInputError('expected a non-empty array of positions', where('positions'));
  d.positions.forEach((p, i) => {
    if (p === null || typeof p !== 'object') throw new BadInputError('expected a position object', where(`positions[${i}]`));
    const asset = (p as { asset?: unknown }).asset;
    if (typeof asset !== 'string' || asset === '') throw new BadInputError(`expected an asset name such as "BTC", got ${JSON.stringify(asset)}`, where(`positions[${i}].asset`));
  });
  if (d.spots !== undefined && (d.spots === null || typeof d.spots !== 'object')) throw new BadInputError('expected an object of spots by asset', where('spots'));
  return {
    file: shown,
    bundled: isBundled,
    name: typeof d.name === 'string' ? d.name : basename(shown),
    description: typeof d.description === 'string' ? d.description : undefined,
    portfolio: { spots: d.spots as Record<string, number> | undefined, positions: d.positions as Position[], accounts: d.accounts as Portfolio['accounts'] },
    lineOf: (p) => lineOf(lines, p),
  };
}

/** Re-attribute an InputError about `portfolio.<path>` to the portfolio file and line. */
export function portfolioError(e: unknown, input: PortfolioInput): unknown {
  if (!(e instanceof InputError) || !e.path.startsWith('portfolio')) return e;
  const field = e.path.replace(/^portfolio\.?/, '');
  return new BadInputError(inputProblem(e), { file: input.file, line: input.lineOf(field), field });
}
