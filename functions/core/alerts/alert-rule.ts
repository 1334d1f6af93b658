import type { ProviderId } from '../providers/provider-registry.ts';
import type { AlertLevel, AlertRuleType, AlertState, ErrorRateUnit } from './alert-policy.ts';

/** What a budget sums over, always through now. `since` is an ISO instant. */
export type BudgetPeriod =
  | { readonly kind: 'month' }
  | { readonly kind: 'since_creation' }
  | { readonly kind: 'since'; readonly since: string };

/** The editable part of a rule. */
export interface AlertRuleSpec {
  readonly name?: string;
  readonly type: AlertRuleType;
  /**
   * Budget: money in the account's currency (2 decimals); error rate: percent or count (`unit`);
   * latency p95: ms; request volume: requests.
   */
  readonly threshold: number;
  /** Error rate only. */
  readonly unit?: ErrorRateUnit;
  /** Budget only. */
  readonly period?: BudgetPeriod;
  /** Absent = every provider. */
  readonly providers?: readonly ProviderId[];
  /** The channels notified (ids; `email` is the account's address). Absent = email only. */
  readonly channels?: readonly string[];
  readonly paused: boolean;
}

/** A stored rule of one account. */
export interface AlertRule extends AlertRuleSpec {
  readonly accountId: string;
  readonly ruleId: string;
  /** ISO instant. */
  readonly createdAt: string;
  /** When each level last emailed (ISO). */
  readonly lastFired: Readonly<Partial<Record<AlertLevel, string>>>;
  /** When Test last sent an email (ISO). */
  readonly lastTestedAt?: string;
  /** As of the last evaluation; `ok` before the first. Paused rules show `paused`. */
  readonly state: Exclude<AlertState, 'paused'>;
}

/** The state a caller sees: `paused` overrides the evaluated one. */
export function visibleState(rule: AlertRule): AlertState {
  return rule.paused ? 'paused' : rule.state;
}
