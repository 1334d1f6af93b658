import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvLine } from '#core/logs/csv.ts';

/**
 * A cell a spreadsheet runs as a formula: `=`, `+`, `-` or `@` first, after any tabs and line
 * breaks it skips (why OWASP also guards a leading tab or CR).
 */
const FORMULA_START = /^[\t\r\n]*[=+\-@]/;
const SEPARATORS = [',', ';', '\t'] as const;

/**
 * Cells as an RFC 4180 reader with `separator` sees them: a quote opens a quoted field only at a
 * cell start, `""` inside is a quote; stray characters after a closing quote are kept (as Excel
 * does); CR and LF end a record outside quotes.
 */
function quoteAwareCells(text: string, separator: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let atStart = true;
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] ?? '';
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        cell += char;
      }
    } else if (atStart && char === '"') {
      quoted = true;
      atStart = false;
    } else if (char === separator || char === '\r' || char === '\n') {
      cells.push(cell);
      cell = '';
      atStart = true;
    } else {
      cell += char;
      atStart = false;
    }
  }
  cells.push(cell);
  return cells;
}

/** Cells as a reader that ignores quotes sees them (a paste, a naive import), one quote trimmed. */
function naiveCells(text: string, separator: string): string[] {
  return text
    .split(new RegExp(`[${separator}\\r\\n]`))
    .map((cell) => (cell.startsWith('"') ? cell.slice(1) : cell));
}

/** Strings made mostly of the characters that matter here, plus any Unicode. */
const hostileText = fc.oneof(
  fc.string({
    unit: fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\n', ',', ';', '"', "'", 'a', ' '),
    maxLength: 12,
  }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);
const row = fc.array(hostileText, { minLength: 1, maxLength: 5 });

describe('CSV lines read in any locale', () => {
  it('never start a cell with a formula, whatever the separator or reader', () => {
    fc.assert(
      fc.property(row, (cells) => {
        const line = csvLine(cells);
        for (const separator of SEPARATORS) {
          for (const cell of [
            ...quoteAwareCells(line, separator),
            ...naiveCells(line, separator),
          ]) {
            expect(cell).not.toMatch(FORMULA_START);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('read back with "," as exactly the cells written', () => {
    fc.assert(
      fc.property(row, (cells) => {
        // The record's CRLF ends it: one trailing empty cell from the terminator.
        const read = quoteAwareCells(csvLine(cells), ',').slice(0, -2);
        expect(read).toHaveLength(cells.length);
        // Guards only insert a `'`: removing each guard gives the text back.
        read.forEach((cell, index) => {
          expect(cell.replaceAll("'", '')).toBe((cells[index] ?? '').replaceAll("'", ''));
        });
      }),
      { numRuns: 1000 },
    );
  });
});
