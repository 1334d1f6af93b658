import type { Account } from '../accounts/account.ts';
import { currentFxQuote } from '../currency/refresh-fx-rates.ts';
import {
  InvalidRequestError,
  LimitReachedError,
  NotFoundError,
  PlanRequiredError,
  RuleLimitError,
} from '../errors.ts';
import type { AccountStore } from '../ports/account-store.ts';
import type { AlertChannelStore } from '../ports/alert-channel-store.ts';
import type { AlertRuleChanges, AlertRuleStore } from '../ports/alert-rule-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { FxRateStore } from '../ports/fx-rate-store.ts';
import type { Random } from '../ports/random.ts';
import type { RollupStore } from '../ports/rollup-store.ts';
import { HOUR_MS } from '../rollups/buckets.ts';
import {
  ERROR_RATE_MIN_REQUESTS,
  type ErrorRateUnit,
  FORECAST_MIN_DAYS,
  FORECAST_PACE_DAYS,
  LEVEL_COOLDOWN_HOURS,
  MAX_ALERT_RULES,
  SPIKE_BASELINE_HOURS,
  SPIKE_MIN_BASELINE_HOURS,
  spikeMinimumProblem,
  TEST_COOLDOWN_HOURS,
  thresholdProblem,
  WARNING_PERCENT,
  WINDOW_HOURS,
} from './alert-policy.ts';
import { type AlertRule, type AlertRuleSpec, visibleState } from './alert-rule.ts';
import { buildNotice } from './build-notice.ts';
import { EMAIL_CHANNEL_ID } from './channels/alert-channel.ts';
import { attemptDelivery, type DeliverDeps } from './channels/deliver.ts';
import { type CurrentValue, currentValueReader } from './current-values.ts';
import { alertRulesAllowed } from './evaluate-alerts.ts';
import { measureNow } from './measure-now.ts';
import { dimensionScopedUsage } from './scoped-usage.ts';

export const TEST_COOLDOWN_MS = TEST_COOLDOWN_HOURS * HOUR_MS;

/** A rule as the API shows it. */
export interface AlertRuleView {
  readonly id: string;
  readonly name?: string;
  readonly type: AlertRule['type'];
  readonly threshold: number;
  readonly unit?: ErrorRateUnit;
  readonly currency?: Account['currency'];
  readonly period?: AlertRule['period'];
  readonly metric?: AlertRule['metric'];
  readonly minimum?: number;
  readonly scope: NonNullable<AlertRule['scope']>;
  readonly providers?: AlertRule['providers'] extends readonly (infer P)[] | undefined
    ? P[]
    : never;
  readonly channels: string[];
  readonly paused: boolean;
  readonly createdAt: string;
  readonly lastFired: AlertRule['lastFired'];
  readonly lastTestedAt?: string;
  readonly state: ReturnType<typeof visibleState>;
  /** The rule's figure now, measured as the evaluator measures it. */
  readonly current: CurrentValue;
}

/** The windows of the non-budget types, stated for the page. */
export const ALERT_WINDOWS = {
  minMinutes: (WINDOW_HOURS - 1) * 60,
  maxMinutes: WINDOW_HOURS * 60,
  description: `Error rate, latency p95 and request volume are measured over the previous UTC hour and the current one through now (between ${(WINDOW_HOURS - 1) * 60} and ${WINDOW_HOURS * 60} minutes). Error rate counts the errors providers returned, not Metrion's own (its rate limits and timeouts); in percent it needs at least ${ERROR_RATE_MIN_REQUESTS} requests answered by the provider in that window.`,
  errorRateMinRequests: ERROR_RATE_MIN_REQUESTS,
  forecastPaceDays: FORECAST_PACE_DAYS,
  forecastMinDays: FORECAST_MIN_DAYS,
  spikeBaselineDays: SPIKE_BASELINE_HOURS / 24,
  spikeMinBaselineHours: SPIKE_MIN_BASELINE_HOURS,
  warningPercent: WARNING_PERCENT,
  levelCooldownHours: LEVEL_COOLDOWN_HOURS,
  testCooldownHours: TEST_COOLDOWN_HOURS,
  maxRules: MAX_ALERT_RULES,
} as const;

