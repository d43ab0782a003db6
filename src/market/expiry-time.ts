/**
 * Expiry dates to instants: a date-only expiry gets a time of day (`expiryTime`), since the
 * time to expiry of a one-day option depends on whether it settles at the open or the close.
 */
import { InputError } from '../errors.js';
import { hasTimeOfDay, parseIsoTime } from './csv-text.js';

/** A time of day with an offset: `16:00-04:00`, `08:00Z`, `09:30+01:00` (no offset: UTC). */
const TIME_OF_DAY = /^(\d{2}):(\d{2})(?::(\d{2}))?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * The checked `expiryTime` option: ms after the date's UTC midnight (may be negative or past a
 * day for an offset). Default `'00:00Z'`.
 * @throws InputError naming `path` for anything but `HH:MM[:SS][Z|+HH:MM]`.
 */
export function expiryTimeOffsetMs(value: unknown, path: string): number {
  if (value === undefined) return 0;
  const m = typeof value === 'string' ? TIME_OF_DAY.exec(value.trim()) : null;
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3] ?? 0) > 59) throw new InputError(path, value, "a time of day such as '16:00-04:00' or '08:00Z'");
  const local = ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3] ?? 0)) * 1000;
  const z = m[4];
  if (z === undefined || z === 'Z') return local;
  const zm = /^([+-])(\d{2}):?(\d{2})$/.exec(z)!;
  const offset = (Number(zm[2]) * 60 + Number(zm[3])) * 60000;
  return zm[1] === '+' ? local - offset : local + offset;
}

/** ms of an ISO expiry: a date-time as written, a bare date at `timeOffsetMs` after its UTC midnight; NaN if malformed. */
export function expiryMs(text: string, timeOffsetMs: number): number {
  const t = parseIsoTime(text);
  if (Number.isNaN(t)) return NaN;
  return hasTimeOfDay(text) ? t : t + timeOffsetMs;
}

/** The checked `valuationTime` option (ISO 8601 date-time, no offset: UTC) in ms. @throws InputError naming `path`. */
export function valuationMs(value: unknown, path: string): number {
  const t = typeof value === 'string' ? parseIsoTime(value) : NaN;
  if (Number.isNaN(t)) throw new InputError(path, value, 'an ISO 8601 date-time such as 2023-08-18T20:15:00Z');
  return t;
}
