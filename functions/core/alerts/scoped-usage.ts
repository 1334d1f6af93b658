import type { RollupStore } from '../ports/rollup-store.ts';
import type { Granularity } from '../rollups/buckets.ts';
import type { Rollup, RollupCounts } from '../rollups/rollup.ts';
import { readDailyRollups } from '../rollups/rollup-packs.ts';
import { ACCOUNT_SCOPE, type AlertRuleSpec, ruleScopeMatches } from './alert-rule.ts';
import type { Span } from './measure-rule.ts';

/** One bucket's counts in a rule's scope: what every rule type measures from. */
export interface ScopedRollup extends RollupCounts {
  /** ISO UTC start of the hour or day. */
  readonly bucketStart: string;
  /** Recounted from the raw records by the seal job (exact). */
  readonly sealed: boolean;
}

/**
 * Reads an account's usage limited to a rule's scope. Rules measure only through this, so every
 * rule type (threshold, forecast, spike) sees a tag scope exactly as it sees a model scope.
 */
export interface ScopedUsageReader {
  /**
   * The scope's items of `granularity` whose bucket starts in `span` (daily reads of dimension
   * scopes use the month packs for sealed days); any number of items per bucket.
   */
  read(
    accountId: string,
    rule: Pick<AlertRuleSpec, 'scope' | 'providers'>,
    granularity: Granularity,
    span: Span,
    nowMs: number,
  ): Promise<ScopedRollup[]>;
}

/** The rollup reads a {@link scopedUsage} reader makes. */
export type ScopedUsageRollups = Pick<RollupStore, 'query' | 'queryMonthPacks' | 'queryTagValues'>;

/**
 * The reader of every scope. Provider, model and requester scopes filter the usage rollups by
 * their own dimensions; a tag scope reads the tag rollups of its one value, the read the
 * Dashboard's tag filter makes (`queryTagValues`), so a rule and the filtered Dashboard count
 * exactly the requests that carried the tag.
 */
export function scopedUsage(rollups: ScopedUsageRollups): ScopedUsageReader {
  return {
    async read(accountId, rule, granularity, span, nowMs) {
      const scope = rule.scope ?? ACCOUNT_SCOPE;
      const items: Rollup[] =
        scope.kind === 'tag'
          ? await rollups.queryTagValues(
              accountId,
              scope.key,
              [scope.value],
              granularity,
              span.fromMs,
              span.toMs,
            )
          : granularity === 'hour'
            ? await rollups.query(accountId, 'hour', span.fromMs, span.toMs)
            : await readDailyRollups(rollups, accountId, { ...span, nowMs });
      return withinScope(rule, items);
    },
  };
}

/**
 * The items of a rule's scope among those read for it (for a tag scope, the tag rollups of its
 * one value): the ones matching its dimensions.
 */
export function withinScope(
  rule: Pick<AlertRuleSpec, 'scope' | 'providers'>,
  items: readonly Rollup[],
): Rollup[] {
  // Tag rollups carry the tag in their key, not in their dimensions: the scope is the read.
  const within = rule.scope?.kind === 'tag' ? { ...rule, scope: ACCOUNT_SCOPE } : rule;
  return items.filter((item) =>
    ruleScopeMatches(within, { ...item, requester: item.requester ?? undefined }),
  );
}
