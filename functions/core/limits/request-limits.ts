import type { Plan } from '../accounts/account.ts';
import { PLAN_LIMITS, type PlanLimits } from '../billing/plans.ts';
import { LimitReachedError } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { CounterStore } from '../ports/counter-store.ts';
import type { Logger } from '../ports/logger.ts';

const MINUTE_MS = 60_000;
const DAY_SECONDS = 86_400;
/** Counters outlive their window a little, so operators can still read the refused tally. */
const MINUTE_COUNTER_GRACE_SECONDS = DAY_SECONDS;
const MONTH_COUNTER_GRACE_SECONDS = 35 * DAY_SECONDS;
/** The month limit of a plan without a cap: counted, never reached. */
const UNCAPPED = Number.MAX_SAFE_INTEGER;

/** Who is asking: enough to name both counters and pick the plan's limits. */
export interface LimitedCaller {
  readonly accountId: string;
  readonly plan: Plan;
  /** Digest of the Metrion Key (never the key itself). */
  readonly keyDigest: string;
}

export interface RequestLimitsDeps {
  readonly counters: CounterStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** @default PLAN_LIMITS */
  readonly planLimits?: Readonly<Record<Plan, PlanLimits>>;
}

const pad = (value: number): string => String(value).padStart(2, '0');

/** Start of the UTC minute after `nowMs`. */
export function nextMinuteStartMs(nowMs: number): number {
  return (Math.floor(nowMs / MINUTE_MS) + 1) * MINUTE_MS;
}

/** 00:00 UTC on the 1st of the month after `nowMs`. */
export function nextMonthStartMs(nowMs: number): number {
  const now = new Date(nowMs);
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
}

/** Counter of one Metrion Key in one UTC minute: `RPM#<key digest>#2026-11-24T12:34`. */
export function minuteCounterKey(keyDigest: string, nowMs: number): string {
  return `RPM#${keyDigest}#${new Date(nowMs).toISOString().slice(0, 16)}`;
}

/** Counter of one account in one UTC calendar month: `MONTH#<account id>#2026-11`. */
export function monthCounterKey(accountId: string, nowMs: number): string {
  const now = new Date(nowMs);
  return `MONTH#${accountId}#${now.getUTCFullYear()}-${pad(now.getUTCMonth() + 1)}`;
}

/** Whole seconds from `nowMs` until `resetAtMs`, at least 1 (the value of `Retry-After`). */
export function secondsUntil(nowMs: number, resetAtMs: number): number {
  return Math.max(1, Math.ceil((resetAtMs - nowMs) / 1000));
}

function planName(plan: Plan): string {
  return `${plan.charAt(0).toUpperCase()}${plan.slice(1)}`;
}

function utcTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)} UTC`;
}

function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

interface Window {
  readonly key: string;
  readonly limit: number;
  readonly resetAtMs: number;
  readonly graceSeconds: number;
  readonly message: (retryAfterSeconds: number) => string;
}

/** `monthly: false` counts only the per-key minute (side calls such as a model list). */
export interface LimitOptions {
  readonly monthly?: boolean;
}

function windowsFor(
  caller: LimitedCaller,
  limits: PlanLimits,
  nowMs: number,
  options: LimitOptions,
): readonly Window[] {
  const minuteResetMs = nextMinuteStartMs(nowMs);
  const windows: Window[] = [
    {
      key: minuteCounterKey(caller.keyDigest, nowMs),
      limit: limits.requestsPerMinutePerKey,
      resetAtMs: minuteResetMs,
      graceSeconds: MINUTE_COUNTER_GRACE_SECONDS,
      message: (seconds) =>
        `Rate limit reached: ${limits.requestsPerMinutePerKey} requests per minute per Metrion Key. It resets at ${utcTime(minuteResetMs)} (in ${seconds} s); retry after that.`,
    },
  ];
  if (options.monthly === false) return windows;
  // Every plan counts the month (an uncapped plan never refuses): a downgrade mid-month then
  // sees the whole month, so the Free cap applies to requests made while on Pro too.
  const monthly = limits.monthlyRequests ?? UNCAPPED;
  const monthResetMs = nextMonthStartMs(nowMs);
  windows.push({
    key: monthCounterKey(caller.accountId, nowMs),
    limit: monthly,
    resetAtMs: monthResetMs,
    graceSeconds: MONTH_COUNTER_GRACE_SECONDS,
    message: () =>
      `Monthly limit reached: the ${planName(caller.plan)} plan includes ${monthly.toLocaleString('en-US')} proxy requests per calendar month (UTC). It resets on ${utcDate(monthResetMs)} at 00:00 UTC. Upgrade to Pro under Settings > Plan for no monthly cap.`,
  });
  return windows;
}

/**
 * Counts the request against the per-key minute window and the account's calendar month (UTC;
 * capped on Free, counted without a cap on Pro): one conditional atomic write per window, minute first so that a burst
 * refused by the rate limit never eats into the monthly quota. A refused request only bumps the
 * window's refused tally (counted, not logged). If the counter store itself fails, the request
 * is let through and the failure logged: an outage of the counters must not take the proxy down.
 * @throws LimitReachedError with `retryAfterSeconds` up to the window's reset.
 */
export async function enforceRequestLimits(
  deps: RequestLimitsDeps,
  caller: LimitedCaller,
  options: LimitOptions = {},
): Promise<void> {
  const nowMs = deps.clock.nowMs();
  const limits = (deps.planLimits ?? PLAN_LIMITS)[caller.plan];
  for (const window of windowsFor(caller, limits, nowMs, options)) {
    const expiresAtEpochSeconds = Math.floor(window.resetAtMs / 1000) + window.graceSeconds;
    let counted: boolean;
    try {
      counted = await deps.counters.incrementIfBelow(
        window.key,
        window.limit,
        expiresAtEpochSeconds,
      );
    } catch (error) {
      deps.logger.error('limit counters unavailable; request let through', {
        accountId: caller.accountId,
        error: error instanceof Error ? error.name : 'unknown',
      });
      return;
    }
    if (!counted) {
      await deps.counters.countRejection(window.key, expiresAtEpochSeconds).catch(() => undefined);
      const retryAfterSeconds = secondsUntil(nowMs, window.resetAtMs);
      throw new LimitReachedError(window.message(retryAfterSeconds), retryAfterSeconds);
    }
  }
}
