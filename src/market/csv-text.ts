/**
 * Text helpers shared by the chain readers: one CSV line split into cells (RFC 4180 quoting) and
 * ISO 8601 dates read in UTC (never the machine's zone).
 */

/** Split one CSV line (RFC 4180 quoting: `"a,b"` is one cell, `""` inside quotes is one quote). */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/**
 * ms since epoch of an ISO 8601 date or date-time (`2026-01-16`, `2026-01-16T08:00:00+00:00`,
 * `...Z`, fractional seconds); a date-time without an offset is UTC (never the machine's zone).
 * NaN for anything else, or an impossible date (`2026-02-30`).
 */
export function parseIsoTime(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(text.trim());
  if (!m) return NaN;
  const [y, mo, d, h = '0', mi = '0', sec = '0'] = m.slice(1, 7);
  const frac = m[7] === undefined ? 0 : Number(`0.${m[7]}`) * 1000;
  const t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec)) + frac;
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(sec) > 60) return NaN;
  const z = m[8];
  if (z === undefined || z === 'Z') return t;
  const zm = /^([+-])(\d{2}):?(\d{2})?$/.exec(z)!;
  const offset = (Number(zm[2]) * 60 + Number(zm[3] ?? 0)) * 60000;
  return zm[1] === '+' ? t - offset : t + offset;
}

/** True when the ISO text carries a time of day (not a bare date). */
export function hasTimeOfDay(text: string): boolean {
  return /^\s*\d{4}-\d{2}-\d{2}[T ]\d/.test(text);
}

/** Milliseconds per year of a chain's `timeToMaturity` (365.25 days, as Deribit publishes it). */
export const YEAR_MS = 365.25 * 86400 * 1000;

/** ISO 8601 text of ms since epoch, UTC (`2023-08-25T20:00:00.000Z`). */
export const isoOf = (ms: number): string => new Date(ms).toISOString();
