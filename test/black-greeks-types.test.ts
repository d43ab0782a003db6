import { describe, it, expect, expectTypeOf } from 'vitest';
import { BACKENDS, engineFor } from './backends.js';
import type { Engine, PricingResult } from '../src/index.js';

// Issue 11 item 17: with `greeks: true` the greeks are computed, so they are typed as present
// (no `!` needed under `strict`); without it they stay optional. expectTypeOf is checked by the
// compiler: `npx tsc -p test/tsconfig.types.json` (strict, this file only) fails without the
// overloads on engine.blackScholes / engine.black76; the last test below runs exactly that.

type Present = Float64Array;
type Optional = Float64Array | undefined;

describe.each(BACKENDS)('greeks typed as present with greeks: true (%s)', (backend) => {
  it('blackScholes / black76: greeks: true gives Float64Array greeks, otherwise optional', async () => {
    const engine: Engine = await engineFor(backend);
    const bs = engine.blackScholes({ spots: 100, strikes: 105, expiries: 0.5, vols: 0.2, rates: 0.03, types: 'call', greeks: true });
    expectTypeOf(bs.delta).toEqualTypeOf<Present>();
    expectTypeOf(bs.gamma).toEqualTypeOf<Present>();
    expectTypeOf(bs.vega).toEqualTypeOf<Present>();
    expectTypeOf(bs.theta).toEqualTypeOf<Present>();
    expectTypeOf(bs.rho).toEqualTypeOf<Present>();
    expectTypeOf(bs.vanna).toEqualTypeOf<Present>();
    expectTypeOf(bs.volga).toEqualTypeOf<Present>();
    // the README's pattern: index a greek without a non-null assertion
    const delta: number = bs.delta[0];
    expect(delta).toBeGreaterThan(0);
    expect(bs.vega[0]).toBeGreaterThan(0);

    const plain = engine.blackScholes({ spots: 100, strikes: 105, expiries: 0.5, vols: 0.2, rates: 0.03, types: 'call' });
    expectTypeOf(plain.delta).toEqualTypeOf<Optional>();
    expect(plain.delta).toBeUndefined();

    const flag: boolean = Math.random() < 2; // a boolean not known at compile time: greeks stay optional
    const maybe = engine.blackScholes({ spots: 100, strikes: 105, expiries: 0.5, vols: 0.2, rates: 0.03, types: 'call', greeks: flag });
    expectTypeOf(maybe).toEqualTypeOf<PricingResult>();

    const b76 = engine.black76({ forwards: 100, strikes: 90, expiries: 1, vols: 0.3, types: 'put', greeks: true });
    expectTypeOf(b76.gamma).toEqualTypeOf<Present>();
    expectTypeOf(b76.premiumAdjustedDelta).toEqualTypeOf<Optional>();
    expect(b76.gamma[0]).toBeGreaterThan(0);

    const coin = engine.black76({ forwards: 60000, strikes: 65000, expiries: 30 / 365, vols: 0.6, types: 'call', settlement: 'coin', greeks: true });
    expectTypeOf(coin.premiumAdjustedDelta).toEqualTypeOf<Present>();
    expect(coin.premiumAdjustedDelta[0]).toBe(coin.delta[0] - coin.price[0]);
  });
});

describe('the type assertions above compile (tsc --noEmit, strict)', () => {
  it.runIf(typeof process !== 'undefined' && !!process.versions?.node)('npx tsc -p test/tsconfig.types.json', async () => {
    const { execFile } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const root = fileURLToPath(new URL('..', import.meta.url));
    const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
    const out = await new Promise<string>((resolve) => {
      execFile(process.execPath, [tsc, '-p', 'test/tsconfig.types.json'], { cwd: root }, (err, stdout, stderr) => resolve(err ? `${stdout}${stderr}` || String(err) : ''));
    });
    expect(out).toBe('');
  }, 120_000);
});
