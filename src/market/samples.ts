/**
 * The sample data shipped with the package (`data/market`, `data/history`; provenance and columns
 * in `data/README.md`), reachable from an installed copy whatever the working directory: each
 * file is located beside this module (`import.meta.url`), read from disk in Node and fetched in a
 * browser (bundlers that understand `new URL('...', import.meta.url)`, such as Vite, copy the file).
 *
 * @example
 * ```js
 * import { loadSampleChain, loadSampleText, sampleDataPath } from 'riskwasm';
 * const chain = await loadSampleChain('market/deribit_options_snapshot_20260415T102447Z.csv'); // 1630 options
 * const btc = await loadSampleText('history/BTCUSDT_1d.csv');                                  // Binance daily closes
 * sampleDataPath('history/BTCUSDT_1d.csv');   // '/.../node_modules/riskwasm/data/history/BTCUSDT_1d.csv' (Node)
 * ```
 */
import { InputError, RiskwasmError } from '../errors.js';
import { closestKey } from '../option-keys.js';
import { loadDeribitChain, type DeribitChain, type LoadChainOptions } from './deribit-chain.js';

/** A bundled sample: its path under `data/`. */
export type SampleName =
  | 'market/deribit_options_snapshot_20260105T153329Z.csv'
  | 'market/deribit_options_snapshot_20260415T102447Z.csv'
  | 'history/BTCUSDT_1d.csv'
  | 'history/ETHUSDT_1d.csv'
  | 'history/SOLUSDT_1d.csv';

// One literal `new URL(...)` per file, so bundlers can see and copy each one. This module is
// `src/market/samples.ts` in the repository and `dist/market/samples.js` when installed: the
// package root is two levels up in both.
const URLS = new Map<SampleName, () => URL>([
  ['market/deribit_options_snapshot_20260105T153329Z.csv', () => new URL('../../data/market/deribit_options_snapshot_20260105T153329Z.csv', import.meta.url)],
  ['market/deribit_options_snapshot_20260415T102447Z.csv', () => new URL('../../data/market/deribit_options_snapshot_20260415T102447Z.csv', import.meta.url)],
  ['history/BTCUSDT_1d.csv', () => new URL('../../data/history/BTCUSDT_1d.csv', import.meta.url)],
  ['history/ETHUSDT_1d.csv', () => new URL('../../data/history/ETHUSDT_1d.csv', import.meta.url)],
  ['history/SOLUSDT_1d.csv', () => new URL('../../data/history/SOLUSDT_1d.csv', import.meta.url)],
]);

/** Every bundled sample, chains first. */
export const SAMPLE_DATA: readonly SampleName[] = [...URLS.keys()];

/** The Deribit chain {@link loadSampleChain} reads by default (2026-01-05 15:33 UTC, BTC and ETH). */
export const DEFAULT_SAMPLE_CHAIN: SampleName = 'market/deribit_options_snapshot_20260105T153329Z.csv';

/**
 * URL of a bundled sample (`file:` in Node, the served location in a browser).
 * @throws InputError for an unknown name (with the closest valid one as `suggestion`).
 */
export function sampleDataUrl(name: SampleName): URL {
  const url = typeof name === 'string' ? URLS.get(name) : undefined;
  if (url === undefined) {
    throw new InputError('name', name, `a bundled sample (${SAMPLE_DATA.join(', ')})`, typeof name === 'string' ? closestKey(name, SAMPLE_DATA) : undefined);
  }
  return url();
}

/**
 * File-system path of a bundled sample (Node; the package is installed as files).
 * @throws InputError for an unknown name; RiskwasmError (code `'SAMPLE_NOT_A_FILE'`) where the
 * module was not loaded from a `file:` URL (a browser: use {@link loadSampleText}).
 */
export function sampleDataPath(name: SampleName): string {
  const url = sampleDataUrl(name);
  if (url.protocol !== 'file:') throw new RiskwasmError('SAMPLE_NOT_A_FILE', `sample ${name} is at ${url.href}, not a file: use loadSampleText(), which fetches it`);
  const path = decodeURIComponent(url.pathname);
  // file:///C:/x -> C:\x on Windows; POSIX paths as they are.
  return /^\/[A-Za-z]:\//.test(path) ? path.slice(1).replace(/\//g, '\\') : path;
}

/**
 * Text of a bundled sample: read from disk when this module was loaded from a `file:` URL (Node),
 * else fetched.
 * @throws InputError for an unknown name; RiskwasmError (code `'SAMPLE_UNAVAILABLE'`) when the file
 * cannot be read or fetched (e.g. a bundler that did not copy it).
 */
export async function loadSampleText(name: SampleName): Promise<string> {
  const url = sampleDataUrl(name);
  try {
    if (url.protocol === 'file:') {
      // Indirect specifier: browser bundlers leave the Node-only import alone (as the WASM loader does).
      const fsName = 'node:fs/promises';
      const fs = (await import(/* @vite-ignore */ fsName)) as { readFile(u: URL, encoding: 'utf8'): Promise<string> };
      return await fs.readFile(url, 'utf8');
    }
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return await response.text();
  } catch (e) {
    throw new RiskwasmError('SAMPLE_UNAVAILABLE', `cannot read sample ${name} at ${url.href}: ${(e as Error).message}`);
  }
}

/**
 * A bundled Deribit chain, parsed by {@link loadDeribitChain}.
 * @param name `'market/...'` sample (default {@link DEFAULT_SAMPLE_CHAIN}).
 * @param options passed to loadDeribitChain (`onError`).
 * @throws InputError for a name that is not a bundled chain or malformed options.
 */
export async function loadSampleChain(name: SampleName = DEFAULT_SAMPLE_CHAIN, options: LoadChainOptions = {}): Promise<DeribitChain> {
  if (typeof name !== 'string' || !name.startsWith('market/') || !URLS.has(name)) {
    const chains = SAMPLE_DATA.filter((n) => n.startsWith('market/'));
    throw new InputError('name', name, `a bundled chain (${chains.join(', ')})`, typeof name === 'string' ? closestKey(name, chains) : undefined);
  }
  // Options are checked before the file is read, so a bad call fails fast and the same way everywhere.
  loadDeribitChain('instrument_name,option_type,strike,time_to_maturity,underlying\n', options);
  return loadDeribitChain(await loadSampleText(name), options);
}
