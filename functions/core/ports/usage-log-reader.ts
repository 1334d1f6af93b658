import type { TagFilter } from '../attribution/tags.ts';
import type { UsageKind, UsageRecord } from '../usage/usage-record.ts';

/** A status filter: one exact code, or an inclusive range (a class such as 4xx is 400..499). */
export type StatusFilter =
  | { readonly kind: 'exact'; readonly status: number }
  | { readonly kind: 'range'; readonly min: number; readonly max: number };

/**
 * Server-side log filters. Each field lists accepted values (OR); fields combine with AND; an
 * absent or empty field does not filter. `models`, `providers` and `requesters` match the
 * recorded value exactly (case-sensitive); a `null` requester matches records without one.
 */
export interface UsageLogFilter {
  readonly models?: readonly string[];
  /** Provider ids as given: a value no record carries matches nothing. */
  readonly providers?: readonly string[];
  readonly requesters?: readonly (string | null)[];
  readonly statuses?: readonly StatusFilter[];
  /** `chat` also matches records without a kind (written before kinds existed). */
  readonly kinds?: readonly UsageKind[];
  /** Tag values by key: the record's tag of each key listed is one of its values. */
  readonly tags?: TagFilter;
}

/** One account's records in a time window, filtered. */
export interface UsageLogQuery {
  readonly accountId: string;
  /** Inclusive lower bound on `at`, a `Date.toISOString()` instant (millisecond precision, `Z`). */
  readonly fromIso: string;
  /** Exclusive upper bound on `at`, same format as `fromIso`. */
  readonly toIso: string;
  readonly filter: UsageLogFilter;
}

/** A page of records, newest first. */
export interface UsageLogPage {
  readonly records: UsageRecord[];
  /**
   * Where the next page starts (exclusive): pass it back as `after`. Undefined when no record
   * matching the query follows the last one returned.
   */
  readonly next?: string | undefined;
}

/**
 * Reads the raw usage log (the Logs page and its CSV export). Every method hides records whose
 * retention has passed (`expiresAtEpochSeconds` not after now), whether or not storage has
 * deleted them yet, and never returns another account's record.
 */
export interface UsageLogReader {
  /**
   * Up to `limit` records matching `query`, newest first, starting after `after` (a `next`
   * from an earlier page of the same query; positions are `<at>#<requestId>`).
   */
  queryLogs(
    query: UsageLogQuery & { readonly after?: string; readonly limit: number },
  ): Promise<UsageLogPage>;

  /** How many records match `query`, exactly. Costs a read of the whole window (see docs). */
  countLogs(query: UsageLogQuery): Promise<number>;

  /** The account's record with this request id, or undefined (unknown, expired or foreign). */
  getLog(accountId: string, requestId: string): Promise<UsageRecord | undefined>;
}
