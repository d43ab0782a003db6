/**
 * The bundled sample data: the repository's Deribit chain snapshot and Binance daily closes
 * (provenance and licences in data/README.md). Imported with `?url`, so `vite build` copies them
 * into dist/assets and the page fetches them from its own origin: no network beyond the page.
 */
import chainUrl from '../../../data/market/deribit_options_snapshot_20260105T153329Z.csv?url';
import btcUrl from '../../../data/history/BTCUSDT_1d.csv?url';
import ethUrl from '../../../data/history/ETHUSDT_1d.csv?url';
import spxUrl from '../../../data/market/spx_quotedata_20230820.csv?url';

/** The file name shown for the bundled chain. */
export const SAMPLE_CHAIN_NAME = 'deribit_options_snapshot_20260105T153329Z.csv';

async function text(url: string): Promise<string> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not load ${url}: HTTP ${res.status}`);
  return res.text();
}

/** The file name shown for the bundled Cboe chain. */
export const SAMPLE_SPX_NAME = 'spx_quotedata_20230820.csv';

/** The bundled Cboe SPX chain (delayed-quotes download, 2023-08-20; provenance in data/README.md). */
export function sampleSpxCsv(): Promise<string> {
  return text(spxUrl);
}

/** The bundled Deribit chain (CSV text). */
export function sampleChainCsv(): Promise<string> {
  return text(chainUrl);
}

/** Daily closes per asset (CSV text), for the historical scenarios of the VaR panel. */
export async function sampleHistoriesCsv(): Promise<Record<'BTC' | 'ETH', string>> {
  const [BTC, ETH] = await Promise.all([text(btcUrl), text(ethUrl)]);
  return { BTC, ETH };
}
