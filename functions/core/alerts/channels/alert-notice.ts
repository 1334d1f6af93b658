import type { Scope } from '../../attribution/scope.ts';
import type { AlertLevel, AlertRuleType } from '../alert-policy.ts';

/**
 * What one alert (or Test) says, independent of the channel: the email, the webhook JSON and the
 * Slack message are rendered from it. Stored with each delivery, so every retry sends the same
 * content.
 */
export interface AlertNotice {
  readonly ruleId: string;
  /** The rule's name, or its type when unnamed. */
  readonly ruleName: string;
  readonly ruleType: AlertRuleType;
  readonly scope: Scope;
  /** `all requests`, `provider openai`, `providers openai, anthropic`… */
  readonly scopeText: string;
  readonly level: AlertLevel | 'test';
  /** One line: `Alert: Monthly spend is projected to reach its threshold`. */
  readonly headline: string;
  /** The measured figure as people read it (`430.00 EUR`, `7.5%`, `812 ms`). */
  readonly value: string;
  readonly threshold: string;
  /** ISO instants of what was measured, and its text (`from 2026-11-01 00:00 UTC through now`). */
  readonly period: { readonly from: string; readonly to: string; readonly text: string };
  /** Further lines by type: the projection and its crossing date, a spike's baseline. */
  readonly details: readonly (readonly [string, string])[];
  /** Forecast rules: the projection, in the account's currency. */
  readonly forecast?: {
    readonly projected: string;
    readonly currency: string;
    /** UTC date (YYYY-MM-DD) the threshold is reached at this pace; absent when not this month. */
    readonly crossesOn?: string | undefined;
  };
  /** Spike rules: the observed hour against its baseline. */
  readonly spike?: {
    readonly metric: string;
    /** ISO start of the observed hour. */
    readonly hour: string;
    readonly observed: string;
    readonly baselineMedian: string;
    readonly factor: number;
  };
  /** The Dashboard filtered to the rule's scope and period. */
  readonly dashboardUrl: string;
  /** ISO instant the level fired (or Test was pressed). */
  readonly firedAt: string;
}
