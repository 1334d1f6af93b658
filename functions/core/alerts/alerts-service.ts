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
import type { AlertTestClaimStore } from '../ports/alert-test-claim-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { FxRateStore } from '../ports/fx-rate-store.ts';
import type { Random } from '../ports/random.ts';
import { HOUR_MS } from '../rollups/buckets.ts';
import {
  ALERT_WINDOWS,
  type ErrorRateUnit,
  MAX_ALERT_RULES,
  spikeMinimumProblem,
  TEST_COOLDOWN_HOURS,
  thresholdProblem,
} from './alert-policy.ts';
import { type AlertRule, type AlertRuleSpec, visibleState } from './alert-rule.ts';
import { buildNotice } from './build-notice.ts';
import { EMAIL_CHANNEL_ID } from './channels/alert-channel.ts';
import { attemptDelivery, type DeliverDeps } from './channels/deliver.ts';
import { type CurrentValue, currentValueReader } from './current-values.ts';
import { alertRulesAllowed } from './evaluate-alerts.ts';
import { measureNow } from './measure-now.ts';
import { type ScopedUsageRollups, scopedUsage } from './scoped-usage.ts';

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
  readonly testClaims: AlertTestClaimStore;
  readonly accounts: Pick<AccountStore, 'getAccount'>;
  readonly rollups: ScopedUsageRollups;
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
  const budget = rule.type === 'budget';
  return {
    id: rule.ruleId,
    name: rule.name,
    type: rule.type,
    threshold: rule.threshold,
    unit: rule.unit,
    currency:
      MONEY_TYPES.includes(rule.type) || rule.metric === 'cost' ? account.currency : undefined,
    period: budget ? (rule.period ?? { kind: 'month' }) : undefined,
    metric: rule.metric,
    minimum: rule.minimum,
    scope: rule.scope ?? { kind: 'account' },
    providers: rule.providers === undefined ? undefined : [...rule.providers],
    channels: [...(rule.channels ?? [EMAIL_CHANNEL_ID])],
    paused: rule.paused,
    createdAt: rule.createdAt,
    lastFired: rule.lastFired,
    lastTestedAt: rule.lastTestedAt,
    state: visibleState(rule),
    current,
  };
}

