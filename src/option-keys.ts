import { hasOwn } from './data-tables.js';
import { InputError } from './errors.js';

/**
 * Unknown-key checks for public options objects. A misspelled option (`horizonDay` for
 * `horizonDays`) must not silently fall back to a default: that is a wrong number with no warning.
 */

/** Edit distance (insertions, deletions, substitutions, adjacent transpositions), case-insensitive. */
function editDistance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  const m = a.length;
  const n = b.length;
  // Three rows suffice for the transposition rule (optimal string alignment).
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n]!;
}

/**
 * The valid key closest to `key`: smallest edit distance, ties to the first in `allowed`; a key
 * that contains or is contained in a valid one (`dividendYield` / `dividendYields`) counts as close.
 * Undefined when nothing is within a third of the key's length (a suggestion should look plausible).
 */
export function closestKey(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const k = key.toLowerCase();
  for (const a of allowed) {
    const al = a.toLowerCase();
    let d = editDistance(k, al);
    if (k.length >= 3 && al.length >= 3 && (al.includes(k) || k.includes(al))) d = Math.min(d, 1);
    if (d < bestD) {
      bestD = d;
      best = a;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.ceil(key.length / 3)) ? best : undefined;
}

/**
 * True when every own enumerable key of `options` is in `allowed`: O(keys), no allocation. The
 * fast path of the hot entry points (one pricing call per option); on false, call
 * {@link checkKeys} (or a checker with hints) for the error.
 * @throws Nothing.
 */
export function hasOnlyKeys(options: object, allowed: ReadonlySet<string>): boolean {
  for (const key in options) if (!allowed.has(key) && hasOwn(options, key)) return false;
  return true;
}

/**
 * Check that every own enumerable key of `options` is one of `allowed`.
 * @param path the options object's path (`'options'`, `'args'`, `'grid'`); an unknown key is
 *   reported as `path.key` (or `key` alone when `path` is empty).
 * @throws InputError naming the unknown key, its value and the closest valid key.
 */
export function checkKeys(options: object, allowed: readonly string[], path: string): void {
  // for...in walks V8's enum cache without allocating (Object.keys copies it into a new array on
  // every call); inherited enumerable keys are skipped, so the keys checked are Object.keys'.
  for (const key in options) {
    if (allowed.includes(key) || !hasOwn(options, key)) continue;
    const suggestion = closestKey(key, allowed);
    const where = path === '' ? key : `${path}.${key}`;
    throw new InputError(
      where,
      (options as Record<string, unknown>)[key],
      `a known option of this call, one of ${allowed.map((a) => `'${a}'`).join(', ')}`,
      suggestion,
    );
  }
}
