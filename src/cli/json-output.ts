/**
 * Stable JSON output: typed arrays become arrays, non-finite numbers become null (JSON has no
 * NaN), keys keep their insertion order, two-space indentation, trailing newline.
 */

/** Serialise a report; NaN and +-Infinity -> null, typed arrays -> arrays. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (typeof v === 'number') return Number.isFinite(v) ? v : null;
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>, (x) => (Number.isFinite(x) ? x : null));
    return v;
  }, 2) + '\n';
}
