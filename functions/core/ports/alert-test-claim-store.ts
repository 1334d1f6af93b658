/** The outcome of claiming the Test cooldown. */
export type TestClaim =
  | { readonly claimed: true; readonly previous?: string }
  | { readonly claimed: false; readonly lastTestedAt: string };

/**
 * The Test button's cooldown on a rule: one Test email per cooldown, claimed with a
 * single-item conditional write. Scoped by account like `AlertRuleStore`.
 */
export interface AlertTestClaimStore {
  /**
   * Sets `lastTestedAt` to `nowMs` unless a test ran within `cooldownMs`; `previous` lets a
   * failed send put the old value back. Undefined when the account has no such rule.
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
}
