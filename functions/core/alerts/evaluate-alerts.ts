import { createHash } from 'node:crypto';
import type { Account } from '../accounts/account.ts';
import { planLimitsOf } from '../billing/billing-state.ts';
import { currentFxQuote } from '../currency/refresh-fx-rates.ts';
import type { AccountStore } from '../ports/account-store.ts';
import type { AlertFiringStore } from '../ports/alert-firing-store.ts';
import type { AlertSweepStore } from '../ports/alert-sweep-store.ts';
import type { FxRateStore } from '../ports/fx-rate-store.ts';
import type { Random } from '../ports/random.ts';
import { HOUR_MS } from '../rollups/buckets.ts';
import { type AlertLevel, LEVEL_COOLDOWN_HOURS } from './alert-policy.ts';
import type { AlertRule } from './alert-rule.ts';
import { buildNotice } from './build-notice.ts';
import { EMAIL_CHANNEL_ID } from './channels/alert-channel.ts';
import type { AlertDelivery } from './channels/alert-delivery.ts';
import type { AlertNotice } from './channels/alert-notice.ts';
import { attemptDelivery, type DeliverDeps } from './channels/deliver.ts';
import { type AlertMeasureDeps, type MeasureContext, measureNow } from './measure-now.ts';
import { type AlertMoney, levelToEmail, type Measurement, stateOf } from './measure-rule.ts';
import type { ScopedUsageReader } from './scoped-usage.ts';

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

export interface EvaluateAlertsDeps extends AlertMeasureDeps, DeliverDeps {
  /** The reading a level fires on (`exactUsage`): unsealed hours recounted from raw records. */
  readonly exactUsage: ScopedUsageReader;
  readonly sweep: AlertSweepStore;
  readonly firing: AlertFiringStore;
  readonly accounts: Pick<AccountStore, 'getAccount'>;
  readonly fxRates: FxRateStore;
  readonly random: Random;
  /** The Dashboard's base URL, for links in notices. */
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
  /** Notices delivered at their first attempt (one per channel of a level that fired). */
  readonly notificationsSent: number;
  /** Accounts or rules whose evaluation threw (each isolated; the others ran). */
  readonly failures: number;
  /** First attempts that failed: the delivery run retries them with backoff for 24 h. */
  readonly sendFailures: number;
  /** True when the run stopped at its bound and saved a cursor for the next. */
  readonly truncated: boolean;
}

function token(random: Random): string {
  return Buffer.from(random.bytes(12)).toString('hex');
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
    notificationsSent: 0,
    failures: 0,
    sendFailures: 0,
    truncated: false,
  };
  for (;;) {
    const page = await deps.sweep.listActive({
      after,
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
  report: Tally,
): Promise<void> {
  const account = await deps.accounts.getAccount(accountId);
  // A downgraded or deleted account keeps its rules but is not evaluated.
  if (account === undefined || !alertRulesAllowed(account, deps.clock.nowMs())) return;
  const money: MeasureContext = {
    currency: account.currency,
    quote,
    historyStartMs: Date.parse(account.createdAt),
  };
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

type Tally = { notificationsSent: number; failures: number; sendFailures: number };

async function evaluateRule(
  deps: EvaluateAlertsDeps,
  account: Account,
  rule: AlertRule,
  money: MeasureContext,
  report: Tally,
): Promise<void> {
  const nowMs = deps.clock.nowMs();
  const live = await measureNow(deps, rule, money, nowMs);
  const toEmail = (found: Measurement) =>
    levelToEmail(found.levels, rule.lastFired, nowMs, LEVEL_COOLDOWN_MS);
  // The live rollups count a redelivered batch twice until the seal: a level fires only when
  // the exact reading, which no redelivery moves, reaches it too.
  const { measurement, span } =
    toEmail(live.measurement) === undefined
      ? live
      : await measureNow({ usage: deps.exactUsage }, rule, money, nowMs);
  const state = stateOf(measurement);
  if (state !== rule.state) await deps.firing.setState(rule.accountId, rule.ruleId, state);
  const level = toEmail(measurement);
  if (level === undefined) return;
  const notice = buildNotice({
    rule,
    level,
    measurement,
    span,
    dashboardUrl: deps.dashboardUrl,
    nowMs,
  });
  const deliveries = await fireLevel(deps, account, rule, level, notice, nowMs);
  for (const delivery of deliveries) {
    const outcome = await attemptDelivery(deps, delivery);
    if (outcome === 'delivered') report.notificationsSent += 1;
    if (outcome === 'retrying' || outcome === 'failed') report.sendFailures += 1;
  }
}

/**
 * The id of the delivery of one firing of a level to one channel: derived from the rule, the
 * level, the channel and the level's previous firing time, which stays the same until this
 * firing is confirmed. An evaluator that claims the level again after another died between
 * storing deliveries and confirming computes the same ids, so nothing is stored or sent twice.
 */
export function firingDeliveryId(
  rule: Pick<AlertRule, 'accountId' | 'ruleId' | 'lastFired'>,
  level: AlertLevel,
  channelId: string,
): string {
  const digest = createHash('sha256')
    .update(
      [rule.accountId, rule.ruleId, level, rule.lastFired[level] ?? 'never', channelId].join('\n'),
    )
    .digest('hex');
  return `dlv_${digest.slice(0, 24)}`;
}

/**
 * Claims the level (one evaluator wins per cooldown: a conditional write), stores one delivery
 * per channel of the rule under {@link firingDeliveryId}, then confirms the firing. A failed
 * store releases the claim, so the next run tries again with the same ids. Answers the
 * deliveries to attempt now (none when another evaluator holds the level).
 */
async function fireLevel(
  deps: EvaluateAlertsDeps,
  account: Account,
  rule: AlertRule,
  level: AlertLevel,
  notice: AlertNotice,
  nowMs: number,
): Promise<AlertDelivery[]> {
  const claim = token(deps.random);
  const claimed = await deps.firing.claimLevel(rule.accountId, rule.ruleId, level, {
    nowMs,
    cooldownMs: LEVEL_COOLDOWN_MS,
    leaseMs: CLAIM_LEASE_MS,
    token: claim,
  });
  if (!claimed) return [];
  const createdAt = new Date(nowMs).toISOString();
  const deliveries = (rule.channels ?? [EMAIL_CHANNEL_ID]).map(
    (channelId): AlertDelivery => ({
      accountId: rule.accountId,
      channelId,
      deliveryId: firingDeliveryId(rule, level, channelId),
      to: channelId === EMAIL_CHANNEL_ID ? account.email : undefined,
      notice,
      createdAt,
      status: 'pending',
      attempts: 0,
    }),
  );
  try {
    await Promise.all(deliveries.map((delivery) => deps.deliveries.enqueue(delivery)));
  } catch (error) {
    await deps.firing.releaseLevel(rule.accountId, rule.ruleId, level, claim);
    throw error;
  }
  await deps.firing.confirmLevel(rule.accountId, rule.ruleId, level, claim, createdAt);
  deps.logger.info('alert level fired', {
    accountId: rule.accountId,
    ruleId: rule.ruleId,
    alertLevel: level,
    channels: deliveries.length,
  });
  return deliveries;
}
