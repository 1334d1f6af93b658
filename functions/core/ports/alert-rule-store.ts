import type { AlertLevel } from '../alerts/alert-policy.ts';
import type { AlertRule, AlertRuleSpec } from '../alerts/alert-rule.ts';

/** Changes to a rule; `null` removes an optional field. */
export type AlertRuleChanges = {
  readonly [K in keyof AlertRuleSpec]?: K extends 'type'
    ? never
    : undefined extends AlertRuleSpec[K]
      ? Exclude<AlertRuleSpec[K], undefined> | null
      : AlertRuleSpec[K];
};

/** One page of active (not paused) rules across accounts, ordered by account then rule. */
export interface ActiveRulesPage {
  readonly rules: readonly AlertRule[];
  /** Where the next page starts; absent after the last page. */
  readonly next?: string;
}

/** The outcome of claiming the Test cooldown. */
export type TestClaim =
  | { readonly claimed: true; readonly previous?: string }
  | { readonly claimed: false; readonly lastTestedAt: string };

/**
 * Alert rules, scoped by account: every method that names a rule takes its account id and never
 * reaches another account's rule. Cooldowns are enforced with single-item conditional writes, so
 * two evaluators racing on one rule level get one claim between them.
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

  /** A page of active rules of every account (the evaluator's read), at most `limit`. */
  listActive(options: {
    readonly after?: string;
    readonly limit: number;
  }): Promise<ActiveRulesPage>;
  /** Where the evaluator's next run starts (saved when a run stopped at its bound). */
  loadSweepCursor(): Promise<string | undefined>;
  saveSweepCursor(cursor: string | undefined): Promise<void>;

  /**
   * Claims a level before emailing: succeeds only when the level has not fired within
   * `cooldownMs` before `nowMs` and no unexpired claim is held. Returns the claim token, or
   * undefined when another evaluator holds the level or the cooldown is running.
   */
  claimLevel(
    accountId: string,
    ruleId: string,
    level: AlertLevel,
    options: {
      readonly nowMs: number;
      readonly cooldownMs: number;
      readonly leaseMs: number;
      readonly token: string;
    },
  ): Promise<boolean>;
  /** After the email went out: records the firing time and drops the claim (if still ours). */
  confirmLevel(
    accountId: string,
    ruleId: string,
    level: AlertLevel,
    token: string,
    firedAt: string,
  ): Promise<void>;
  /** After a failed send: drops the claim (if still ours), so the next run retries. */
  releaseLevel(accountId: string, ruleId: string, level: AlertLevel, token: string): Promise<void>;

  /**
   * Sets `lastTestedAt` to `nowIso` unless a test ran within `cooldownMs`; `previous` lets a
   * failed send put the old value back.
   */
  claimTest(
    accountId: string,
    ruleId: string,
    nowMs: number,
    cooldownMs: number,
  ): Promise<TestClaim | undefined>;
  /** Undoes a claim whose email failed (only while `lastTestedAt` is still the claim's). */
  releaseTest(
    accountId: string,
    ruleId: string,
    claimedAt: string,
    previous: string | undefined,
  ): Promise<void>;

  /** Records the evaluated state (only when it changed). */
  setState(accountId: string, ruleId: string, state: AlertRule['state']): Promise<void>;
}
