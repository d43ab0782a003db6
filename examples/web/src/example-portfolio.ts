/**
 * The example portfolio of the VaR panel, built from the loaded chain so that strikes, vols and
 * forwards are real quotes: a BTC collar (long spot, long a 90% put, short a 110% call, about
 * three months out) and a short ETH put (about one month out) against some ETH spot. Options are
 * Deribit's coin-settled kind; each takes the surface's mid IV at its strike and the forward's
 * basis over the index.
 */
import type { DeribitChain, Portfolio, Position, Surface } from 'riskwasm';

export interface ExamplePortfolio {
  portfolio: Portfolio;
  /** A line per position for the table: instrument name and what it is. */
  labels: string[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
}

/** Spot index (USD) of a currency: the median `index_price` of its options in the chain. */
function indexPrice(chain: DeribitChain, currency: string): number {
  const xs: number[] = [];
  for (let i = 0; i < chain.length; i++) if (chain.currency[i] === currency && chain.index[i] > 0) xs.push(chain.index[i]);
  return xs.length ? median(xs) : NaN;
}

/** The surface quote of `type` nearest to `moneyness * F` on the expiry nearest `days`. */
function pickQuote(s: Surface, days: number, moneyness: number, type: 'call' | 'put') {
  const e = s.expiries.reduce((best, x) => (Math.abs(x.expiry * 365.25 - days) < Math.abs(best.expiry * 365.25 - days) ? x : best));
  let best = -1;
  for (let i = 0; i < s.kept; i++) {
    if (s.quotes.expiries[i] !== e.expiry || s.quotes.types[i] !== type) continue;
    if (best < 0 || Math.abs(s.quotes.strikes[i] - moneyness * e.forward) < Math.abs(s.quotes.strikes[best] - moneyness * e.forward)) best = i;
  }
  if (best < 0) return null;
  return { i: best, strike: s.quotes.strikes[best], expiry: e.expiry, vol: s.quotes.vols[best], forward: e.forward, instrument: s.instruments[best] };
}

/**
 * Build the example portfolio from the chain and its BTC and ETH surfaces (either may be absent:
 * its legs are left out). Null when neither currency is there.
 */
export function examplePortfolio(chain: DeribitChain, surfaces: Partial<Record<'BTC' | 'ETH', Surface>>): ExamplePortfolio | null {
  const spots: Record<string, number> = {};
  const positions: Position[] = [];
  const labels: string[] = [];
  const option = (asset: string, spot: number, q: NonNullable<ReturnType<typeof pickQuote>>, type: 'call' | 'put', quantity: number): Position => ({
    kind: 'option', asset, quantity, strike: q.strike, expiry: q.expiry, vol: q.vol, type, settlement: 'coin',
    // Forward F = S e^{basis T}: the basis carries the quoted futures premium over the index.
    basis: Math.log(q.forward / spot) / q.expiry,
  });

  const btc = surfaces.BTC;
  const btcSpot = indexPrice(chain, 'BTC');
  if (btc && btc.kept > 0 && btcSpot > 0) {
    const put = pickQuote(btc, 90, 0.9, 'put'), call = pickQuote(btc, 90, 1.1, 'call');
    if (put && call) {
      spots.BTC = btcSpot;
      positions.push({ kind: 'spot', asset: 'BTC', quantity: 10 });
      labels.push('BTC spot, long 10');
      positions.push(option('BTC', btcSpot, put, 'put', 10));
      labels.push(`${put.instrument}, long 10 (protective put)`);
      positions.push(option('BTC', btcSpot, call, 'call', -10));
      labels.push(`${call.instrument}, short 10 (covered call)`);
    }
  }
  const eth = surfaces.ETH;
  const ethSpot = indexPrice(chain, 'ETH');
  if (eth && eth.kept > 0 && ethSpot > 0) {
    const put = pickQuote(eth, 30, 0.9, 'put');
    if (put) {
      spots.ETH = ethSpot;
      positions.push({ kind: 'spot', asset: 'ETH', quantity: 50 });
      labels.push('ETH spot, long 50');
      positions.push(option('ETH', ethSpot, put, 'put', -100));
      labels.push(`${put.instrument}, short 100 (put sold for premium)`);
    }
  }
  return positions.length ? { portfolio: { spots, positions }, labels } : null;
}
