import { describe, expect, it } from 'vitest';
import { InputError } from '../src/index.js';
import { BACKENDS, engineFor } from './backends.js';

// An input array whose element getter calls the same engine: the nested call would reset the heap
// arena under the columns the outer call has already copied in. The arena is locked during the
// copy, so the nested call is refused (InputError) and the outer result cannot be corrupted.
describe.each(BACKENDS)('re-entrant input getters (%s)', (backend) => {
  const strikes = [80, 90, 100, 110, 120];
  const args = { spots: 100, expiries: 0.5, vols: 0.25, rates: 0.01, types: 'call' as const };

  function reentrantStrikes(engine: Awaited<ReturnType<typeof engineFor>>, swallow: boolean): number[] {
    const seen: unknown[] = [];
    const proxy = new Proxy(strikes.slice(), {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) {
          try {
            engine.blackScholes({ ...args, strikes: [50, 60, 70] });
          } catch (e) {
            seen.push(e);
            if (!swallow) throw e;
          }
        }
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    (proxy as unknown as { seen: unknown[] }).seen = seen;
    return proxy;
  }

  it('a getter that swallows the refusal gets the right prices (the outer columns are intact)', async () => {
    const engine = await engineFor(backend);
    const plain = engine.blackScholes({ ...args, strikes });
    const proxied = reentrantStrikes(engine, true);
    const got = engine.blackScholes({ ...args, strikes: proxied });
    expect(Array.from(got.price)).toEqual(Array.from(plain.price));
    const seen = (proxied as unknown as { seen: unknown[] }).seen;
    // The check pass reads elements too (not locked); at least one nested call came during the copy.
    expect(seen.some((e) => e instanceof InputError && (e as InputError).path === 'inputs')).toBe(true);
    // The engine still works afterwards (the lock was released).
    expect(Array.from(engine.blackScholes({ ...args, strikes }).price)).toEqual(Array.from(plain.price));
  });

  it('a getter that lets the refusal through makes the outer call throw InputError, and the engine recovers', async () => {
    const engine = await engineFor(backend);
    const plain = engine.blackScholes({ ...args, strikes });
    expect(() => engine.blackScholes({ ...args, strikes: reentrantStrikes(engine, false) })).toThrow(InputError);
    expect(Array.from(engine.blackScholes({ ...args, strikes }).price)).toEqual(Array.from(plain.price));
  });
});
