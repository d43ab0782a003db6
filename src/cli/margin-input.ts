/**
 * Inputs of the `margin` command: a margin-accounts JSON file (one `MarginAccount`, or
 * `{ "accounts": [...] }`), with the library's error paths (`accounts[1].positions[0].instrument`)
 * mapped back to the file's lines, and unknown instrument names explained against the market
 * chain (expired before the snapshot, or not listed).
 */
import { basename } from 'node:path';
import { InputError } from '../errors.js';
import type { DeribitChain } from '../market/deribit-chain.js';
import { STABLECOINS } from '../margin/market.js';
import type { MarginAccount, MarginMarket } from '../margin/types.js';
import type { CliContext } from './command.js';
import { BadInputError, inputProblem } from './errors.js';
import { bundled, displayPath, readText } from './files.js';
import { jsonLines, lineOf, parseJsonFile } from './json-locate.js';
import { expiryLabel, MONTHS } from './market-input.js';
import { hasOwn } from '../data-tables.js';

/** The bundled example accounts used when no accounts file is given. */
const BUNDLED_MARGIN_ACCOUNTS = 'examples/portfolios/margin-accounts.json';

/** An accounts file: the accounts (as written, never modified) and where each field is. */
export interface AccountsInput {
  file: string;
  bundled: boolean;
  name: string;
  description?: string;
  accounts: MarginAccount[];
  /** Optional `description` of each account (not part of `MarginAccount`; the library ignores it). */
  descriptions: (string | undefined)[];
  /** True when the file is `{ "accounts": [...] }`, false for a single account object. */
  list: boolean;
  /** Source line of a field path of the file (`accounts[1].positions[0].size`, or `positions[0].size` for a single account). */
  lineOf(path: string): number | undefined;
  /** The file's own path of a library path over the accounts array (`accounts[0].x` -> `x` for a single account). */
  fileField(libraryPath: string): string;
}

/**
 * Read a margin-accounts file (or the bundled example, announced on stderr) and check its outer
 * shape; the accounts themselves are validated by the margin engine (see {@link accountsError}).
 * @throws BadInputError naming file, line and field.
 */
export async function readAccounts(ctx: CliContext, path: unknown): Promise<AccountsInput> {
  const isBundled = path === undefined;
  const abs = isBundled ? bundled(BUNDLED_MARGIN_ACCOUNTS) : String(path);
  if (isBundled) ctx.note(`riskwasm: no accounts file given: using the bundled example ${BUNDLED_MARGIN_ACCOUNTS}`);
  const file = isBundled ? BUNDLED_MARGIN_ACCOUNTS : displayPath(abs);
  const text = await readText(abs);
  const data = parseJsonFile(text, file);
  const lines = jsonLines(text, file);
  const where = (field: string) => ({ file, line: lineOf(lines, field), field });
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new BadInputError('expected a JSON object: one account { id, collateral, positions } or { "accounts": [...] }', { file, line: 1 });
  }
  const d = data as Record<string, unknown>;
  const list = d.accounts !== undefined;
  if (list && (!Array.isArray(d.accounts) || d.accounts.length === 0)) throw new BadInputError('expected a non-empty array of accounts', where('accounts'));
  if (!list && !Array.isArray(d.positions)) throw new BadInputError('expected an array of positions (or a file { "accounts": [...] })', where('positions'));
  const accounts = (list ? d.accounts : [d]) as MarginAccount[];
  const descriptions = accounts.map((a) => {
    const desc = (a as { description?: unknown } | null)?.description;
    return typeof desc === 'string' ? desc : undefined;
  });
  const fileField = (p: string) => (list ? p : p.replace(/^accounts\[0\]\.?/, ''));
  return {
    file,
    bundled: isBundled,
    name: typeof d.name === 'string' ? d.name : list ? basename(file) : String(d.id ?? basename(file)),
    description: typeof d.description === 'string' && list ? d.description : undefined,
    accounts,
    descriptions,
    list,
    lineOf: (p) => lineOf(lines, p),
    fileField,
  };
}

/** Expiry (ms since epoch, 08:00 UTC as Deribit lists) of a name like `BTC-27MAR26-...`, or undefined. */
function expiryOfName(name: string): number | undefined {
  const m = /^[A-Z0-9]+-(\d{1,2})([A-Z]{3})(\d{2})(?:-|$)/.exec(name);
  const month = MONTHS.indexOf(m?.[2] as (typeof MONTHS)[number]);
  if (!m || month < 0) return undefined;
  return Date.UTC(2000 + Number(m[3]), month, Number(m[1]), 8);
}

