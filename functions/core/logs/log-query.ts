import {
  parseTagPair,
  type TagFilter,
  type TagPair,
  type Tags,
  tagFilterOf,
  tagsMatch,
} from '../attribution/tags.ts';
import { InvalidRequestError } from '../errors.ts';
import type { StatusFilter, UsageLogFilter } from '../ports/usage-log-reader.ts';
import type { ProviderId } from '../providers/provider-registry.ts';
import {
  MAX_CUSTOM_RANGE_DAYS,
  NO_REQUESTER_FILTER,
  STATUS_FILTER_PATTERN,
  type TimeRange,
} from '../usage/usage-query.ts';
import { type UsageKind, usageKindOf } from '../usage/usage-record.ts';

const DAY_MS = 86_400_000;
const RANGE_MS = {
  '24h': DAY_MS,
  '7d': 7 * DAY_MS,
  '30d': 30 * DAY_MS,
  '90d': 90 * DAY_MS,
} as const satisfies Record<Exclude<TimeRange, 'custom'>, number>;

/** Range and filters as the caller sent them (already shape-checked by the edge schema). */
export interface LogQueryInput {
  readonly range: TimeRange;
  /** ISO instant, only with `range: 'custom'`. */
  readonly from?: string;
  /** ISO instant, only with `range: 'custom'`. */
  readonly to?: string;
  readonly model?: readonly string[];
  readonly provider?: readonly string[];
  /** `-` ({@link NO_REQUESTER_FILTER}) stands for "no requester". */
  readonly requester?: readonly string[];
  /** Exact codes (`429`) or classes (`4xx`). */
  readonly status?: readonly string[];
  /** Chat, Responses API or embeddings (validated at the edge). */
  readonly kind?: readonly UsageKind[];
  /** `<key>:<value>` (validated at the edge). */
  readonly tag?: readonly string[];
}

/** A window with `from` inclusive and `to` exclusive, as `Date.toISOString()` instants. */
export interface ResolvedWindow {
  readonly range: TimeRange;
  readonly fromIso: string;
  readonly toIso: string;
}

function instant(value: string, name: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new InvalidRequestError(`"${name}" is not a valid date-time.`);
  return ms;
}

/**
 * Resolves the window: a named range ends now (`to` = now + 1 ms, so a record of this very
 * millisecond is included); `custom` needs `from` < `to`, at most {@link MAX_CUSTOM_RANGE_DAYS} days apart.
 * @throws InvalidRequestError naming what to change.
 */
export function resolveWindow(input: LogQueryInput, nowMs: number): ResolvedWindow {
  if (input.range !== 'custom') {
    if (input.from !== undefined || input.to !== undefined) {
      throw new InvalidRequestError('"from" and "to" need range=custom.');
    }
    const toMs = nowMs + 1;
    return {
      range: input.range,
      fromIso: new Date(toMs - RANGE_MS[input.range]).toISOString(),
      toIso: new Date(toMs).toISOString(),
    };
  }
  if (input.from === undefined || input.to === undefined) {
    throw new InvalidRequestError('range=custom needs both "from" and "to".');
  }
  const fromMs = instant(input.from, 'from');
  const toMs = instant(input.to, 'to');
  if (fromMs >= toMs) throw new InvalidRequestError('"from" must be before "to".');
  if (toMs - fromMs > MAX_CUSTOM_RANGE_DAYS * DAY_MS) {
    throw new InvalidRequestError(
      `A custom range can span at most ${MAX_CUSTOM_RANGE_DAYS} days (logs are kept at most 365).`,
    );
  }
  return {
    range: 'custom',
    fromIso: new Date(fromMs).toISOString(),
    toIso: new Date(toMs).toISOString(),
  };
}

/**
 * `429` → exactly 429; `4xx` → 400..499.
 * @throws InvalidRequestError for anything else.
 */
export function parseStatusFilter(value: string): StatusFilter {
  if (!STATUS_FILTER_PATTERN.test(value)) {
    throw new InvalidRequestError('Status must be a code like 429 or a class like 4xx.');
  }
  if (value.endsWith('xx')) {
    const hundreds = Number(value[0]) * 100;
    return { kind: 'range', min: hundreds, max: hundreds + 99 };
  }
  return { kind: 'exact', status: Number(value) };
}

/**
 * `<key>:<value>` filters grouped by key.
 * @throws InvalidRequestError for text that is not a tag.
 */
export function parseTagFilter(texts: readonly string[]): TagFilter {
  const pairs: TagPair[] = texts.map((text) => {
    const pair = parseTagPair(text);
    if (pair === undefined) throw new InvalidRequestError(`"${text}" is not a <key>:<value> tag.`);
    return pair;
  });
  return tagFilterOf(pairs);
}

/** The store-level filter of an input (an empty list does not filter). */
export function toLogFilter(input: LogQueryInput): UsageLogFilter {
  const { model = [], provider = [], requester = [], status = [], kind = [], tag = [] } = input;
  return {
    models: model,
    providers: provider,
    requesters: requester.map((value) => (value === NO_REQUESTER_FILTER ? null : value)),
    statuses: status.map(parseStatusFilter),
    kinds: kind,
    tags: parseTagFilter(tag),
  };
}

/** Whether a record passes the filter (the in-memory reader's rule; DynamoDB's is the same). */
export function recordMatches(
  filter: UsageLogFilter,
  record: {
    readonly model: string;
    readonly provider: ProviderId;
    /** Absent (a record) or null (a rollup) when the request had none. */
    readonly requester?: string | null;
    readonly status: number;
    /** Absent on records written before kinds existed (chat). */
    readonly kind?: UsageKind | undefined;
    /** A record's tags; a tag rollup's one tag. */
    readonly tags?: Tags | undefined;
  },
): boolean {
  const { models, providers, requesters, statuses, kinds, tags } = filter;
  return (
    (models === undefined || models.length === 0 || models.includes(record.model)) &&
    (providers === undefined || providers.length === 0 || providers.includes(record.provider)) &&
    (requesters === undefined ||
      requesters.length === 0 ||
      requesters.includes(record.requester ?? null)) &&
    (statuses === undefined ||
      statuses.length === 0 ||
      statuses.some((status) => statusMatches(status, record.status))) &&
    (kinds === undefined || kinds.length === 0 || kinds.includes(usageKindOf(record.kind))) &&
    tagsMatch(tags, record.tags)
  );
}

/** Whether a status passes the filter (shared by the in-memory reader and tests). */
export function statusMatches(filter: StatusFilter, status: number): boolean {
  return filter.kind === 'exact'
    ? status === filter.status
    : status >= filter.min && status <= filter.max;
}
