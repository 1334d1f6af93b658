import * as z from 'zod';
import { SCOPE_KINDS, type Scope } from '#core/attribution/scope.ts';
import { isTagKey, isTagValue, MAX_TAG_VALUE_LENGTH } from '#core/attribution/tags.ts';
import { PROVIDER_IDS } from '#core/providers/provider-registry.ts';
import { MAX_MODEL_ID_LENGTH, MAX_REQUESTER_LENGTH } from '#core/usage/usage-record.ts';

/**
 * The JSON form of a {@link Scope}, shared by the budgets and alert-rule APIs: the dashboard
 * sends it, the dashboard API validates it with this schema.
 */
export const scopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('account') }),
  z.object({ kind: z.literal('provider'), provider: z.enum(PROVIDER_IDS) }),
  z.object({ kind: z.literal('model'), model: z.string().trim().min(1).max(MAX_MODEL_ID_LENGTH) }),
  z.object({
    kind: z.literal('requester'),
    requester: z.string().trim().min(1).max(MAX_REQUESTER_LENGTH),
  }),
  z.object({
    kind: z.literal('tag'),
    key: z.string().refine(isTagKey, 'A tag key is 1 to 32 of a-z, 0-9, _ and -.'),
    value: z
      .string()
      .refine(
        isTagValue,
        `A tag value is 1 to ${MAX_TAG_VALUE_LENGTH} printable ASCII characters.`,
      ),
  }),
]) satisfies z.ZodType<Scope>;

export { SCOPE_KINDS, type Scope };
