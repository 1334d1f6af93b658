import type { AlertRule } from '../alerts/alert-rule.ts';

/** One page of active (not paused) rules across accounts, ordered by account then rule. */
export interface ActiveRulesPage {
  readonly rules: readonly AlertRule[];
  /** Where the next page starts; absent after the last page. */
  readonly next?: string;
}

/**
 * The evaluator's sweep: the active rules of every account, page by page, and the cursor where
 * the next run resumes when a run stopped at its bound.
 */
export interface AlertSweepStore {
  /** A page of active rules of every account (the evaluator's read), at most `limit`. */
  listActive(options: {
    readonly after?: string | undefined;
    readonly limit: number;
  }): Promise<ActiveRulesPage>;
  /** Where the evaluator's next run starts (saved when a run stopped at its bound). */
  loadSweepCursor(): Promise<string | undefined>;
  /** Saves where the next run starts; undefined clears it (the last run finished). */
  saveSweepCursor(cursor: string | undefined): Promise<void>;
}