function ruleId(random: Random): string {
  return `rule_${[...random.bytes(10)].map((byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

async function proAccount(deps: AlertsServiceDeps, accountId: string): Promise<Account> {
  const account = await deps.accounts.getAccount(accountId);
  if (account === undefined) throw new NotFoundError('Sign in again: the account was not found.');
  if (!alertRulesAllowed(account, deps.clock.nowMs())) {
    throw new PlanRequiredError(
      'Alert rules are part of Metrion Pro. Upgrade under Settings → Plan to create alerts.',
    );
  }
  return account;
}

function noSuchRule(id: string): NotFoundError {
  return new NotFoundError(`No alert rule ${id.slice(0, 60)}.`);
}

async function ownRule(deps: AlertsServiceDeps, accountId: string, id: string) {
  const rule = await deps.rules.get(accountId, id);
  if (rule === undefined) throw noSuchRule(id);
  return rule;
}

/** The rules as the API shows them, each with its figure now (one rollup read per span). */
async function views(
  deps: AlertsServiceDeps,
  account: Account,
  rules: readonly AlertRule[],
): Promise<AlertRuleView[]> {
  const currentOf = await currentValueReader(deps, account, deps.clock.nowMs());
  return Promise.all(rules.map(async (rule) => view(rule, account, await currentOf(rule))));
}

async function viewOf(
  deps: AlertsServiceDeps,
  account: Account,
  rule: AlertRule,
): Promise<AlertRuleView> {
  const [shown] = await views(deps, account, [rule]);
  return shown as AlertRuleView;
}

function checkPeriod(period: AlertRule['period'], nowMs: number): void {
  if (period?.kind === 'since' && Date.parse(period.since) > nowMs) {
    throw new InvalidRequestError('period.since cannot be in the future.');
  }
}

function checkSpike(metric: AlertRule['metric'], minimum: number | undefined): void {
  const problem = spikeMinimumProblem(metric ?? 'requests', minimum ?? Number.NaN);
  if (problem !== undefined) throw new InvalidRequestError(problem);
}

/** Every channel named must be the account's (or `email`). */
async function checkChannels(
  deps: AlertsServiceDeps,
  accountId: string,
  channels: readonly string[] | undefined,
): Promise<void> {
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

/** A new rule of the account from a validated create request. */
function newRule(deps: AlertsServiceDeps, accountId: string, input: NewAlertRule): AlertRule {
  const nowMs = deps.clock.nowMs();
  checkPeriod(input.period, nowMs);
  if (input.type === 'spike') checkSpike(input.metric, input.minimum);
  const spike = input.type === 'spike';
  return {
    accountId,
    ruleId: ruleId(deps.random),
    name: input.name,
    type: input.type,
    threshold: input.threshold,
    unit: input.type === 'error_rate' ? input.unit : undefined,
    period: input.type === 'budget' ? (input.period ?? { kind: 'month' }) : undefined,
    metric: spike ? (input.metric ?? 'requests') : undefined,
    minimum: spike ? (input.minimum ?? 1) : undefined,
    scope: input.scope === undefined || input.scope.kind === 'account' ? undefined : input.scope,
    providers: input.providers,
    channels: input.channels === undefined ? undefined : [...new Set(input.channels)],
    paused: input.paused ?? false,
    createdAt: new Date(nowMs).toISOString(),
    lastFired: {},
    state: 'ok',
  };
}

/** The store changes of an update request, after checking it fits the rule's type. */
function ruleChanges(rule: AlertRule, input: AlertRuleUpdate, nowMs: number): AlertRuleChanges {
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
  checkPeriod(input.period, nowMs);
  if (input.threshold !== undefined || input.unit !== undefined) {
    const problem = thresholdProblem({
      type: rule.type,
      threshold: input.threshold ?? rule.threshold,
      unit: rule.type === 'error_rate' ? (input.unit ?? rule.unit ?? 'percent') : undefined,
    });
    if (problem !== undefined) throw new InvalidRequestError(problem);
  }
  // The stores skip fields left undefined.
  return {
    name: input.name,
    threshold: input.threshold,
    unit: input.unit,
    period: input.period,
    metric: input.metric,
    minimum: input.minimum,
    ...(input.scope === undefined
      ? { providers: input.providers }
      : { scope: input.scope.kind === 'account' ? null : input.scope, providers: null }),
    channels: input.channels === undefined ? undefined : [...new Set(input.channels)],
    paused: input.paused,
  };
}

/** One Test delivery per channel of the rule, attempted now; the outcome of each. */
async function deliverTest(
  deps: AlertsServiceDeps,
  account: Account,
  rule: AlertRule,
  nowMs: number,
) {
  const context = {
    currency: account.currency,
    quote: await currentFxQuote(deps.fxRates),
    historyStartMs: Date.parse(account.createdAt),
  };
  const usage = scopedUsage(deps.rollups);
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
        to: channelId === EMAIL_CHANNEL_ID ? account.email : undefined,
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

/**
 * Sends the rule's current figures to each of its channels now (a Test notice, not retried),
 * at most once per 12 h per rule; a Test no channel took gives the claim back.
 */
async function sendTest(deps: AlertsServiceDeps, accountId: string, id: string) {
  const account = await proAccount(deps, accountId);
  const rule = await ownRule(deps, accountId, id);
  const nowMs = deps.clock.nowMs();
  const claim = await deps.testClaims.claimTest(accountId, id, nowMs, TEST_COOLDOWN_MS);
  if (claim === undefined) throw noSuchRule(id);
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
    outcomes = await deliverTest(deps, account, rule, nowMs);
  } catch (error) {
    await deps.testClaims.releaseTest(accountId, id, sentAt, claim.previous);
    throw error;
  }
  if (!outcomes.some(({ outcome }) => outcome === 'delivered')) {
    await deps.testClaims.releaseTest(accountId, id, sentAt, claim.previous);
  }
  return {
    to: account.email,
    sentAt,
    nextTestAt: new Date(nowMs + TEST_COOLDOWN_MS).toISOString(),
    channels: outcomes,
  };
}

/** The Alerts API use cases, each scoped to the caller's account and gated on the plan. */
export function createAlertsService(deps: AlertsServiceDeps) {
  return {
    async list(accountId: string) {
      const account = await proAccount(deps, accountId);
      const rules = await deps.rules.list(accountId);
      return { rules: await views(deps, account, rules), windows: ALERT_WINDOWS };
    },

    async create(accountId: string, input: NewAlertRule): Promise<AlertRuleView> {
      const account = await proAccount(deps, accountId);
      await checkChannels(deps, accountId, input.channels);
      const rule = newRule(deps, accountId, input);
      if (!(await deps.rules.create(rule, MAX_ALERT_RULES))) {
        throw new RuleLimitError(
          `An account has at most ${MAX_ALERT_RULES} alert rules. Delete one to create another.`,
        );
      }
      return viewOf(deps, account, rule);
    },

    async update(accountId: string, id: string, input: AlertRuleUpdate): Promise<AlertRuleView> {
      const account = await proAccount(deps, accountId);
      const rule = await ownRule(deps, accountId, id);
      const changes = ruleChanges(rule, input, deps.clock.nowMs());
      await checkChannels(deps, accountId, input.channels);
      const updated = await deps.rules.update(accountId, id, changes);
      if (updated === undefined) throw noSuchRule(id);
      return viewOf(deps, account, updated);
    },

    async remove(accountId: string, id: string): Promise<{ id: string }> {
      await proAccount(deps, accountId);
      if (!(await deps.rules.delete(accountId, id))) throw noSuchRule(id);
      return { id };
    },

    test: (accountId: string, id: string) => sendTest(deps, accountId, id),
  };
}