/** Why `name` is not in the chain: expired before the snapshot, or which expiries the chain lists. */
function unknownInstrument(name: unknown, chain: DeribitChain, marketFile: string): string {
  const snapshot = chain.timestamp.reduce((a, b) => (b > a ? b : a), '');
  const t = typeof name === 'string' ? expiryOfName(name) : undefined;
  if (t !== undefined && snapshot !== '' && t <= Date.parse(snapshot)) {
    return `${JSON.stringify(name)} expired on ${new Date(t).toISOString().slice(0, 10)}, before the market snapshot ${snapshot.slice(0, 19)}Z of ${marketFile}`;
  }
  const asset = typeof name === 'string' ? name.split('-')[0] : '';
  const assets = [...new Set(chain.currency)].sort();
  if (!assets.includes(asset)) return `unknown instrument ${JSON.stringify(name)}: ${marketFile} lists ${assets.join(', ')} only`;
  const labels = [...new Set(chain.expiry.filter((_, i) => chain.currency[i] === asset))].sort().map(expiryLabel);
  return `unknown instrument ${JSON.stringify(name)}: not listed in ${marketFile} (${asset} expiries: ${labels.join(', ')}; names like ${asset}-${labels[0]}-<strike>-C, ${asset}-${labels[0]}, ${asset}-PERPETUAL)`;
}

/**
 * Re-attribute an InputError of the margin engine about `accounts[i]...` to the accounts file,
 * with the line of the field; an unknown instrument is explained against the market chain.
 * Other errors are returned unchanged.
 */
export function accountsError(e: unknown, input: AccountsInput, chain: DeribitChain, marketFile: string): unknown {
  if (!(e instanceof InputError) || !/^accounts\[\d+\]/.test(e.path)) return e;
  const field = input.fileField(e.path);
  const problem = /\.instrument$/.test(e.path) && /market\.instruments/.test(e.message)
    ? unknownInstrument(e.value, chain, marketFile)
    : inputProblem(e)
      .replace(/on the position or in market\.vols\)/, 'as "vol" on the position: it names no instrument to look up)')
      .replace(/market\.vols\["[^"]*"\]/, `the mark IVs of ${marketFile}`);
  return new BadInputError(problem, { file: input.file, line: input.lineOf(field), field: field || 'account' });
}

/**
 * Check the names in the accounts file against the market before the margin engine sees them:
 * every collateral asset and position asset is a stablecoin or an asset of the market, every
 * position given by instrument name alone is a listed instrument. Names are looked up as own
 * entries only, so `constructor`, `toString` or `__proto__` are unknown names like `DOGE`, never
 * members of Object.prototype. Shapes (non-objects, missing arrays) are left to the engine's checks.
 * @throws BadInputError naming the file, the line and the field.
 */
export function checkAccountsMarket(input: AccountsInput, market: MarginMarket, chain: DeribitChain, marketFile: string): void {
  const listed = Object.keys(market.assets).sort();
  const known = (asset: unknown) => typeof asset === 'string' && (STABLECOINS.has(asset) || hasOwn(market.assets, asset));
  const fail = (path: string, problem: string): never => {
    const field = input.fileField(path);
    throw new BadInputError(problem, { file: input.file, line: input.lineOf(field), field });
  };
  const notAnAsset = (asset: string) =>
    `expected an asset of ${marketFile} (${listed.join(', ') || 'none'}) or a stablecoin (${[...STABLECOINS].join(', ')}), got ${JSON.stringify(asset)}`;
  input.accounts.forEach((acc, k) => {
    if (acc === null || typeof acc !== 'object') return;
    const collateral: unknown = acc.collateral;
    if (collateral !== null && typeof collateral === 'object' && !Array.isArray(collateral)) {
      for (const asset of Object.keys(collateral)) if (!known(asset)) fail(`accounts[${k}].collateral.${asset}`, notAnAsset(asset));
    }
    if (!Array.isArray(acc.positions)) return;
    acc.positions.forEach((p: unknown, i) => {
      if (p === null || typeof p !== 'object') return;
      const { kind, instrument, asset } = p as { kind?: unknown; instrument?: unknown; asset?: unknown };
      const path = `accounts[${k}].positions[${i}]`;
      if (kind === undefined && typeof instrument === 'string' && !hasOwn(market.instruments, instrument)) {
        fail(`${path}.instrument`, unknownInstrument(instrument, chain, marketFile));
      }
      if (kind !== undefined && typeof asset === 'string' && !known(asset)) fail(`${path}.asset`, notAnAsset(asset));
    });
  });
}
