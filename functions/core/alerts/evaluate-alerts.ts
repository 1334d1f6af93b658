import type { Account } from '../accounts/account.ts';
import { planLimitsOf } from '../billing/billing-state.ts';
import { currentFxQuote } from '../currency/refresh-fx-rates.ts';
import type { AccountStore } from '../ports/account-store.ts';
import type { AlertFiringStore } from '../ports/alert-firing-store.ts';
import type { AlertSweepStore } from '../ports/alert-sweep-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { FxRateStore } from '../ports/fx-rate-store.ts';
import type { Logger } from '../ports/logger.ts';
import type { Mailer } from '../ports/mailer.ts';
import type { Random } from '../ports/random.ts';
import type { RollupStore } from '../ports/rollup-store.ts';
import { HOUR_MS } from '../rollups/buckets.ts';
import type { Rollup } from '../rollups/rollup.ts';
import { alertEmail, periodText } from './alert-email.ts';
import { type AlertLevel, LEVEL_COOLDOWN_HOURS } from './alert-policy.ts';
import type { AlertRule } from './alert-rule.ts';
import {
  type AlertMoney,
  budgetReads,
  budgetStartMs,
  levelToEmail,
  type Measurement,
  measureRule,
  type Span,
  stateOf,
  windowSpan,
} from './measure-rule.ts';

/**
 * Whether the account's plan includes alert rules at `nowMs`: the one place that decides it, for
 * the Alerts API (403 `plan_required`) and the evaluator alike. It reads the effective plan, so
 * a subscription cancelled at period end stops alerts at that instant, even before Stripe's
 * `customer.subscription.deleted` event makes the stored plan Free.
 */
export function alertRulesAllowed(
  account: Pick<Account, 'plan' | 'billing'>,
  nowMs: number,
): boolean {
  return planLimitsOf(account, nowMs).alertRules;
}

export const LEVEL_COOLDOWN_MS = LEVEL_COOLDOWN_HOURS * HOUR_MS;
/** A claim older than this is abandoned (the evaluator died between claim and confirm). */
export const CLAIM_LEASE_MS = 5 * 60_000;

export interface AlertMeasureDeps {
  readonly rollups: Pick<RollupStore, 'query'>;
}

/** A rule's measurement now, and the span it covers. */
export async function measureNow(
  deps: AlertMeasureDeps,
  rule: AlertRule,
  money: AlertMoney,
  nowMs: number,
): Promise<{ measurement: Measurement; span: Span }> {
  if (rule.type !== 'budget') {
    const span = windowSpan(nowMs);
    const rollups = await deps.rollups.query(rule.accountId, 'hour', span.fromMs, span.toMs);
    return {
      measurement: measureRule(rule, rollups, money),
      span: { fromMs: span.fromMs, toMs: nowMs },
    };
  }
  const startMs = budgetStartMs(rule, nowMs);
  const reads = budgetReads(startMs, nowMs);
  const [hourly, daily] = await Promise.all([
    reads.hourly
      ? deps.rollups.query(rule.accountId, 'hour', reads.hourly.fromMs, reads.hourly.toMs)
      : [],
    reads.daily
      ? deps.rollups.query(rule.accountId, 'day', reads.daily.fromMs, reads.daily.toMs)
      : [],
  ]);
  const rollups: Rollup[] = [...hourly, ...daily];
  return { measurement: measureRule(rule, rollups, money), span: { fromMs: startMs, toMs: nowMs } };
}

/** Emails `to` a rule's measurement over `span`: a level that fired, or a test send. */
export async function sendAlertEmail(
  deps: { readonly mailer: Mailer; readonly dashboardUrl: string },
  to: string,
  rule: AlertRule,
  level: AlertLevel | 'test',
  { measurement, span }: { readonly measurement: Measurement; readonly span: Span },
): Promise<void> {
  await deps.mailer.send(
    alertEmail({
      to,
      rule,
      level,
      figure: measurement.figure,
      thresholdText: measurement.thresholdText,
      periodText: periodText(span),
      span,
      dashboardUrl: deps.dashboardUrl,
    }),
  );
}

export interface EvaluateAlertsDeps extends AlertMeasureDeps {
  readonly sweep: AlertSweepStore;
  readonly firing: AlertFiringStore;
  readonly accounts: Pick<AccountStore, 'getAccount'>;
  readonly fxRates: FxRateStore;
  readonly mailer: Mailer;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  /** The Dashboard's base URL, for links in emails. */
  readonly dashboardUrl: string;
}

export interface EvaluateAlertsOptions {
  /** Rules read per page. @default 100 */
  readonly pageSize?: number;
  /** Most rules one run evaluates; the next run continues where this one stopped. @default 2000 */
  readonly maxRules?: number;
  /** Stop starting new pages after this long (ms). @default 40_000 */
  readonly budgetMs?: number;
}

export interface EvaluateAlertsReport {
  readonly rules: number;
  readonly accounts: number;
  readonly emailsSent: number;
  /** Accounts or rules whose evaluation threw (each isolated; the others ran). */
  readonly failures: number;
  /** Sends that failed (their claims released: the next run retries). */
  readonly sendFailures: number;
  /** True when the run stopped at its bound and saved a cursor for the next. */
  readonly truncated: boolean;
}

