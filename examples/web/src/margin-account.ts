/**
 * The example margin account of section 4, picked from the loaded chain so that it works on any
 * Deribit chain CSV of the same format (the bundled one or one the user drops): a short strangle
 * (a ~25-delta put and a ~25-delta call sold on the expiry nearest 30 days), delta-hedged with the
 * perpetual, on coin collateral. Instruments are referenced by their Deribit names; the market
 * built by `marketFromDeribitChain` supplies strikes, expiries, forwards and mark IVs.
 */
import type { DeribitChain, MarginAccount, MarginMarket } from 'riskwasm';

/** What the strangle is built from: delta of each leg (Deribit's delta), days to the expiry. */
export const STRANGLE_DELTA = 0.25;
export const STRANGLE_DAYS = 30;
/** Notional of each option leg, USD (rounded to one significant digit of coins). */
export const LEG_NOTIONAL_USD = 1_000_000;
/** Collateral in coins per coin of strangle size. */
export const COLLATERAL_PER_COIN = 0.3;

export interface MarginLeg {
  instrument: string;
  /** Size in coins (negative = short). */
  size: number;
  /** What the leg is, for the table. */
  label: string;
  /** Deribit's delta and mark IV (decimal) of an option leg; NaN for the perpetual. */
  delta: number;
  markIv: number;
  /** Days to expiry (options), NaN for the perpetual. */
  days: number;
}

export interface MarginExample {
  account: MarginAccount;
  currency: string;
  /** One entry per position of `account`, same order. */
  legs: MarginLeg[];
}

/** `x` rounded to one significant digit (10.7 -> 10, 312 -> 300). */
function oneDigit(x: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(x)));
  return Math.max(1, Math.round(x / p)) * p;
}

/** Row of the chain of `type` on `expiry` whose delta is nearest `target`, among rows with a mark IV. */
function nearestDelta(chain: DeribitChain, currency: string, expiry: string, type: 1 | -1, target: number): number {
  let best = -1;
  for (let i = 0; i < chain.length; i++) {
    if (chain.currency[i] !== currency || chain.expiry[i] !== expiry || chain.type[i] !== type) continue;
    if (!(chain.markIv[i] > 0) || !Number.isFinite(chain.delta[i])) continue;
    if (best < 0 || Math.abs(chain.delta[i] - target) < Math.abs(chain.delta[best] - target)) best = i;
  }
  return best;
}

/**
 * Build the example account on the first of `currencies` the chain has options of (and the market
 * an index for). Null when none fits (no such currency, or no expiry with both a call and a put
 * carrying a mark IV and a delta).
 */
export function exampleMarginAccount(chain: DeribitChain, market: MarginMarket, currencies: readonly string[]): MarginExample | null {
  for (const currency of currencies) {
    const index = market.assets[currency]?.index;
    if (!(index > 0)) continue;
    // Expiries by time to maturity, nearest STRANGLE_DAYS first; the first with both legs wins.
    const expiries = new Map<string, number>();
    for (let i = 0; i < chain.length; i++) if (chain.currency[i] === currency && chain.timeToMaturity[i] > 0) expiries.set(chain.expiry[i], chain.timeToMaturity[i]);
    const byDistance = [...expiries].sort((a, b) => Math.abs(a[1] * 365.25 - STRANGLE_DAYS) - Math.abs(b[1] * 365.25 - STRANGLE_DAYS));
    for (const [expiry, T] of byDistance) {
      const put = nearestDelta(chain, currency, expiry, -1, -STRANGLE_DELTA);
      const call = nearestDelta(chain, currency, expiry, 1, STRANGLE_DELTA);
      if (put < 0 || call < 0) continue;
      const size = -oneDigit(LEG_NOTIONAL_USD / index);
      const days = T * 365.25;
      const option = (i: number, what: string): MarginLeg => ({
        instrument: chain.instrument[i], size, label: `${chain.instrument[i]}, short ${-size} (${what})`, delta: chain.delta[i], markIv: chain.markIv[i], days,
      });
      const legs = [option(put, 'strangle put'), option(call, 'strangle call')];
      // Delta hedge in the perpetual, in steps of 1% of the strangle size.
      const step = -size / 100;
      const hedge = Math.round(-(size * chain.delta[put] + size * chain.delta[call]) / step) * step;
      const perp = `${currency}-PERPETUAL`;
      if (hedge !== 0 && market.instruments?.[perp]) {
        const rounded = Number(hedge.toPrecision(12));
        legs.push({ instrument: perp, size: rounded, label: `${perp}, ${rounded > 0 ? 'long' : 'short'} ${Math.abs(rounded)} (delta hedge)`, delta: NaN, markIv: NaN, days: NaN });
      }
      const account: MarginAccount = {
        id: `short ${currency} strangle`,
        collateral: { [currency]: Number((COLLATERAL_PER_COIN * -size).toPrecision(12)) },
        positions: legs.map((l) => ({ instrument: l.instrument, size: l.size })),
      };
      return { account, currency, legs };
    }
  }
  return null;
}
