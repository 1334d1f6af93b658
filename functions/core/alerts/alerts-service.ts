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
import type { AlertRuleChanges, AlertRuleStore } from '../ports/alert-rule-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { FxRateStore } from '../ports/fx-rate-store.ts';
import type { Mailer } from '../ports/mailer.ts';
import type { Random } from '../ports/random.ts';
import type { RollupStore } from '../ports/rollup-store.ts';
import { HOUR_MS } from '../rollups/buckets.ts';
import {
  ERROR_RATE_MIN_REQUESTS,
  type ErrorRateUnit,
  LEVEL_COOLDOWN_HOURS,
  MAX_ALERT_RULES,
  TEST_COOLDOWN_HOURS,
  thresholdProblem,
  WARNING_PERCENT,
  WINDOW_HOURS,
} from './alert-policy.ts';
import { type AlertRule, type AlertRuleSpec, visibleState } from './alert-rule.ts';
import { type CurrentValue, currentValueReader } from './current-values.ts';
import { alertRulesAllowed, measureNow, sendAlertEmail } from './evaluate-alerts.ts';

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
  readonly providers?: AlertRule['providers'] extends readonly (infer P)[] | undefined
    ? P[]
    : never;
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
  warningPercent: WARNING_PERCENT,
  levelCooldownHours: LEVEL_COOLDOWN_HOURS,
  testCooldownHours: TEST_COOLDOWN_HOURS,
  maxRules: MAX_ALERT_RULES,
} as const;

/** A create request after validation (the contract's shape). */
export type NewAlertRule = Omit<AlertRuleSpec, 'paused'> & {
  readonly paused?: boolean | undefined;
};

/** An update request after validation; `null` clears name or providers. */
export interface AlertRuleUpdate {
  readonly name?: string | null | undefined;
  readonly threshold?: number | undefined;
  readonly unit?: ErrorRateUnit | undefined;
  readonly period?: AlertRule['period'] | undefined;
  readonly providers?: AlertRule['providers'] | null | undefined;
  readonly paused?: boolean | undefined;
}

export interface AlertsServiceDeps {
  readonly rules: AlertRuleStore;
  readonly accounts: Pick<AccountStore, 'getAccount'>;
  readonly rollups: Pick<RollupStore, 'query'>;
  readonly fxRates: FxRateStore;
  readonly mailer: Mailer;
  readonly clock: Clock;
  readonly random: Random;
  readonly dashboardUrl: string;
}

export type AlertsService = ReturnType<typeof createAlertsService>;

function view(rule: AlertRule, account: Account, current: CurrentValue): AlertRuleView {
  return {
    id: rule.ruleId,
    ...(rule.name === undefined ? {} : { name: rule.name }),
    type: rule.type,
    threshold: rule.threshold,
    ...(rule.unit === undefined ? {} : { unit: rule.unit }),
    ...(rule.type === 'budget'
      ? { currency: account.currency, period: rule.period ?? { kind: 'month' } }
      : {}),
    ...(rule.providers === undefined ? {} : { providers: [...rule.providers] }),
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

  function checkThreshold(spec: Pick<AlertRuleSpec, 'type' | 'threshold' | 'unit'>): void {
    const problem = thresholdProblem(spec);
    if (problem !== undefined) throw new InvalidRequestError(problem);
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
      const rule: AlertRule = {
        accountId,
        ruleId: ruleId(deps.random),
        ...(input.name === undefined ? {} : { name: input.name }),
        type: input.type,
        threshold: input.threshold,
        ...(input.type === 'error_rate' && input.unit !== undefined ? { unit: input.unit } : {}),
        ...(input.type === 'budget' ? { period: input.period ?? { kind: 'month' } } : {}),
        ...(input.providers === undefined ? {} : { providers: input.providers }),
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
        ...(input.providers === undefined ? {} : { providers: input.providers }),
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

    /** Emails the rule's current figures now, at most once per 12 h per rule. */
    async test(accountId: string, id: string) {
      const account = await proAccount(accountId);
      const rule = await ownRule(accountId, id);
      const nowMs = deps.clock.nowMs();
      const claim = await deps.rules.claimTest(accountId, id, nowMs, TEST_COOLDOWN_MS);
      if (claim === undefined) throw new NotFoundError(`No alert rule ${id.slice(0, 60)}.`);
      if (!claim.claimed) {
        const nextMs = Date.parse(claim.lastTestedAt) + TEST_COOLDOWN_MS;
        throw new LimitReachedError(
          `Test sends at most one email per rule every ${TEST_COOLDOWN_HOURS} hours. Try again after ${new Date(nextMs).toISOString()}.`,
          Math.max(1, Math.ceil((nextMs - nowMs) / 1000)),
        );
      }
      const sentAt = new Date(nowMs).toISOString();
      try {
        const quote = await currentFxQuote(deps.fxRates);
        const measured = await measureNow(deps, rule, { currency: account.currency, quote }, nowMs);
        await sendAlertEmail(deps, account.email, rule, 'test', measured);
      } catch (error) {
        await deps.rules.releaseTest(accountId, id, sentAt, claim.previous);
        throw error;
      }
      return {
        to: account.email,
        sentAt,
        nextTestAt: new Date(nowMs + TEST_COOLDOWN_MS).toISOString(),
      };
    },
  };
}
