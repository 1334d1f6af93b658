import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { z } from 'zod';
import { validate } from './validate.ts';

/**
 * The query string as `name -> value`, or `name -> values` when a parameter repeats
 * (`?model=a&model=b`), from API Gateway's multi-value map (falling back to the single map).
 */
export function queryParameters(event: APIGatewayProxyEvent): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
    if (values === undefined || values.length === 0) continue;
    query[name] = values.length === 1 ? (values[0] as string) : values;
  }
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value !== undefined && query[name] === undefined) query[name] = value;
  }
  return query;
}

/** The query string as `[name, value]` pairs, a repeated parameter once per value. */
export function queryPairs(event: APIGatewayProxyEvent): [name: string, value: string][] {
  return Object.entries(queryParameters(event)).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value]).map((one): [string, string] => [name, one]),
  );
}

/**
 * Validates the query string with `schema`.
 * @throws InvalidRequestError (400) naming each parameter that fails.
 */
export function parseQuery<S extends z.ZodType>(
  event: APIGatewayProxyEvent,
  schema: S,
): z.output<S> {
  return validate(schema, queryParameters(event), (issue) => {
    const name = issue.path.map(String).join('.');
    return issue.message.startsWith('Invalid') && name !== ''
      ? `Query parameter "${name}" is invalid.`
      : issue.message;
  });
}
