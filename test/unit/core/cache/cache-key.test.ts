import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { responseCacheKey } from '#core/cache/cache-key.ts';
import { canonicalJson, MAX_CANONICAL_JSON_DEPTH } from '#core/cache/canonical-json.ts';
import { InvalidRequestError } from '#core/errors.ts';

type Json = Record<string, unknown>;

/** The same value with every object's keys in a shuffled order (seeded by `order`). */
function reorder(value: unknown, order: number[]): unknown {
  if (Array.isArray(value)) return value.map((item) => reorder(item, order));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Json);
  const shuffled = entries
    .map((entry, index) => ({ entry, rank: order[index % Math.max(1, order.length)] ?? index }))
    .sort((a, b) => a.rank - b.rank)
    .map(({ entry: [key, item] }) => [key, reorder(item, order)] as const);
  const out: Json = {};
  for (const [key, item] of shuffled)
    Object.defineProperty(out, key, { value: item, enumerable: true });
  return out;
}

const requestBody = fc.record(
  {
    model: fc.constantFrom('gpt-4o-mini', 'claude-haiku-4-5', 'gemini-2.5-flash'),
    messages: fc.array(
      fc.record({ role: fc.constantFrom('system', 'user', 'assistant'), content: fc.string() }),
      { minLength: 1, maxLength: 3 },
    ),
    temperature: fc.double({ min: 0, max: 2, noNaN: true }),
    max_tokens: fc.integer({ min: 1, max: 4096 }),
    tools: fc.array(fc.record({ type: fc.constant('function'), name: fc.string() }), {
      maxLength: 2,
    }),
    system: fc.string(),
    metadata: fc.dictionary(fc.string(), fc.jsonValue()),
  },
  { requiredKeys: ['model', 'messages'] },
);

const key = (
  json: Json,
  overrides: { accountId?: string; headers?: Record<string, string> } = {},
) =>
  responseCacheKey({
    accountId: overrides.accountId ?? 'acct-1',
    provider: 'openai',
    json,
    headers: overrides.headers ?? {},
  });

describe('canonicalJson', () => {
  it('sorts keys recursively and keeps arrays in order', () => {
    expect(canonicalJson({ b: [{ z: 1, a: 2 }, 3], a: null })).toBe(
      '{"a":null,"b":[{"a":2,"z":1},3]}',
    );
  });

  it('keeps a __proto__ key from JSON.parse as an ordinary key', () => {
    expect(canonicalJson(JSON.parse('{"__proto__":{"x":1},"a":1}'))).toBe(
      '{"__proto__":{"x":1},"a":1}',
    );
  });

  it('is what JSON.parse reads back to an equal value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});

describe('responseCacheKey', () => {
  it('is a hex SHA-256', () => {
    expect(key({ model: 'm', messages: [] })).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not change with key order at any depth', () => {
    fc.assert(
      fc.property(
        requestBody,
        fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
        (body, order) => {
          expect(key(reorder(body, order) as Json)).toBe(key(body));
        },
      ),
    );
  });

  it('does not change with stream or stream_options', () => {
    fc.assert(
      fc.property(requestBody, fc.boolean(), fc.jsonValue(), (body, stream, options) => {
        expect(key({ ...body, stream, stream_options: options })).toBe(key(body));
      }),
    );
  });

  it('changes with any other field, added or changed', () => {
    fc.assert(
      fc.property(
        requestBody,
        fc.string().filter((field) => field !== 'stream' && field !== 'stream_options'),
        fc.jsonValue(),
        (body, field, value) => {
          fc.pre(canonicalJson(body[field as keyof typeof body]) !== canonicalJson(value));
          expect(key({ ...body, [field]: value })).not.toBe(key(body));
        },
      ),
    );
  });

  it('changes with a nested change (system prompt, tool, sampling)', () => {
    const body = {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'hi' },
      ],
      tools: [{ type: 'function', function: { name: 'lookup' } }],
      temperature: 0.2,
    };
    const variants = [
      { ...body, messages: [{ role: 'system', content: 'You are verbose.' }, body.messages[1]] },
      { ...body, tools: [{ type: 'function', function: { name: 'search' } }] },
      { ...body, temperature: 0.3 },
      { ...body, top_p: 0.9 },
    ];
    const keys = new Set([key(body), ...variants.map((variant) => key(variant))]);
    expect(keys.size).toBe(1 + variants.length);
  });

  it('differs per account, per provider and per Anthropic version or beta', () => {
    const body = { model: 'm', messages: [] };
    const keys = new Set([
      key(body),
      key(body, { accountId: 'acct-2' }),
      responseCacheKey({ accountId: 'acct-1', provider: 'grok', json: body, headers: {} }),
      key(body, { headers: { 'anthropic-beta': 'prompt-caching-2024-07-31' } }),
      key(body, { headers: { 'anthropic-version': '2023-06-01' } }),
    ]);
    expect(keys.size).toBe(5);
    expect(key(body, { headers: { 'x-request-id': 'whatever', authorization: 'Bearer x' } })).toBe(
      key(body),
    );
  });
});

describe('canonicalJson depth', () => {
  const nest = (depth: number, leaf: unknown, asArray: boolean): unknown => {
    let value = leaf;
    for (let level = 0; level < depth; level += 1) value = asArray ? [value] : { a: value };
    return value;
  };

  it('refuses bodies nested deeper than its bound with InvalidRequestError, never a stack overflow', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: MAX_CANONICAL_JSON_DEPTH + 1, max: 200_000 }),
        fc.boolean(),
        (depth, asArray) => {
          // Built as text: JSON.stringify itself would overflow the stack at this depth.
          const [open, close] = asArray ? ['[', ']'] : ['{"a":', '}'];
          const deep = JSON.parse(
            `{"model":"m","messages":[],"tools":${open.repeat(depth)}1${close.repeat(depth)}}`,
          ) as Json;
          expect(() =>
            responseCacheKey({ accountId: 'a', provider: 'openai', json: deep, headers: {} }),
          ).toThrow(InvalidRequestError);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('keys any body up to the bound', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_CANONICAL_JSON_DEPTH - 2 }), (depth) => {
        const json = { model: 'm', messages: [], tools: nest(depth, 'x', depth % 2 === 0) };
        expect(
          responseCacheKey({ accountId: 'a', provider: 'openai', json: json as Json, headers: {} }),
        ).toMatch(/^[0-9a-f]{64}$/);
      }),
      { numRuns: 25 },
    );
  });
});
