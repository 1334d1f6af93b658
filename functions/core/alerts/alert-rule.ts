import {
  describeScope,
  type Scope,
  type ScopedRequest,
  scopeMatches,
} from '../attribution/scope.ts';
import type { ProviderId } from '../providers/provider-registry.ts';
import type {
  AlertLevel,
  AlertRuleType,
  AlertState,
  ErrorRateUnit,
  SpikeMetric,
} from './alert-policy.ts';

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
   * Budget and forecast: money in the account's currency (2 decimals); spike: the factor over
   * the baseline median; error rate: percent or count (`unit`); latency p95: ms; request
   * volume: requests.
   */
  readonly threshold: number;
  /** Error rate only. */
  readonly unit?: ErrorRateUnit;
  /** Budget only. */
  readonly period?: BudgetPeriod;
  /** Spike only: what is counted. */
  readonly metric?: SpikeMetric;
  /** Spike only: the observed hour must reach this volume (money for cost) to count. */
  readonly minimum?: number;
  /** The part of the traffic the rule looks at. Absent = the whole account. */
  readonly scope?: Scope;
  /**
   * Rules created before scopes kept a list of providers: still honoured (a request must match
   * `scope` and be of one of these); setting `scope` through the API removes it.
   */
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

/** Whether a rollup (or record) falls inside the rule's scope and its legacy provider list. */
export function ruleScopeMatches(
  rule: Pick<AlertRuleSpec, 'scope' | 'providers'>,
  item: ScopedRequest,
): boolean {
  return (
    scopeMatches(rule.scope ?? ACCOUNT_SCOPE, item) &&
    (rule.providers === undefined || rule.providers.includes(item.provider))
  );
}

/** The whole account: the scope of a rule without one. */
export const ACCOUNT_SCOPE: Scope = { kind: 'account' };

/** `all requests`, `model gpt-4o`, `providers openai, anthropic` (legacy lists). */
export function ruleScopeText(rule: Pick<AlertRuleSpec, 'scope' | 'providers'>): string {
  const scope = describeScope(rule.scope ?? ACCOUNT_SCOPE);
  if (rule.providers === undefined) return scope;
  const providers = `provider${rule.providers.length === 1 ? '' : 's'} ${rule.providers.join(', ')}`;
  return rule.scope === undefined || rule.scope.kind === 'account'
    ? providers
    : `${scope}, ${providers}`;
}
