/** A CSV cell value: text (guarded and quoted), a number, a boolean, or empty (null/undefined). */
export type CsvCell = string | number | boolean | null | undefined;

/** Spreadsheets run a cell starting with one of these as a formula (CSV injection). */
const FORMULA_TRIGGER = /[=+\-@\t\r]/;
/**
 * Characters after which a spreadsheet may start a new cell: the separators of every locale's
 * reading (`,` in English, `;` in German, French and Swiss Excel, tab when pasted), line breaks,
 * and a quote (a reader that splits on another separator may open a quoted field there).
 */
const CELL_BOUNDARY = /[,;\t\r\n"]/;
/** A cell holding one of these is quoted, so no locale's reading splits it. */
const NEEDS_QUOTES = /[",;\t\r\n]/;

/**
 * A leading `'` before every formula trigger (`=`, `+`, `-`, `@`, tab, CR) that starts the cell
 * or follows a {@link CELL_BOUNDARY}: OWASP's guard for the cell start, extended to every place
 * where a reading with another separator could start a cell (`x;=1+1` read with `;`).
 */
function guardFormulas(value: string): string {
  let guarded = '';
  let previous: string | undefined;
  for (const char of value) {
    const startsCell = previous === undefined || CELL_BOUNDARY.test(previous);
    guarded += startsCell && FORMULA_TRIGGER.test(char) ? `'${char}` : char;
    previous = char;
  }
  return guarded;
}

/**
 * One text cell, safe in every locale: formula triggers guarded ({@link guardFormulas}), then
 * RFC 4180 quoting (quotes doubled) when it holds a quote, `,`, `;`, tab, CR or LF.
 */
export function csvText(value: string): string {
  const guarded = guardFormulas(value);
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
