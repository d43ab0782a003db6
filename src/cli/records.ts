/**
 * Tables keyed by data (asset names, account ids, option values) in the CLI. A plain object keyed
 * by data reads `Object.prototype` members for names like `constructor` or `toString`, and writing
 * `__proto__` replaces its prototype: such tables are `Map`s, or null-prototype objects where a
 * record is handed on (JSON output, library arguments).
 */

/** A null-prototype object of `entries`: every key, `__proto__` included, becomes an own property. */
export function dataRecord<V>(entries: Iterable<readonly [string, V]>): Record<string, V> {
  const out = Object.create(null) as Record<string, V>;
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

/** The own property `key` of `obj` (never an inherited one such as `constructor`), or undefined. */
export function ownValue(obj: unknown, key: string): unknown {
  return obj !== null && typeof obj === 'object' && Object.prototype.hasOwnProperty.call(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
}

/** Whether `key` is an own property of `obj` (not inherited from Object.prototype). */
export function hasOwn(obj: unknown, key: string): boolean {
  return obj !== null && typeof obj === 'object' && Object.prototype.hasOwnProperty.call(obj, key);
}
