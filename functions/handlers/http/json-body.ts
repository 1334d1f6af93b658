import type { z } from 'zod';
import { InvalidRequestError } from '#core/errors.ts';
import { validate } from './validate.ts';

/** One sentence per problem, written for the person who sent the request. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const names = issue.keys.map((key) => `"${key}"`).join(', ');
    return `Unknown field${issue.keys.length > 1 ? 's' : ''} ${names}: remove ${issue.keys.length > 1 ? 'them' : 'it'}.`;
  }
  // zod's own wording starts with "Invalid input"; a schema's custom message is kept.
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) {
    return field === ''
      ? 'The request body must be a JSON object.'
      : `"${field}" must be a ${issue.expected}.`;
  }
  return issue.message;
}

/**
 * Parses a JSON request body and validates it with `schema`.
 * @throws InvalidRequestError (400) saying what is wrong: not JSON, or which fields fail.
 */
export function parseJsonBody<S extends z.ZodType>(body: Uint8Array, schema: S): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw new InvalidRequestError('The request body is not valid JSON.');
  }
  return validate(schema, json, describeIssue);
}
