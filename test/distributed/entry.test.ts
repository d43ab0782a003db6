// riskwasm/distributed without Redis: the main entry does not load its optional dependencies, and a
// malformed call is an InputError naming the field before any connection is made (the URL below
// points at a port nothing listens on: a connection attempt would surface as a hang or a Redis error).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputError, RiskwasmError, type MonteCarloArgs } from '../../src/index.js';
import { shapeFuzz } from '../fuzz/shape-fuzz.mjs';
import { registerJobSplit, runDistributed, startWorker, accountRangeSplit } from '../../src/distributed/index.js';
import { decode, decodeValues, encode, encodeValues } from '../../src/distributed/wire.js';
import { packAccounts, packRecords, unpackAccounts, unpackRecords } from '../../src/distributed/record-columns.js';
import fc from 'fast-check';
import { engineFor, propertySeed } from '../backends.js';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const NOWHERE = 'redis://127.0.0.1:1';

/** Every module `entry` loads through static imports (bundled dist/: relative chunk imports). */
function staticImports(entry: string): { files: Set<string>; bare: Set<string> } {
  const files = new Set<string>();
  const bare = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    // Static imports only: `import ... from "x"` and `export ... from "x"` at the start of a line.
    for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|^import\s*["']([^"']+)["']/gms)) {
      const spec = m[1] ?? m[2]!;
      if (spec.startsWith('.')) visit(join(dirname(file), spec));
      else bare.add(spec);
    }
  };
  visit(entry);
  return { files, bare };
}

const mcArgs: MonteCarloArgs = {
  model: { kind: 'gbm', spot: 100, rate: 0.03, vol: 0.25 }, payoff: { kind: 'european', strike: 100, type: 'call' }, expiry: 1, paths: 1000, steps: 1, seed: 1,
};

