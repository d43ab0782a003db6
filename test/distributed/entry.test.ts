// riskwasm/distributed without Redis: the main entry does not load its optional dependencies, and a
// malformed call is an InputError naming the field before any connection is made (the URL below
// points at a port nothing listens on: a connection attempt would surface as a hang or a Redis error).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputError, RiskwasmError, type MonteCarloArgs } from '../../src/index.js';
import { shapeFuzz } from '../fuzz/shape-fuzz.mjs';
import { registerJobSplit, runDistributed, startWorker } from '../../src/distributed/index.js';
import { jobSplitOf, marginJobSplit } from '../../src/distributed/job-split.js';
import { decode, decodeValues, encode, encodeValues } from '../../src/distributed/wire.js';
import snapshot from '../../data/market/deribit_options_snapshot_20260415T102447Z.csv?raw';
import { loadDeribitChain } from '../../src/index.js';
import { DERIBIT_GRID, marketFromDeribitChain } from '../../src/margin/index.js';
import { checkAggregation, checkGrid } from '../../src/margin/portfolio-margin.js';
import { marketForWorkers } from '../../src/margin/market.js';
import { splitMarginJob } from '../../src/margin/margin-shard-plan.js';
import { getShardTask } from '../../src/parallel/shard-tasks.js';
import { engineFor, propertySeed } from '../backends.js';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const NOWHERE = 'redis://127.0.0.1:1';
const market = marketFromDeribitChain(loadDeribitChain(snapshot));
const names = Object.keys(market.vols!).filter((n) => market.vols![n] !== undefined);

/** Every module `entry` loads through static imports (bundled dist/: relative chunk imports). */
function staticImports(entry: string): { files: Set<string>; bare: Set<string> } {
  const files = new Set<string>();
  const bare = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    // Static imports only: `import ... from "x"` and `export ... from "x"` at the start of a line,
    // or after `;`/`}` in minified output (`import{a as b}from"x";import"y"`) [simd].
    for (const m of text.matchAll(/(?:^|[;}])\s*(?:import|export)\b[^;'"()]*?from\s*["']([^"']+)["']|(?:^|[;}])\s*import\s*["']([^"']+)["']/gm)) {
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
      [{ kind: 'portfolioMargin', accounts: [], market: {}, grid: {}, output: 'column' }, ok, 'job.output'],
      [{ kind: 'portfolioMargin', accounts: [], market: {}, grid: {}, outputs: 'columns' }, ok, 'job.outputs'],
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

  it('registerJobSplit checks its arguments; the margin split stores shared once and shard k only parts[k], and the joined shard computes the same bits', async () => {
    expect(() => registerJobSplit('', marginJobSplit)).toThrow(InputError);
    expect(() => registerJobSplit('x', { split: () => null } as never)).toThrow(InputError);
    expect(jobSplitOf('portfolioMargin')).toBe(marginJobSplit);
    expect(jobSplitOf('portfolioLiquidation')).toBe(marginJobSplit);
    const accounts = Array.from({ length: 230 }, (_, a) => ({
      id: `a${a}`,
      collateral: { USDC: 10_000 + a },
      positions: Array.from({ length: 6 }, (_, k) => ({ instrument: names[(a * 37 + k * 101) % names.length]!, size: ((a + k) % 5) - 2 })),
    }));
    const shards = Math.ceil(accounts.length / 20);
    const job = splitMarginJob(accounts, 20, { market: marketForWorkers(market), grid: checkGrid(DERIBIT_GRID), aggregation: checkAggregation(undefined) });
    const split = marginJobSplit.split(job)!;
    // What travels: the shared blob holds no part; each shard's blob holds its own part only, so
    // the parts' bytes add up to the whole job's (less the shared part) and no part is near it.
    const whole = encode(job).byteLength;
    const sharedBytes = encode(split.shared).byteLength;
    const partBytes = Array.from({ length: shards }, (_, k) => encode(split.part(k)).byteLength);
    const total = partBytes.reduce((x, y) => x + y, 0);
    expect(sharedBytes + total).toBeGreaterThan(0.97 * whole);
    // Each blob has its own serialisation header (a few hundred bytes at most).
    expect(sharedBytes + total).toBeLessThan(whole + 400 * shards);
    expect(Math.max(...partBytes)).toBeLessThan((2 * total) / shards);
    expect(sharedBytes).toBeLessThan(whole - 0.9 * total);
    const storedShared = decode(encode(split.shared));
    const task = getShardTask('portfolioMargin');
    const engine = await engineFor('js');
    const joined = Array.from({ length: shards }, (_, k) => marginJobSplit.join(storedShared, decode(encode(split.part(k))), k) as typeof job);
    for (let k = 0; k < shards; k++) {
      expect(joined[k]!.parts.length).toBe(shards);
      expect(Object.keys(joined[k]!.parts)).toEqual([String(k)]);
      // One shared object per job (the tasks cache on its identity).
      expect(joined[k]!.shared).toBe(joined[0]!.shared);
      const a = task(engine, joined[k], k), b = task(engine, job, k);
      expect(a.length).toBe(b.length);
      for (let i = 0; i < b.length; i++) expect(Object.is(a[i], b[i]), `shard ${k} [${i}]`).toBe(true);
    }
    // Shapes it does not know travel whole.
    expect(marginJobSplit.split({ accounts, accountsPerShard: 5 })).toBeNull();
    expect(marginJobSplit.split({ shared: { names: 'x' }, parts: [] })).toBeNull();
    expect(marginJobSplit.split(null)).toBeNull();
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
