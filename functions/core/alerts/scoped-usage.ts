import type { Scope } from '../attribution/scope.ts';
import type { RollupStore } from '../ports/rollup-store.ts';
import type { Granularity } from '../rollups/buckets.ts';
import type { Rollup, RollupCounts } from '../rollups/rollup.ts';
import { readDailyRollups } from '../rollups/rollup-packs.ts';
import { type AlertRuleSpec, ruleScopeMatches } from './alert-rule.ts';
import type { Span } from './measure-rule.ts';

/** One bucket's counts in a rule's scope: what every rule type measures from. */
export interface ScopedRollup extends RollupCounts {
  /** ISO UTC start of the hour or day. */
  readonly bucketStart: string;
  /** Recounted from the raw records by the seal job (exact). */
  readonly sealed: boolean;
}

/**
 * Reads an account's usage limited to a rule's scope. Rules measure only through this, so a
 * scope kind whose items live elsewhere (tags: tag rollups) plugs in as another reader without
 * touching any rule type.
 */
export interface ScopedUsageReader {
  /** Whether this deployment can read the scope (tag scopes need tag rollups). */
  supports(scope: Scope): boolean;
  /**
   * The scope's items of `granularity` whose bucket starts in `span` (daily reads use the month
   * packs for sealed days); any number of items per bucket.
   */
  read(
    accountId: string,
    rule: Pick<AlertRuleSpec, 'scope' | 'providers'>,
    granularity: Granularity,
    span: Span,
    nowMs: number,
  ): Promise<ScopedRollup[]>;
}

/**
 * The reader over the usage rollups' own dimensions (provider, model, requester): every scope
 * but tags.
 */
export function dimensionScopedUsage(
  rollups: Pick<RollupStore, 'query' | 'queryMonthPacks'>,
): ScopedUsageReader {
  return {
    supports: (scope) => scope.kind !== 'tag',
    async read(accountId, rule, granularity, span, nowMs) {
      const items: Rollup[] =
        granularity === 'hour'
          ? await rollups.query(accountId, 'hour', span.fromMs, span.toMs)
          : await readDailyRollups(rollups, accountId, { ...span, nowMs });
      return items.filter((item) =>
        ruleScopeMatches(rule, { ...item, requester: item.requester ?? undefined }),
      );
    },
  };
}
