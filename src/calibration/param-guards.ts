import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';

/**
 * The check of a parameter record (SviParams, SabrParams, ...) taken by the public scalar
 * functions: a non-null, non-array object whose every named field is a number (any number: an
 * out-of-domain value gives NaN where documented) and that has no other own key. No allocation on
 * the good path (the key scan is a for-in over the names), so it is cheap enough for per-call use.
 * @throws InputError naming `path` (not a record), `path.name` (a field that is not a number) or
 *   `path.key` (an unknown key, with the closest valid name).
 */
export function requireParamRecord(p: unknown, names: readonly string[], path: string, expected: string): void {
  if (p === null || typeof p !== 'object' || Array.isArray(p) || ArrayBuffer.isView(p)) throw new InputError(path, p, expected);
  const r = p as Record<string, unknown>;
  for (let j = 0; j < names.length; j++) {
    const v = r[names[j]];
    if (typeof v !== 'number') throw new InputError(`${path}.${names[j]}`, v, 'a number');
  }
  // for-in also walks inherited enumerable keys: checkKeys (own keys only) decides on a miss.
  for (const key in r) if (!names.includes(key)) checkKeys(r, names, path);
}
