/**
 * Redis connections and the settings both sides share (queue name, TTL), checked once.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Redis, type RedisOptions } from 'ioredis';
import { InputError } from '../errors.js';
import { defaultWasmUrl } from '../wasm-module.js';
import { contentHash } from './wire.js';

/** Where Redis is: a URL (`redis://host:6379/0`), ioredis options, or an ioredis client (duplicated, never closed by riskwasm). */
export type RedisConnection = string | RedisOptions | Redis;

/** @throws InputError (at `path`) unless `c` is a redis URL, an options object or an ioredis client. */
export function checkConnection(c: unknown, path: string): asserts c is RedisConnection {
  if (typeof c === 'string') {
    if (!/^rediss?:\/\//.test(c)) throw new InputError(path, c, "a redis URL ('redis://host:port/db'), ioredis options or an ioredis client");
    return;
  }
  if (c === null || typeof c !== 'object') throw new InputError(path, c, "a redis URL ('redis://host:port/db'), ioredis options or an ioredis client");
}

/** Queue names: BullMQ's keys are `bull:<name>:...`, so no colon; kept short and printable. */
const QUEUE_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** @throws InputError (at `path`) unless `q` is a queue name (1-100 of A-Z a-z 0-9 _ . -). */
export function checkQueueName(q: unknown, path: string): string {
  if (typeof q !== 'string' || !QUEUE_NAME.test(q)) throw new InputError(path, q, 'a queue name of 1-100 characters A-Z a-z 0-9 _ . -');
  return q;
}

/** @throws InputError (at `path`) unless `v` is undefined or an integer in [min, max]; returns it or `fallback`. */
export function optionalInteger(v: unknown, path: string, min: number, max: number, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new InputError(path, v, `an integer in [${min}, ${max}]`);
  return v;
}

/**
 * A new client for `c`. BullMQ needs `maxRetriesPerRequest: null` (commands wait across a
 * reconnect instead of failing after 20 retries); riskwasm's own waits have their own deadline
 * (`redisTimeoutMs`).
 */
export function openRedis(c: RedisConnection): Redis {
  if (c instanceof Redis) return c.duplicate({ maxRetriesPerRequest: null });
  if (typeof c === 'string') return new Redis(c, { maxRetriesPerRequest: null });
  return new Redis({ ...c, maxRetriesPerRequest: null });
}

let build: Promise<string> | undefined;

/**
 * This install's build id: the backend plus the SHA-256 of the release `.wasm` (the JS twin ships
 * with it). Submitter and workers compare it so that a worker on another version refuses a shard
 * instead of returning other bits.
 */
export function buildId(backend: string): Promise<string> {
  build ??= readFile(fileURLToPath(defaultWasmUrl())).then((b) => contentHash(b).slice(0, 16), () => 'unknown');
  return build.then((h) => `${backend}:${h}`);
}
