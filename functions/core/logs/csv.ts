/** A CSV cell value: text (guarded and quoted), a number, a boolean, or empty (null/undefined). */
export type CsvCell = string | number | boolean | null | undefined;

/** Spreadsheets run a cell starting with one of these as a formula (CSV injection). */
const FORMULA_TRIGGER = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One text cell: a leading `'` when it starts with `=`, `+`, `-`, `@`, tab or CR (OWASP's CSV
 * injection guard), then RFC 4180 quoting when it holds a quote, comma, CR or LF (quotes doubled).
 */
export function csvText(value: string): string {
  const guarded = FORMULA_TRIGGER.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(guarded) ? `"${guarded.replaceAll('"', '""')}"` : guarded;
}

/** One CSV record ending in CRLF (RFC 4180). Numbers and booleans are written as is. */
export function csvLine(cells: readonly CsvCell[]): string {
  return `${cells
    .map((cell) => {
      if (cell === null || cell === undefined) return '';
      if (typeof cell === 'string') return csvText(cell);
      return String(cell);
    })
    .join(',')}\r\n`;
}
