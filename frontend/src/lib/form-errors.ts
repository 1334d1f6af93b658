import type { z } from 'zod';

/** A form's messages by field; `form` holds any message no field of the form owns. */
export type FieldMessages<F extends string> = Partial<Record<F | 'form', string>>;

/** A form's draft checked with the API's own schema: the body to send, or the messages to show. */
export type Checked<T, F extends string> =
  | { readonly ok: true; readonly body: T }
  | { readonly ok: false; readonly errors: FieldMessages<F> };

/** Each field's first message from a failed parse, added to those already in `into`. */
export function firstMessagePerField<F extends string>(
  error: z.ZodError,
  fields: readonly F[],
  into: FieldMessages<F> = {},
): FieldMessages<F> {
  const errors: FieldMessages<F> = { ...into };
  for (const issue of error.issues) {
    const head = issue.path[0];
    const field = fields.find((name) => name === head) ?? 'form';
    errors[field] ??= issue.message;
  }
  return errors;
}