describe('riskwasm/distributed: entry and arguments', () => {
  it('the main entry, the CLI and the parallel barrel do not import bullmq or ioredis; the distributed entry does', () => {
    for (const entry of ['index.js', 'cli/main.js', 'parallel/index.js', 'internals.js']) {
      const { bare } = staticImports(join(DIST, entry));
      expect([...bare].filter((b) => b === 'bullmq' || b === 'ioredis'), entry).toEqual([]);
    }
    const { bare } = staticImports(join(DIST, 'distributed/index.js'));
    expect(bare.has('bullmq') && bare.has('ioredis')).toBe(true);
  });

  it('runDistributed: malformed jobs and options are InputErrors naming the field (closest key suggested)', async () => {
    const engine = await engineFor('js');
    const ok = { connection: NOWHERE };
    const cases: [unknown, unknown, string][] = [
      [{ kind: 'monteCarlo', args: mcArgs }, { ...ok, queu: 'x' }, 'options.queu'],
      [{ kind: 'monteCarlo', args: mcArgs }, { ...ok, queue: 'a:b' }, 'options.queue'],
      [{ kind: 'monteCarlo', args: mcArgs }, { connection: 'http://x' }, 'options.connection'],
      [{ kind: 'monteCarlo', args: mcArgs }, { connection: null }, 'options.connection'],
      [{ kind: 'monteCarlo', args: mcArgs }, { ...ok, shardSize: 0 }, 'options.shardSize'],
      [{ kind: 'monteCarlo', args: mcArgs }, { ...ok, attempts: 1.5 }, 'options.attempts'],
      [{ kind: 'monteCarlo', args: mcArgs }, { ...ok, ttlSeconds: 1 }, 'options.ttlSeconds'],
      [{ kind: 'monteCarlo', args: mcArgs }, { ...ok, redisTimeoutMs: Infinity }, 'options.redisTimeoutMs'],
      [{ kind: 'monteCarlo', args: mcArgs }, { ...ok, onProgress: 1 }, 'options.onProgress'],
      [{ kind: 'monteCarlo', args: mcArgs }, { ...ok, onStats: 'x' }, 'options.onStats'],
      [{ kind: 'monteCarlo', args: mcArgs }, { ...ok, signal: {} }, 'options.signal'],
      [{ kind: 'revaluePortfolio', args: {} }, { ...ok, shardSize: 10 }, 'options.shardSize'],
      [{ kind: 'monteCarlo', argz: mcArgs }, ok, 'job.argz'],
      [{ kind: 'montecarlo', args: mcArgs }, ok, 'job.kind'],
      [null, ok, 'job'],
      [{ kind: 'shards', task: '', job: {}, shards: 1 }, ok, 'job.task'],
      [{ kind: 'shards', task: 'philoxSum', job: {}, shards: -1 }, ok, 'job.shards'],
      [{ kind: 'monteCarloVar', portfolio: {}, scenarios: {}, confidence: 1 }, ok, 'job.confidence'],
    ];
    for (const [job, options, path] of cases) {
      const e = await runDistributed(engine, job as never, options as never).catch((x: unknown) => x);
      expect(e, path).toBeInstanceOf(InputError);
      expect((e as InputError).path, JSON.stringify(options)).toBe(path);
    }
    const typo = await runDistributed(engine, { kind: 'monteCarlo', args: mcArgs }, { ...ok, atempts: 2 } as never).catch((x: unknown) => x);
    expect((typo as InputError).suggestion).toBe('attempts');
    const noEngine = await runDistributed({} as never, { kind: 'monteCarlo', args: mcArgs }, ok).catch((x: unknown) => x);
    expect((noEngine as InputError).path).toBe('engine');
  });

  it('fuzz: hostile jobs and options to runDistributed, startWorker and registerJobSplit throw RiskwasmErrors, mutate nothing, never hang', async () => {
    const engine = await engineFor('js');
    const seed = propertySeed('distributed shape fuzz');
    // Hostile values never spell a redis URL or a valid job kind, so no case reaches Redis.
    const rw = {
      RiskwasmError,
      runDistributed: (...a: unknown[]) => runDistributed(...(a as [never, never, never])),
      runDistributedOnEngine: (...a: unknown[]) => runDistributed(engine, ...(a as [never, never])),
      startWorker: (...a: unknown[]) => startWorker(...(a as [never])),
      registerJobSplit: (...a: unknown[]) => registerJobSplit(...(a as [never, never])),
    };
    const violations = await shapeFuzz(rw, new Map([['js', engine]]), {
      seed, runsPerEntry: 150, slowMs: 2000, only: ['runDistributed', 'runDistributedOnEngine', 'startWorker', 'registerJobSplit'],
    });
    expect(violations).toEqual([]);
  });

  it('startWorker: malformed options are InputErrors before connecting', async () => {
    const cases: [unknown, string][] = [
      [{ connection: NOWHERE, concurency: 2 }, 'options.concurency'],
      [{ connection: NOWHERE, concurrency: 0 }, 'options.concurrency'],
      [{ connection: NOWHERE, lockDuration: 5 }, 'options.lockDuration'],
      [{ connection: NOWHERE, queue: '' }, 'options.queue'],
      [{ connection: 42 }, 'options.connection'],
      [{ connection: NOWHERE, taskModules: [3] }, 'options.taskModules[0]'],
    ];
    for (const [options, path] of cases) {
      const e = await startWorker(options as never).catch((x: unknown) => x);
      expect(e, path).toBeInstanceOf(InputError);
      expect((e as InputError).path).toBe(path);
    }
    await expect(startWorker(null as never)).rejects.toBeInstanceOf(InputError);
  });

  it('registerJobSplit checks its arguments; the account split joins back to the same slice at the same indices', () => {
    expect(() => registerJobSplit('', accountRangeSplit)).toThrow(InputError);
    expect(() => registerJobSplit('x', { split: () => null } as never)).toThrow(InputError);
    const accounts = Array.from({ length: 23 }, (_, i) => ({ id: `a${i}`, positions: [] }));
    const job = { accounts, market: { m: 1 }, grid: { g: 2 }, aggregation: 'joint', accountsPerShard: 5 };
    const split = accountRangeSplit.split(job)!;
    for (let k = 0; k < 5; k++) {
      const joined = accountRangeSplit.join(decode(encode(split.shared)), decode(encode(split.part(k))), k) as typeof job;
      expect(joined.accounts.length).toBe(23);
      expect(joined.accounts.slice(5 * k, 5 * k + 5)).toEqual(accounts.slice(5 * k, 5 * k + 5));
      expect(joined.market).toEqual(job.market);
      expect(joined.accountsPerShard).toBe(5);
    }
    // Shapes it does not know travel whole.
    expect(accountRangeSplit.split({ accounts: 'x', accountsPerShard: 5 })).toBeNull();
    expect(accountRangeSplit.split({ accounts, accountsPerShard: 0 })).toBeNull();
  });

  it('account columns round-trip exactly (keys in their order, -0, NaN, strings, null, undefined, booleans); other shapes are refused', () => {
    const seed = propertySeed('record columns');
    const primitive = fc.oneof(
      fc.double(), fc.constantFrom(-0, NaN, Infinity, -Infinity, 5e-324), fc.string({ maxLength: 6 }), fc.constantFrom(null, undefined, true, false),
    );
    const record = fc.dictionary(fc.constantFrom('instrument', 'size', 'entryPrice', 'accruedFunding', 'x'), primitive, { maxKeys: 5, noNullPrototype: true });
    const account = fc.record({
      id: fc.option(fc.string({ maxLength: 4 }), { nil: undefined }),
      collateral: fc.option(fc.dictionary(fc.constantFrom('USDC', 'BTC', 'ETH'), fc.double(), { noNullPrototype: true }), { nil: undefined }),
      positions: fc.array(record, { maxLength: 6 }),
    }, { requiredKeys: ['positions'], noNullPrototype: true });
    fc.assert(fc.property(fc.array(account, { maxLength: 8 }), (accounts) => {
      const packed = packAccounts(accounts)!;
      expect(packed).not.toBeNull();
      const back = unpackAccounts(decode(encode(packed)) as typeof packed);
      // Same keys in the same order, every value identical (Object.is).
      const flat = (v: unknown): unknown[] => v !== null && typeof v === 'object'
        ? Object.entries(v).flatMap(([k, x]) => [k, ...flat(x)]) : [Object.is(v, -0) ? '-0' : Number.isNaN(v) ? 'NaN' : v === undefined ? 'undefined' : v];
      expect(flat(back)).toEqual(flat(accounts));
    }), { seed, numRuns: 200 });
    expect(packRecords([{ a: { nested: 1 } }])).toBeNull();
    expect(packRecords([{ a: 1n }])).toBeNull();
    expect(packRecords([JSON.parse('{"__proto__": 1}')])).toBeNull();
    expect(packRecords([[1]])).toBeNull();
    expect(packRecords([Object.create(null)])).toBeNull();
    expect(packAccounts([{ positions: 'x' }])).toBeNull();
    // eslint-disable-next-line no-sparse-arrays
    expect(packAccounts([{ positions: [{ size: 1 }, , { size: 2 }] }])).toBeNull();
    expect(unpackRecords(packRecords([])!)).toEqual([]);
  });

  it('the wire keeps every double exactly (NaN, -0, infinities, subnormals) and typed arrays on shared memory', () => {
    const specials = Float64Array.of(0, -0, NaN, Infinity, -Infinity, 5e-324, -Number.MAX_VALUE, 0.1 + 0.2);
    const back = decodeValues(encodeValues(specials));
    expect(back.length).toBe(specials.length);
    for (let i = 0; i < specials.length; i++) expect(Object.is(back[i], specials[i]), String(i)).toBe(true);
    const shared = new Float64Array(new SharedArrayBuffer(3 * 8));
    shared.set([1, -0, NaN]);
    const input = { a: shared, nested: [{ b: shared.subarray(1) }], m: new Map([['k', 1]]) };
    const out = decode(encode(input)) as typeof input;
    expect(Array.from(out.a).map((v) => Object.is(v, -0) ? '-0' : String(v))).toEqual(['1', '-0', 'NaN']);
    expect(out.nested[0]!.b.length).toBe(2);
    expect(out.m.get('k')).toBe(1);
    // The caller's object is not modified.
    expect(input.a).toBe(shared);
  });
});
