/**
 * CSV as Excel opens it: UTF-8 with a byte-order mark (without it Excel reads UTF-8 as
 * the system code page and the Chinese headers turn to mojibake), CRLF line ends and
 * RFC 4180 quoting. A cell that starts like a formula (= + - @, tab, CR) is prefixed
 * with an apostrophe, so a pack note such as `=HYPERLINK(…)` stays text (OWASP "CSV
 * injection"); numbers we write ourselves are never prefixed. Pure: no SDK.
 */
export const BOM = '\uFEFF';

export type Cell = string | number | null;

function cell(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Lines of cells as one CSV document, BOM first. */
export function toCsv(lines: Cell[][]): string {
  return BOM + lines.map((line) => line.map(cell).join(',')).join('\r\n') + '\r\n';
}
