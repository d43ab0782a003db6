/** Plain-text tables for terminal output: right-aligned numbers, left-aligned text. */

/** A column: header text and alignment (default: right). */
export interface Column { header: string; align?: 'left' | 'right' }

/** Render rows of cells under headers, columns padded to their widest cell, two spaces apart. */
export function formatTable(columns: Column[], rows: string[][], indent = '  '): string {
  const widths = columns.map((c, j) => Math.max(c.header.length, ...rows.map((r) => (r[j] ?? '').length)));
  const line = (cells: string[]) =>
    indent + cells.map((cell, j) => (columns[j].align === 'left' ? cell.padEnd(widths[j]) : cell.padStart(widths[j]))).join('  ').trimEnd();
  return [line(columns.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** A number with `digits` decimals, or `-` when not finite. */
export function fixed(x: number | undefined, digits: number): string {
  return x !== undefined && Number.isFinite(x) ? x.toFixed(digits) : '-';
}

/** A decimal as a percentage with `digits` decimals (`0.5123` -> `51.23%`), or `-`. */
export function percent(x: number | undefined, digits = 2): string {
  return x !== undefined && Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : '-';
}

/** A number with `sig` significant digits, or `-` when not finite. */
export function sig(x: number | undefined, digits = 4): string {
  if (x === undefined || !Number.isFinite(x)) return '-';
  if (x !== 0 && (Math.abs(x) >= 1e7 || Math.abs(x) < 1e-4)) return x.toExponential(digits - 1);
  return String(Number(x.toPrecision(digits)));
}
