/** Number formatting for the tables, and the exact-value attributes the integration test reads. */

/** A vol (decimal) as a percentage with `digits` decimals. */
export function pct(x: number, digits = 2): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(digits)}%` : 'n/a';
}

/** A number with `digits` significant digits (or fixed decimals with `fixed`). */
export function num(x: number, digits = 5, fixed = false): string {
  if (!Number.isFinite(x)) return 'n/a';
  return fixed ? x.toFixed(digits) : x.toPrecision(digits);
}

/** USD with thousands separators, no cents. */
export function usd(x: number): string {
  return Number.isFinite(x) ? `${x < 0 ? '-' : ''}$${Math.round(Math.abs(x)).toLocaleString('en-US')}` : 'n/a';
}

/** A short expiry label from an ISO timestamp: 2026-03-27T08:00:00+00:00 -> 27MAR26 (Deribit's style). */
export function expiryLabel(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const mon = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'][d.getUTCMonth()];
  return `${d.getUTCDate()}${mon}${String(d.getUTCFullYear()).slice(2)}`;
}

/**
 * A table cell showing `text`, carrying the full-precision value in `data-value` (String(x)
 * round-trips a double exactly), so a test can compare the page with a Node run bit for bit.
 */
export function cell(text: string, value?: number, testId?: string, className = ''): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  if (value !== undefined) td.dataset.value = String(value);
  if (testId) td.dataset.testid = testId;
  if (className) td.className = className;
  return td;
}

/** A header row. */
export function headerRow(labels: string[], textColumns = 1): HTMLTableRowElement {
  const tr = document.createElement('tr');
  labels.forEach((l, i) => {
    const th = document.createElement('th');
    th.textContent = l;
    if (i < textColumns) th.className = 'text';
    tr.append(th);
  });
  return tr;
}
