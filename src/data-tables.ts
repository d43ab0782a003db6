/**
 * Tables keyed by data (asset, instrument and member names, account ids). Names come from callers
 * and from files, so a name such as `__proto__`, `constructor` or `toString` must never reach
 * `Object.prototype`: reads see own properties only, and tables built here have no prototype.
 * One module for the margin, risk and CLI layers (they had three copies).
 */

function isObject(v: unknown): v is object {
  return v !== null && (typeof v === 'object' || typeof v === 'function');
}

/** Own property `key` of `table`, else undefined (inherited members are unknown). @throws Nothing. */
export function own<T>(table: Readonly<Record<string, T>> | null | undefined, key: string): T | undefined {
  return isObject(table) && Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Own property `key` of any value (undefined for non-objects and inherited members). @throws Nothing. */
export function ownValue(obj: unknown, key: string): unknown {
  return isObject(obj) && Object.hasOwn(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
}

/** Whether `obj` is an object with an own property `key`. @throws Nothing. */
export function hasOwn(obj: unknown, key: string): boolean {
  return isObject(obj) && Object.hasOwn(obj, key);
}

/** An empty table with no prototype: any string, `__proto__` included, is an ordinary key. @throws Nothing. */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** A prototype-free table of `entries`: every key, `__proto__` included, becomes an own property. @throws Nothing. */
export function dictOf<V>(entries: Iterable<readonly [string, V]>): Record<string, V> {
  const out = dict<V>();
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}
