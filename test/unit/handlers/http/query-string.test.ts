import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { dashboardQuerySchema } from '#contracts/dashboard-api.ts';
import { listLogsQuerySchema } from '#contracts/logs-api.ts';
import { InvalidRequestError } from '#core/errors.ts';
import { parseQuery, queryParameters } from '#handlers/http/query-string.ts';

function event(
  single: Record<string, string> | null,
  multi: Record<string, string[]> | null,
): APIGatewayProxyEvent {
  return {
    queryStringParameters: single,
    multiValueQueryStringParameters: multi,
  } as unknown as APIGatewayProxyEvent;
}

describe('query strings', () => {
  it('turns repeated parameters into arrays and single ones into strings', () => {
    expect(
      queryParameters(event({ model: 'b', range: '7d' }, { model: ['a', 'b'], range: ['7d'] })),
    ).toEqual({ model: ['a', 'b'], range: '7d' });
    expect(queryParameters(event({ status: '5xx' }, null))).toEqual({ status: '5xx' });
    expect(queryParameters(event(null, null))).toEqual({});
  });

  it('parses dashboard filters into lists, defaulting the range to 24h', () => {
    expect(
      parseQuery(event(null, { model: ['a', 'b'], status: ['429'] }), dashboardQuerySchema),
    ).toEqual({
      range: '24h',
      model: ['a', 'b'],
      provider: [],
      requester: [],
      status: ['429'],
      kind: [],
      tag: [],
    });
  });

  it('refuses a bad range, a bad status and a custom range without from/to', () => {
    const queries: Record<string, string[]>[] = [
      { range: ['1y'] },
      { status: ['42'] },
      { range: ['custom'] },
    ];
    for (const query of queries) {
      expect(() => parseQuery(event(null, query), dashboardQuerySchema)).toThrow(
        InvalidRequestError,
      );
    }
  });

  it.each([
    ['dashboard', dashboardQuerySchema],
    ['logs', listLogsQuerySchema],
  ] as const)('accepts 20 values per %s filter and refuses a 21st', (_api, schema) => {
    const values = (count: number, pick: (index: number) => string) =>
      Array.from({ length: count }, (_, index) => pick(index));
    const models = (count: number) => values(count, (index) => `model-${index}`);
    const statuses = (count: number) => values(count, (index) => String(400 + index));

    expect(parseQuery(event(null, { model: models(20) }), schema).model).toHaveLength(20);
    expect(parseQuery(event(null, { status: statuses(20) }), schema).status).toHaveLength(20);
    expect(() => parseQuery(event(null, { model: models(21) }), schema)).toThrow(
      InvalidRequestError,
    );
    expect(() => parseQuery(event(null, { status: statuses(21) }), schema)).toThrow(
      InvalidRequestError,
    );
  });

  it.each([
    ['dashboard', dashboardQuerySchema],
    ['logs', listLogsQuerySchema],
  ] as const)('checks the %s filters with the one shared schema', (_api, schema) => {
    expect(
      parseQuery(
        event(null, { provider: ['openai'], requester: [' ci '], status: ['4xx'] }),
        schema,
      ),
    ).toMatchObject({ provider: ['openai'], requester: ['ci'], status: ['4xx'] });
    const refused: Record<string, string[]>[] = [
      { provider: ['bedrock'] },
      { model: [''] },
      { requester: ['x'.repeat(129)] },
    ];
    for (const query of refused) {
      expect(() => parseQuery(event(null, query), schema)).toThrow(InvalidRequestError);
    }
  });
});
