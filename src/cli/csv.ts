/**
 * CSV output of the CLI: RFC 4180 fields, safe to open in a spreadsheet. A field with a comma,
 * a double quote, CR or LF is quoted (quotes doubled); a text cell that a spreadsheet would run
 * as a formula (first character `=`, `+`, `-`, `@`, tab or CR) gets a leading single quote, as
 * OWASP's CSV-injection guidance and the spreadsheets themselves expect. Numbers are written as
 * JavaScript prints them (a negative number is a number, not a formula), non-finite ones as an
 * empty cell.
 */

/** First characters that make a spreadsheet read a cell as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field of `value`: numbers as numbers (empty when not finite), anything else as text. */
export function csvField(value: unknown): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV record (no line end). */
export function csvRecord(values: readonly unknown[]): string {
  return values.map(csvField).join(',');
}
