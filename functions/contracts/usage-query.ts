import * as z from 'zod';
import {
  MAX_TAG_VALUE_LENGTH,
  parseTagPair,
  type TagPair,
  tagPairText,
} from '#core/attribution/tags.ts';
import { PROVIDER_IDS } from '#core/providers/provider-registry.ts';
import {
  DEFAULT_TIME_RANGE,
  MAX_CUSTOM_RANGE_DAYS,
  NO_REQUESTER_FILTER,
  STATUS_FILTER_PATTERN,
  TIME_RANGES,
  type TimeRange,
} from '#core/usage/usage-query.ts';
import {
  MAX_MODEL_ID_LENGTH,
  MAX_REQUESTER_LENGTH,
  USAGE_KINDS,
  type UsageKind,
} from '#core/usage/usage-record.ts';

/**
 * The query parameters the Dashboard and Logs routes share: time range and filters, one schema
 * each, built from the core's lists and limits (`#core/usage/usage-query.ts`).
 *
 * Filters are repeatable (`?model=a&model=b`), always an array after parsing; values of one
 * filter combine with OR, different filters with AND; absent = no filter. `model`, `provider`
 * and `requester` match the recorded value exactly (case-sensitive; the model as the provider
 * returned it); requester `-` ({@link NO_REQUESTER_FILTER}) matches requests without one;
 * `status` as in {@link statusFilterSchema}; `kind` is `chat`, `responses` or `embeddings`
 * (`chat` includes the records written before kinds existed); `tag` is `<key>:<value>`
 * (`tag=feature:search`), values of one key combining with OR, different keys with AND.
 */

export {
  DEFAULT_TIME_RANGE,
  MAX_CUSTOM_RANGE_DAYS,
  MAX_TAG_VALUE_LENGTH,
  NO_REQUESTER_FILTER,
  parseTagPair,
  type TagPair,
  TIME_RANGES,
  type TimeRange,
  tagPairText,
  USAGE_KINDS,
  type UsageKind,
};

/**
 * Most values one filter accepts (`?model=a&model=b…`), on every dashboard and Logs route; more
 * is 400 `invalid_request`. The filter bar refuses to select more.
 */
export const MAX_FILTER_VALUES = 20;

/** `range`: one of {@link TIME_RANGES}, default {@link DEFAULT_TIME_RANGE}. */
export const timeRangeSchema = z
  .enum(TIME_RANGES, { message: `range must be one of ${TIME_RANGES.join(', ')}.` })
  .default(DEFAULT_TIME_RANGE);

/** An ISO 8601 instant with a zone (`2026-11-24T12:00:00Z`, `…+01:00`). */
export const isoInstantSchema = z.iso.datetime({
  offset: true,
  message: 'Use an ISO 8601 date-time with a zone, e.g. 2026-11-24T12:00:00Z.',
});

/** Status filter: an exact code (`429`) or a class (`2xx`, `4xx`, `5xx`, any `1xx`-`5xx`). */
export const statusFilterSchema = z
  .string()
  .regex(STATUS_FILTER_PATTERN, 'Status must be a code like 429 or a class like 4xx.');

/** One value or a repeated parameter, at most {@link MAX_FILTER_VALUES}; always an array. */
function repeated<T extends z.ZodType<string>>(value: T) {
  return z
    .union([
      value,
      z.array(value).max(MAX_FILTER_VALUES, `A filter takes at most ${MAX_FILTER_VALUES} values.`),
    ])
    .optional()
    .transform((given) => (given === undefined ? [] : Array.isArray(given) ? given : [given]));
}

/** The server-side filters of every Dashboard and Logs route. */
export const usageFiltersSchema = z.object({
  model: repeated(z.string().trim().min(1).max(MAX_MODEL_ID_LENGTH)),
  provider: repeated(
    z.enum(PROVIDER_IDS, { message: `Provider must be one of ${PROVIDER_IDS.join(', ')}.` }),
  ),
  requester: repeated(z.string().trim().min(1).max(MAX_REQUESTER_LENGTH)),
  status: repeated(statusFilterSchema),
  kind: repeated(
    z.enum(USAGE_KINDS, { message: `Kind must be one of ${USAGE_KINDS.join(', ')}.` }),
  ),
  tag: repeated(
    z
      .string()
      .refine(
        (text) => parseTagPair(text) !== undefined,
        `A tag filter is <key>:<value>: a key of 1 to 32 of a-z, 0-9, _ and -, a value of 1 to ${MAX_TAG_VALUE_LENGTH} printable ASCII characters.`,
      ),
  ),
});
export type UsageFilters = z.output<typeof usageFiltersSchema>;
