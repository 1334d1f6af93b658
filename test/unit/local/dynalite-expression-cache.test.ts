// The parse cache dynalite's worker puts in front of its condition parser: a cached parse must
// give dynalite exactly what a fresh parse gives, bound to the request's own values.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type ConditionParser,
  cacheConditionParses,
  type ParseContext,
} from '#local/dynalite-expression-cache.ts';

const require = createRequire(import.meta.url);
const dynaliteDir = dirname(require.resolve('dynalite'));
const realParser = require(join(dynaliteDir, 'db', 'conditionParser.js')) as ConditionParser;
const { compare } = require(join(dynaliteDir, 'db', 'index.js')) as { compare: unknown };

type Values = Record<string, Record<string, unknown>>;

/** The context dynalite's validations build for one request. */
function contextFor(names: Record<string, string>, values: Values): ParseContext {
  const unused = (keys: object) => Object.fromEntries(Object.keys(keys).map((key) => [key, true]));
  return {
    attrNames: names,
    attrVals: values,
    unusedAttrNames: unused(names),
    unusedAttrVals: unused(values),
    isReserved: () => false,
    compare,
  };
}

/** A cached parser over dynalite's own (a copy, so the module stays untouched), counting parses. */
function countingCachedParser(maxEntries?: number): {
  parser: ConditionParser;
  parses: () => number;
} {
  let parses = 0;
  const parser: ConditionParser = {
    parse: (input, options) => {
      parses += 1;
      return realParser.parse(input, options);
    },
  };
  cacheConditionParses(parser, maxEntries);
  return { parser, parses: () => parses };
}

const ADMISSION_LIKE =
  '(attribute_not_exists(#w) OR #w < :limit AND begins_with(#k, :prefix)) AND #s = :state';
const NAMES = { '#w': 'window', '#k': 'key', '#s': 'status' };

describe('cacheConditionParses', () => {
  it('parses an expression once and binds each later request to its own value objects', () => {
    const { parser, parses } = countingCachedParser();
    const first = { ':limit': { N: '10' }, ':prefix': { S: 'a' }, ':state': { S: 'on' } };
    const second = { ':limit': { N: '99' }, ':prefix': { S: 'zz' }, ':state': { S: 'off' } };
    parser.parse(ADMISSION_LIKE, { context: contextFor(NAMES, first) });

    const cached = parser.parse(ADMISSION_LIKE, { context: contextFor(NAMES, second) });

    expect(parses()).toBe(1);
    const fresh = realParser.parse(ADMISSION_LIKE, { context: contextFor(NAMES, second) });
    expect(cached).toEqual(fresh);
    expect(JSON.stringify(cached)).toContain('"zz"');
    expect(JSON.stringify(cached)).not.toContain('"a"');
  });

  it('returns the request value objects themselves, as a fresh parse does', () => {
    const { parser } = countingCachedParser();
    const names = { '#c': 'count' };
    parser.parse('#c < :n', { context: contextFor(names, { ':n': { N: '1' } }) });
    const value = { N: '2' };

    const cached = parser.parse('#c < :n', { context: contextFor(names, { ':n': value }) }) as {
      expression: { args: unknown[] };
    };

    expect(cached.expression.args[1]).toBe(value);
  });

  it('marks the same placeholders used as a fresh parse, leaving unused ones for dynalite to reject', () => {
    const { parser } = countingCachedParser();
    const names = { '#c': 'count', '#spare': 'spare' };
    const values = { ':n': { N: '1' }, ':spare': { S: 'x' } };
    parser.parse('#c < :n', { context: contextFor(names, values) });

    const context = contextFor(names, values);
    parser.parse('#c < :n', { context });

    expect(context.unusedAttrNames).toEqual({ '#spare': true });
    expect(context.unusedAttrVals).toEqual({ ':spare': true });
  });

  it('parses again when a value has another type, so type errors are not hidden', () => {
    const { parser, parses } = countingCachedParser();
    const names = { '#k': 'key' };
    parser.parse('begins_with(#k, :p)', { context: contextFor(names, { ':p': { S: 'a' } }) });

    const result = parser.parse('begins_with(#k, :p)', {
      context: contextFor(names, { ':p': { N: '1' } }),
    });

    expect(parses()).toBe(2);
    expect(result).toMatch(/Incorrect operand type.*begins_with.*N/);
  });

  it('parses again when the attribute names differ', () => {
    const { parser, parses } = countingCachedParser();
    parser.parse('#c < :n', { context: contextFor({ '#c': 'count' }, { ':n': { N: '1' } }) });

    const result = parser.parse('#c < :n', {
      context: contextFor({ '#c': 'other' }, { ':n': { N: '1' } }),
    });

    expect(parses()).toBe(2);
    expect(JSON.stringify(result)).toContain('"other"');
  });

  it('never caches BETWEEN, whose bounds are checked by value', () => {
    const { parser, parses } = countingCachedParser();
    const names = { '#c': 'count' };
    const expression = '#c BETWEEN :low AND :high';
    parser.parse(expression, {
      context: contextFor(names, { ':low': { N: '1' }, ':high': { N: '5' } }),
    });

    const result = parser.parse(expression, {
      context: contextFor(names, { ':low': { N: '5' }, ':high': { N: '1' } }),
    });

    expect(parses()).toBe(2);
    expect(result).toMatch(/upper bound to be greater than or equal to lower bound/);
  });

  it('keeps at most maxEntries expressions, dropping the oldest', () => {
    const { parser, parses } = countingCachedParser(2);
    const names = { '#c': 'count' };
    const parse = (operator: string) =>
      parser.parse(`#c ${operator} :n`, { context: contextFor(names, { ':n': { N: '1' } }) });
    parse('<');
    parse('>');
    parse('=');

    parse('=');
    expect(parses()).toBe(3);
    parse('<');
    expect(parses()).toBe(4);
  });
});