function token(random: Random): string {
  return [...random.bytes(12)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : typeof error;
}

/**
 * One run of the evaluator: pages through the active rules (all accounts, bounded per run, the
 * rest continues next run from a saved cursor), groups them by account, and for each rule
 * measures, records a changed state and emails the highest level reached, once per 24 h
 * (`levelToEmail`).
 * Emailing a level is claim (conditional write) -> send -> confirm; a failed send releases the
 * claim so the level stays unfired and the next run retries. Each account runs in isolation.
 */
export async function evaluateAlerts(
  deps: EvaluateAlertsDeps,
  options: EvaluateAlertsOptions = {},
): Promise<EvaluateAlertsReport> {
  const pageSize = options.pageSize ?? 100;
  const maxRules = options.maxRules ?? 2000;
  const budgetMs = options.budgetMs ?? 40_000;
  const startedMs = deps.clock.nowMs();
  const quote = await currentFxQuote(deps.fxRates);
  let after = await deps.sweep.loadSweepCursor();
  const report = {
    rules: 0,
    accounts: 0,
    emailsSent: 0,
    failures: 0,
    sendFailures: 0,
    truncated: false,
  };
  for (;;) {
    const page = await deps.sweep.listActive({
      ...(after === undefined ? {} : { after }),
      limit: Math.min(pageSize, maxRules - report.rules),
    });
    const byAccount = new Map<string, AlertRule[]>();
    for (const rule of page.rules) {
      const list = byAccount.get(rule.accountId);
      if (list === undefined) byAccount.set(rule.accountId, [rule]);
      else list.push(rule);
    }
    for (const [accountId, rules] of byAccount) {
      report.accounts += 1;
      report.rules += rules.length;
      try {
        await evaluateAccount(deps, accountId, rules, quote, report);
      } catch (error) {
        report.failures += 1;
        deps.logger.error('alert evaluation failed for an account', {
          accountId,
          error: errorText(error),
        });
      }
    }
    after = page.next;
    if (after === undefined) break;
    if (report.rules >= maxRules || deps.clock.nowMs() - startedMs >= budgetMs) {
      report.truncated = true;
      break;
    }
  }
  await deps.sweep.saveSweepCursor(report.truncated ? after : undefined);
  return report;
}

async function evaluateAccount(
  deps: EvaluateAlertsDeps,
  accountId: string,
  rules: readonly AlertRule[],
  quote: AlertMoney['quote'],
  report: { emailsSent: number; failures: number; sendFailures: number },
): Promise<void> {
  const account = await deps.accounts.getAccount(accountId);
  // A downgraded or deleted account keeps its rules but is not evaluated.
  if (account === undefined || !alertRulesAllowed(account, deps.clock.nowMs())) return;
  const money: AlertMoney = { currency: account.currency, quote };
  for (const rule of rules) {
    try {
      await evaluateRule(deps, account, rule, money, report);
    } catch (error) {
      report.failures += 1;
      deps.logger.error('alert rule evaluation failed', {
        accountId,
        ruleId: rule.ruleId,
        error: errorText(error),
      });
    }
  }
}

async function evaluateRule(
  deps: EvaluateAlertsDeps,
  account: Account,
  rule: AlertRule,
  money: AlertMoney,
  report: { emailsSent: number; sendFailures: number },
): Promise<void> {
  const nowMs = deps.clock.nowMs();
  const { measurement, span } = await measureNow(deps, rule, money, nowMs);
  const state = stateOf(measurement);
  if (state !== rule.state) await deps.firing.setState(rule.accountId, rule.ruleId, state);
  const level = levelToEmail(measurement.levels, rule.lastFired, nowMs, LEVEL_COOLDOWN_MS);
  if (level === undefined) return;
  const sent = await fireLevel(deps, account, rule, level, measurement, span, nowMs);
  if (sent === 'sent') report.emailsSent += 1;
  if (sent === 'failed') report.sendFailures += 1;
}

async function fireLevel(
  deps: EvaluateAlertsDeps,
  account: Account,
  rule: AlertRule,
  level: AlertLevel,
  measurement: Measurement,
  span: Span,
  nowMs: number,
): Promise<'sent' | 'skipped' | 'failed'> {
  const claim = token(deps.random);
  const claimed = await deps.firing.claimLevel(rule.accountId, rule.ruleId, level, {
    nowMs,
    cooldownMs: LEVEL_COOLDOWN_MS,
    leaseMs: CLAIM_LEASE_MS,
    token: claim,
  });
  if (!claimed) return 'skipped';
  try {
    await sendAlertEmail(deps, account.email, rule, level, { measurement, span });
  } catch (error) {
    deps.logger.warn('alert email failed; the next run retries', {
      accountId: rule.accountId,
      ruleId: rule.ruleId,
      level,
      error: errorText(error),
    });
    await deps.firing.releaseLevel(rule.accountId, rule.ruleId, level, claim);
    return 'failed';
  }
  await deps.firing.confirmLevel(
    rule.accountId,
    rule.ruleId,
    level,
    claim,
    new Date(nowMs).toISOString(),
  );
  deps.logger.info('alert email sent', {
    accountId: rule.accountId,
    ruleId: rule.ruleId,
    alertLevel: level,
  });
  return 'sent';
}
