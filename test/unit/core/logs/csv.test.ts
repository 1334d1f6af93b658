import { describe, expect, it } from 'vitest';
import { csvLine, csvText } from '#core/logs/csv.ts';

describe('CSV cells', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['a;b', '"a;b"'],
    ['a\tb', '"a\tb"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['cr\rlf', '"cr\rlf"'],
    ['', ''],
  ])('quotes %j as RFC 4180 %j', (value, expected) => {
    expect(csvText(value)).toBe(expected);
  });

  it.each([
    ['=SUM(A1:A2)', "'=SUM(A1:A2)"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@cmd', "'@cmd"],
    ['\tTAB', `"'\tTAB"`],
    ['\t=1', `"'\t'=1"`],
    ['x;=1+1;', `"x;'=1+1;"`],
    ['a,-1', `"a,'-1"`],
    ['say "=1"', `"say ""'=1"""`],
    ['=HYPERLINK("x", "y")', `"'=HYPERLINK(""x"", ""y"")"`],
    ['a=b', 'a=b'],
  ])('guards %j against formula injection as %j', (value, expected) => {
    expect(csvText(value)).toBe(expected);
  });

  it('writes numbers, booleans and empties as is and ends the line with CRLF', () => {
    expect(csvLine(['a', 1, true, false, null, undefined, -5])).toBe('a,1,true,false,,,-5\r\n');
  });
});
