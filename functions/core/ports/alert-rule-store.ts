import type { AlertRule, AlertRuleSpec } from '../alerts/alert-rule.ts';

/** Changes to a rule; `null` removes an optional field. */
export type AlertRuleChanges = {
  readonly [K in keyof AlertRuleSpec]?: K extends 'type'
    ? never
    : undefined extends AlertRuleSpec[K]
      ? Exclude<AlertRuleSpec[K], undefined> | null
      : AlertRuleSpec[K];
};

/**
 * Alert rules, scoped by account: every method that names a rule takes its account id and never
 * reaches another account's rule. The evaluator's sweep, the level claims and the Test claims
 * have ports of their own (`AlertSweepStore`, `AlertFiringStore`, `AlertTestClaimStore`).
 */
export interface AlertRuleStore {
  /** The account's rules, oldest first (strongly consistent). */
  list(accountId: string): Promise<AlertRule[]>;
  /** One rule of the account, or undefined. */
  get(accountId: string, ruleId: string): Promise<AlertRule | undefined>;
  /**
   * Stores a new rule (the id must be fresh) unless the account already has `maxRules` rules;
   * answers false then, and stores nothing. Exact under concurrency: of any number of concurrent
   * creates, only as many succeed as there is room for.
   */
  create(rule: AlertRule, maxRules: number): Promise<boolean>;
  /** Applies changes; undefined when the account has no such rule. */
  update(
    accountId: string,
    ruleId: string,
    changes: AlertRuleChanges,
  ): Promise<AlertRule | undefined>;
  /** Deletes the rule (freeing its place under the limit); false when the account had no such rule. */
  delete(accountId: string, ruleId: string): Promise<boolean>;
}