/** A create request after validation (the contract's shape). */
export type NewAlertRule = Omit<AlertRuleSpec, 'paused'> & {
  readonly paused?: boolean | undefined;
};

/**
 * An update request after validation; `null` clears name or providers. Setting `scope` also
 * clears a legacy provider list (the scope replaces it).
 */
export interface AlertRuleUpdate {
  readonly name?: string | null | undefined;
  readonly threshold?: number | undefined;
  readonly unit?: ErrorRateUnit | undefined;
  readonly period?: AlertRule['period'] | undefined;
  readonly metric?: AlertRule['metric'] | undefined;
  readonly minimum?: number | undefined;
  readonly scope?: AlertRule['scope'] | undefined;
  readonly providers?: AlertRule['providers'] | null | undefined;
  readonly channels?: AlertRule['channels'] | undefined;
  readonly paused?: boolean | undefined;
}

export interface AlertsServiceDeps extends DeliverDeps {
  readonly rules: AlertRuleStore;
  readonly accounts: Pick<AccountStore, 'getAccount'>;
  readonly rollups: Pick<RollupStore, 'query' | 'queryMonthPacks'>;
  readonly channels: Pick<AlertChannelStore, 'get' | 'list' | 'recordLastDelivery'>;
  readonly fxRates: FxRateStore;
  readonly clock: Clock;
  readonly random: Random;
  readonly dashboardUrl: string;
}

/** Types whose threshold is money in the account's currency. */
const MONEY_TYPES: readonly AlertRule['type'][] = ['budget', 'forecast'];

export type AlertsService = ReturnType<typeof createAlertsService>;

function view(rule: AlertRule, account: Account, current: CurrentValue): AlertRuleView {
  return {
    id: rule.ruleId,
    ...(rule.name === undefined ? {} : { name: rule.name }),
    type: rule.type,
    threshold: rule.threshold,
    ...(rule.unit === undefined ? {} : { unit: rule.unit }),
    ...(MONEY_TYPES.includes(rule.type) || rule.metric === 'cost'
      ? { currency: account.currency }
      : {}),
    ...(rule.type === 'budget' ? { period: rule.period ?? { kind: 'month' } } : {}),
    ...(rule.metric === undefined ? {} : { metric: rule.metric }),
    ...(rule.minimum === undefined ? {} : { minimum: rule.minimum }),
    scope: rule.scope ?? { kind: 'account' },
    ...(rule.providers === undefined ? {} : { providers: [...rule.providers] }),
    channels: [...(rule.channels ?? [EMAIL_CHANNEL_ID])],
    paused: rule.paused,
    createdAt: rule.createdAt,
    lastFired: rule.lastFired,
    ...(rule.lastTestedAt === undefined ? {} : { lastTestedAt: rule.lastTestedAt }),
    state: visibleState(rule),
    current,
  };
}

