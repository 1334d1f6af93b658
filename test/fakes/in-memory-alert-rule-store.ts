import type { AlertLevel } from '#core/alerts/alert-policy.ts';
import type { AlertRule } from '#core/alerts/alert-rule.ts';
import type { AlertFiringStore } from '#core/ports/alert-firing-store.ts';
import type { AlertRuleChanges, AlertRuleStore } from '#core/ports/alert-rule-store.ts';
import type { ActiveRulesPage, AlertSweepStore } from '#core/ports/alert-sweep-store.ts';
import type { AlertTestClaimStore, TestClaim } from '#core/ports/alert-test-claim-store.ts';

const copy = <T>(value: T): T => structuredClone(value);

interface Claim {
  readonly token: string;
  readonly untilMs: number;
}

interface Entry {
  rule: AlertRule;
  claims: Partial<Record<AlertLevel, Claim>>;
}

const activeKey = (rule: Pick<AlertRule, 'accountId' | 'ruleId'>) =>
  `${rule.accountId}#${rule.ruleId}`;

/**
 * AlertRuleStore, AlertSweepStore, AlertFiringStore and AlertTestClaimStore in memory, passing
 * the same contract suites as their DynamoDB adapters. Each method
 * checks and writes without awaiting in between, so it is as atomic as the conditional writes
 * it stands for. Values are copied in and out, like a real store.
 */
export class InMemoryAlertRuleStore
  implements AlertRuleStore, AlertSweepStore, AlertFiringStore, AlertTestClaimStore
{
  /** By account id, then rule id. */
  readonly #accounts = new Map<string, Map<string, Entry>>();
  #cursor: string | undefined;

  #entry(accountId: string, ruleId: string): Entry | undefined {
    return this.#accounts.get(accountId)?.get(ruleId);
  }

  async list(accountId: string): Promise<AlertRule[]> {
    return [...(this.#accounts.get(accountId)?.values() ?? [])]
      .map((entry) => copy(entry.rule))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.ruleId.localeCompare(b.ruleId));
  }

  async get(accountId: string, ruleId: string): Promise<AlertRule | undefined> {
    const entry = this.#entry(accountId, ruleId);
    return entry === undefined ? undefined : copy(entry.rule);
  }

  async create(rule: AlertRule, maxRules: number): Promise<boolean> {
    const rules = this.#accounts.get(rule.accountId) ?? new Map<string, Entry>();
    if (rules.has(rule.ruleId)) throw new Error(`Rule ${rule.ruleId} exists.`);
    if (rules.size >= maxRules) return false;
    rules.set(rule.ruleId, { rule: copy(rule), claims: {} });
    this.#accounts.set(rule.accountId, rules);
    return true;
  }

  async update(
    accountId: string,
    ruleId: string,
    changes: AlertRuleChanges,
  ): Promise<AlertRule | undefined> {
    const entry = this.#entry(accountId, ruleId);
    if (entry === undefined) return undefined;
    const next: Record<string, unknown> = { ...entry.rule };
    for (const [field, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      if (value === null) delete next[field];
      else next[field] = copy(value);
    }
    entry.rule = next as unknown as AlertRule;
    return copy(entry.rule);
  }

  async delete(accountId: string, ruleId: string): Promise<boolean> {
    return this.#accounts.get(accountId)?.delete(ruleId) ?? false;
  }

  async listActive(options: {
    readonly after?: string | undefined;
    readonly limit: number;
  }): Promise<ActiveRulesPage> {
    const after = options.after;
    const active = [...this.#accounts.values()]
      .flatMap((rules) => [...rules.values()].map((entry) => entry.rule))
      .filter((rule) => !rule.paused && (after === undefined || activeKey(rule) > after))
      .sort((a, b) => (activeKey(a) < activeKey(b) ? -1 : 1));
    const page = active.slice(0, Math.max(1, options.limit));
    const last = page.at(-1);
    return {
      rules: page.map(copy),
      ...(active.length > page.length && last !== undefined ? { next: activeKey(last) } : {}),
    };
  }

  async loadSweepCursor(): Promise<string | undefined> {
    return this.#cursor;
  }

  async saveSweepCursor(cursor: string | undefined): Promise<void> {
    this.#cursor = cursor;
  }

  async claimLevel(
    accountId: string,
    ruleId: string,
    level: AlertLevel,
    options: { nowMs: number; cooldownMs: number; leaseMs: number; token: string },
  ): Promise<boolean> {
    const entry = this.#entry(accountId, ruleId);
    if (entry === undefined) return false;
    const fired = entry.rule.lastFired[level];
    if (fired !== undefined && fired > new Date(options.nowMs - options.cooldownMs).toISOString()) {
      return false;
    }
    const claim = entry.claims[level];
    if (claim !== undefined && claim.untilMs > options.nowMs) return false;
    entry.claims[level] = { token: options.token, untilMs: options.nowMs + options.leaseMs };
    return true;
  }

  async confirmLevel(
    accountId: string,
    ruleId: string,
    level: AlertLevel,
    token: string,
    firedAt: string,
  ): Promise<void> {
    const entry = this.#entry(accountId, ruleId);
    if (entry === undefined) return;
    // Recorded even when the lease ran out and another evaluator holds the level now.
    entry.rule = { ...entry.rule, lastFired: { ...entry.rule.lastFired, [level]: firedAt } };
    if (entry.claims[level]?.token === token) delete entry.claims[level];
  }

  async releaseLevel(
    accountId: string,
    ruleId: string,
    level: AlertLevel,
    token: string,
  ): Promise<void> {
    const entry = this.#entry(accountId, ruleId);
    if (entry?.claims[level]?.token === token) delete entry.claims[level];
  }

  async claimTest(
    accountId: string,
    ruleId: string,
    nowMs: number,
    cooldownMs: number,
  ): Promise<TestClaim | undefined> {
    const entry = this.#entry(accountId, ruleId);
    if (entry === undefined) return undefined;
    const previous = entry.rule.lastTestedAt;
    if (previous !== undefined && previous > new Date(nowMs - cooldownMs).toISOString()) {
      return { claimed: false, lastTestedAt: previous };
    }
    entry.rule = { ...entry.rule, lastTestedAt: new Date(nowMs).toISOString() };
    return previous === undefined ? { claimed: true } : { claimed: true, previous };
  }

  async releaseTest(
    accountId: string,
    ruleId: string,
    claimedAt: string,
    previous: string | undefined,
  ): Promise<void> {
    const entry = this.#entry(accountId, ruleId);
    if (entry === undefined || entry.rule.lastTestedAt !== claimedAt) return;
    const { lastTestedAt: _claimed, ...rest } = entry.rule;
    entry.rule = previous === undefined ? rest : { ...rest, lastTestedAt: previous };
  }

  async setState(accountId: string, ruleId: string, state: AlertRule['state']): Promise<void> {
    const entry = this.#entry(accountId, ruleId);
    if (entry !== undefined) entry.rule = { ...entry.rule, state };
  }
}
