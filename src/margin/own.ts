/**
 * Look-ups in tables keyed by data (asset names, instrument names, member ids). Names come from
 * callers and from files, so a name such as `__proto__`, `constructor` or `toString` must never
 * reach `Object.prototype`: reads see own properties only, and tables built here have no prototype.
 */

/** Own enumerable-or-not property `key` of `table`, else undefined (inherited members are unknown). @throws Nothing. */
export function own<T>(table: Readonly<Record<string, T>> | null | undefined, key: string): T | undefined {
  return table != null && Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Whether `table` has an own property `key`. @throws Nothing. */
export function hasOwn(table: object | null | undefined, key: string): boolean {
  return table != null && Object.hasOwn(table, key);
}

/** An empty table with no prototype: any string, `__proto__` included, is an ordinary key. @throws Nothing. */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