function ruleId(random: Random): string {
  return `rule_${[...random.bytes(10)].map((byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

/** The Alerts API use cases, each scoped to the caller's account and gated on the plan. */
export function createAlertsService(deps: AlertsServiceDeps) {
  async function proAccount(accountId: string): Promise<Account> {
    const account = await deps.accounts.getAccount(accountId);
    if (account === undefined) throw new NotFoundError('Sign in again: the account was not found.');
    if (!alertRulesAllowed(account, deps.clock.nowMs())) {
      throw new PlanRequiredError(
        'Alert rules are part of Metrion Pro. Upgrade under Settings → Plan to create alerts.',
      );
    }
    return account;
  }

  async function ownRule(accountId: string, id: string): Promise<AlertRule> {
    const rule = await deps.rules.get(accountId, id);
    if (rule === undefined) throw new NotFoundError(`No alert rule ${id.slice(0, 60)}.`);
    return rule;
  }

  /** The rules as the API shows them, each with its figure now (one rollup read per span). */
  async function views(account: Account, rules: readonly AlertRule[]): Promise<AlertRuleView[]> {
    const currentOf = await currentValueReader(deps, account, deps.clock.nowMs());
    return Promise.all(rules.map(async (rule) => view(rule, account, await currentOf(rule))));
  }

  async function viewOf(account: Account, rule: AlertRule): Promise<AlertRuleView> {
    const currentOf = await currentValueReader(deps, account, deps.clock.nowMs());
    return view(rule, account, await currentOf(rule));
  }

  /** One Test delivery per channel of the rule, attempted now; the outcome of each. */
  async function sendTest(account: Account, rule: AlertRule, nowMs: number) {
    const context = {
      currency: account.currency,
      quote: await currentFxQuote(deps.fxRates),
      historyStartMs: Date.parse(account.createdAt),
    };
    const usage = dimensionScopedUsage(deps.rollups);
    const { measurement, span } = await measureNow({ usage }, rule, context, nowMs);
    const notice = buildNotice({
      rule,
      level: 'test',
      measurement,
      span,
      dashboardUrl: deps.dashboardUrl,
      nowMs,
    });
    return Promise.all(
      (rule.channels ?? [EMAIL_CHANNEL_ID]).map(async (channelId) => {
        const delivery = {
          accountId: rule.accountId,
          channelId,
          deliveryId: `test_${rule.ruleId}_${nowMs}`,
          ...(channelId === EMAIL_CHANNEL_ID ? { to: account.email } : {}),
          notice,
          createdAt: new Date(nowMs).toISOString(),
          status: 'pending' as const,
          attempts: 0,
        };
        await deps.deliveries.enqueue(delivery);
        return { channel: channelId, outcome: await attemptDelivery(deps, delivery) };
      }),
    );
  }

  function checkThreshold(spec: Pick<AlertRuleSpec, 'type' | 'threshold' | 'unit'>): void {
    const problem = thresholdProblem(spec);
    if (problem !== undefined) throw new InvalidRequestError(problem);
  }

  function checkSpike(metric: AlertRule['metric'], minimum: number | undefined): void {
    const problem = spikeMinimumProblem(metric ?? 'requests', minimum ?? Number.NaN);
    if (problem !== undefined) throw new InvalidRequestError(problem);
  }

  /** Every channel named must be the account's (or `email`); at least one. */
  async function checkChannels(accountId: string, channels: readonly string[] | undefined) {
    if (channels === undefined) return;
    const known = new Set([
      EMAIL_CHANNEL_ID,
      ...(await deps.channels.list(accountId)).map((c) => c.channelId),
    ]);
    const unknown = channels.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new InvalidRequestError(
        `No alert channel ${unknown.join(', ').slice(0, 80)}; add it under Alerts → Channels first.`,
      );
    }
  }

  function checkPeriod(period: AlertRule['period'], nowMs: number): void {
    if (period?.kind === 'since' && Date.parse(period.since) > nowMs) {
      throw new InvalidRequestError('period.since cannot be in the future.');
    }
  }

  return {
    async list(accountId: string) {
      const account = await proAccount(accountId);
      const rules = await deps.rules.list(accountId);
      return { rules: await views(account, rules), windows: ALERT_WINDOWS };
    },

    async create(accountId: string, input: NewAlertRule): Promise<AlertRuleView> {
      const account = await proAccount(accountId);
      const nowMs = deps.clock.nowMs();
      checkPeriod(input.period, nowMs);
      if (input.type === 'spike') checkSpike(input.metric, input.minimum);
      await checkChannels(accountId, input.channels);
      const rule: AlertRule = {
        accountId,
        ruleId: ruleId(deps.random),
        ...(input.name === undefined ? {} : { name: input.name }),
        type: input.type,
        threshold: input.threshold,
        ...(input.type === 'error_rate' && input.unit !== undefined ? { unit: input.unit } : {}),
        ...(input.type === 'budget' ? { period: input.period ?? { kind: 'month' } } : {}),
        ...(input.type === 'spike'
          ? { metric: input.metric ?? 'requests', minimum: input.minimum ?? 1 }
          : {}),
        ...(input.scope === undefined || input.scope.kind === 'account'
          ? {}
          : { scope: input.scope }),
        ...(input.providers === undefined ? {} : { providers: input.providers }),
        ...(input.channels === undefined ? {} : { channels: [...new Set(input.channels)] }),
        paused: input.paused ?? false,
        createdAt: new Date(nowMs).toISOString(),
        lastFired: {},
        state: 'ok',
      };
      if (!(await deps.rules.create(rule, MAX_ALERT_RULES))) {
        throw new RuleLimitError(
          `An account has at most ${MAX_ALERT_RULES} alert rules. Delete one to create another.`,
        );
      }
      return viewOf(account, rule);
    },

    async update(accountId: string, id: string, input: AlertRuleUpdate): Promise<AlertRuleView> {
      const account = await proAccount(accountId);
      const rule = await ownRule(accountId, id);
      if (input.unit !== undefined && rule.type !== 'error_rate') {
        throw new InvalidRequestError('Only error rate rules have a unit.');
      }
      if (input.period !== undefined && rule.type !== 'budget') {
        throw new InvalidRequestError(
          'Only budget rules have a period; the others use a fixed window.',
        );
      }
      if ((input.metric !== undefined || input.minimum !== undefined) && rule.type !== 'spike') {
        throw new InvalidRequestError('Only spike rules have a metric and a minimum.');
      }
      if (input.metric !== undefined || input.minimum !== undefined) {
        checkSpike(input.metric ?? rule.metric, input.minimum ?? rule.minimum);
      }
      await checkChannels(accountId, input.channels);
      checkPeriod(input.period, deps.clock.nowMs());
      if (input.threshold !== undefined || input.unit !== undefined) {
        checkThreshold({
          type: rule.type,
          threshold: input.threshold ?? rule.threshold,
          ...(rule.type === 'error_rate' ? { unit: input.unit ?? rule.unit ?? 'percent' } : {}),
        });
      }
      const changes: AlertRuleChanges = {
        ...(input.name === undefined ? {} : { name: input.name }),
        ...(input.threshold === undefined ? {} : { threshold: input.threshold }),
        ...(input.unit === undefined ? {} : { unit: input.unit }),
        ...(input.period === undefined ? {} : { period: input.period }),
        ...(input.metric === undefined ? {} : { metric: input.metric }),
        ...(input.minimum === undefined ? {} : { minimum: input.minimum }),
        ...(input.scope === undefined
          ? {}
          : { scope: input.scope.kind === 'account' ? null : input.scope, providers: null }),
        ...(input.providers === undefined ? {} : { providers: input.providers }),
        ...(input.channels === undefined ? {} : { channels: [...new Set(input.channels)] }),
        ...(input.paused === undefined ? {} : { paused: input.paused }),
      };
      const updated = await deps.rules.update(accountId, id, changes);
      if (updated === undefined) throw new NotFoundError(`No alert rule ${id.slice(0, 60)}.`);
      return viewOf(account, updated);
    },

    async remove(accountId: string, id: string): Promise<{ id: string }> {
      await proAccount(accountId);
      if (!(await deps.rules.delete(accountId, id))) {
        throw new NotFoundError(`No alert rule ${id.slice(0, 60)}.`);
      }
      return { id };
    },

    /**
     * Sends the rule's current figures to each of its channels now (a Test notice, not retried),
     * at most once per 12 h per rule.
     */
    async test(accountId: string, id: string) {
      const account = await proAccount(accountId);
      const rule = await ownRule(accountId, id);
      const nowMs = deps.clock.nowMs();
      const claim = await deps.rules.claimTest(accountId, id, nowMs, TEST_COOLDOWN_MS);
      if (claim === undefined) throw new NotFoundError(`No alert rule ${id.slice(0, 60)}.`);
      if (!claim.claimed) {
        const nextMs = Date.parse(claim.lastTestedAt) + TEST_COOLDOWN_MS;
        throw new LimitReachedError(
          `Test sends at most once per rule every ${TEST_COOLDOWN_HOURS} hours. Try again after ${new Date(nextMs).toISOString()}.`,
          Math.max(1, Math.ceil((nextMs - nowMs) / 1000)),
        );
      }
      const sentAt = new Date(nowMs).toISOString();
      let outcomes: { channel: string; outcome: string }[];
      try {
        outcomes = await sendTest(account, rule, nowMs);
      } catch (error) {
        await deps.rules.releaseTest(accountId, id, sentAt, claim.previous);
        throw error;
      }
      if (!outcomes.some(({ outcome }) => outcome === 'delivered')) {
        await deps.rules.releaseTest(accountId, id, sentAt, claim.previous);
      }
      return {
        to: account.email,
        sentAt,
        nextTestAt: new Date(nowMs + TEST_COOLDOWN_MS).toISOString(),
        channels: outcomes,
      };
    },
  };
}
