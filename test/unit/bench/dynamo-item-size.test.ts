import { describe, expect, it } from 'vitest';
import {
  attributeValueSize,
  dynamoItemSize,
  jsonItemSize,
} from '../../bench/support/dynamo-item-size.ts';

describe('dynamoItemSize (DynamoDB item-size rules)', () => {
  it('counts attribute names and string values in UTF-8 bytes', () => {
    expect(dynamoItemSize({ pk: 'ACCOUNT#1', model: 'é' })).toBe(2 + 9 + 5 + 2);
  });

  it('sizes numbers by significant digits: 1 byte per two, plus 1', () => {
    expect(attributeValueSize(7)).toBe(2);
    expect(attributeValueSize(1234)).toBe(3);
    expect(attributeValueSize(12345)).toBe(4);
    expect(attributeValueSize(1_000_000)).toBe(2);
    expect(attributeValueSize(0.05)).toBe(2);
    expect(attributeValueSize(-1234n)).toBe(3);
  });

  it('gives booleans and null 1 byte, and skips undefined attributes', () => {
    expect(dynamoItemSize({ ok: true, no: null, gone: undefined })).toBe(2 + 1 + 2 + 1);
  });

  it('adds 3 bytes to a list or map, plus 1 byte per element', () => {
    expect(attributeValueSize([])).toBe(3);
    expect(attributeValueSize(['ab', 1])).toBe(3 + (1 + 2) + (1 + 2));
    expect(attributeValueSize({ a: 'xy' })).toBe(3 + 1 + 1 + 2);
  });
});

describe('jsonItemSize', () => {
  it('writes bigints as digits', () => {
    expect(jsonItemSize({ cost: 12n })).toBe('{"cost":"12"}'.length);
  });
});
