import type { z } from 'zod';
import { InvalidRequestError } from '#core/errors.ts';

/**
 * The one place a zod failure on request input becomes an error: validates `input` with `schema`
 * and throws InvalidRequestError (400) with one sentence per issue, as `describe` words it.
 * Response schemas are not validated here: a response that fails its schema is Metrion's bug (500).
 */
export function validate<S extends z.ZodType>(
  schema: S,
  input: unknown,
  describe: (issue: z.core.$ZodIssue) => string,
): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new InvalidRequestError(result.error.issues.map(describe).join(' '));
  }
  return result.data;
}
