import { describe, expect, it } from 'vitest';
import {
  attributeValueSize,
  itemSizeBytes,
  numberSize,
  readUnits,
  writeUnits,
} from '../../../scripts/cost/item-size.ts';

describe('DynamoDB item size (AWS rules)', () => {
  it('counts attribute names and UTF-8 values, numbers by significant digit pairs', () => {
    // pk: 2 + 9 ("ACCOUNT#a") = 11; n: 1 + (3 digits -> 2 bytes + 1) = 4; ok: 2 + 1 = 3;
    // é is 2 UTF-8 bytes: "s" 1 + 2 = 3.
    expect(
      itemSizeBytes({ pk: { S: 'ACCOUNT#a' }, n: { N: '123' }, ok: { BOOL: true }, s: { S: 'é' } }),
    ).toBe(21);
    expect(itemSizeBytes({ pk: { S: 'ACCOUNT#1' }, model: { S: 'é' } })).toBe(2 + 9 + 5 + 2);
  });

  it('sizes numbers by significant digits: 1 byte per two, plus 1; zeros at either end are free', () => {
    expect(numberSize('7')).toBe(2);
    expect(numberSize('1234')).toBe(3);
    expect(numberSize('12345')).toBe(4);
    expect(numberSize('-12345')).toBe(4);
    expect(numberSize('-1234')).toBe(3);
    expect(numberSize('1000000')).toBe(2);
    expect(numberSize('0.0012')).toBe(2);
    expect(numberSize('0.05')).toBe(2);
    expect(numberSize('1.5e3')).toBe(2);
    // Zero counts as one digit: the rule is approximate, so it rounds up.
    expect(numberSize('0')).toBe(2);
  });

  it('gives booleans and null 1 byte, binaries their bytes, sets the sum of their members', () => {
    expect(itemSizeBytes({ ok: { BOOL: true }, no: { NULL: true } })).toBe(2 + 1 + 2 + 1);
    expect(attributeValueSize({ B: new Uint8Array(12) })).toBe(12);
    // base64 text as the low-level JSON protocol carries it: 'AAEC' is 3 bytes
    expect(attributeValueSize({ B: 'AAEC' })).toBe(3);
    expect(attributeValueSize({ SS: ['ab', 'c'] })).toBe(3);
    expect(attributeValueSize({ NS: ['1', '22', '333'] })).toBe(2 + 2 + 3);
  });

  it('adds 3 bytes to a list or map, plus 1 byte per element', () => {
    expect(attributeValueSize({ L: [] })).toBe(3);
    expect(attributeValueSize({ L: [{ S: 'ab' }, { N: '1' }] })).toBe(3 + (1 + 2) + (1 + 2));
    expect(attributeValueSize({ M: { a: { S: 'xy' } } })).toBe(3 + 1 + 1 + 2);
    // m: 1 + 3 + (a: 1 + 1 byte + 1 element) = 7
    expect(itemSizeBytes({ m: { M: { a: { NULL: true } } } })).toBe(7);
  });

  it('rounds writes up to 1 KB and reads up to 4 KB (eventual reads cost half)', () => {
    expect(writeUnits(1024)).toBe(1);
    expect(writeUnits(1025)).toBe(2);
    expect(writeUnits(0)).toBe(1);
    expect(readUnits(4097, true)).toBe(2);
    expect(readUnits(100, false)).toBe(0.5);
  });
});
