import type { AlertLevel } from '../alerts/alert-policy.ts';
import type { AlertRule } from '../alerts/alert-rule.ts';

/**
 * What the evaluator writes on a rule: per-level claims before emailing and the evaluated state.
 * Scoped by account like `AlertRuleStore`. Claims are single-item conditional writes, so two
 * evaluators racing on one rule level get one claim between them.
 */
export interface AlertFiringStore {
  /**
   * Claims a level before emailing: succeeds only when the level has not fired within
   * `cooldownMs` before `nowMs` and no unexpired claim is held (`token` then holds it for
   * `leaseMs`). False when another evaluator holds the level, the cooldown is running or the
   * account has no such rule.
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

  /** Records the evaluated state (only when it changed). */
  setState(accountId: string, ruleId: string, state: AlertRule['state']): Promise<void>;
}
