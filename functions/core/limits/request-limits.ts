import { pageReference } from '../accounts/dashboard-pages.ts';
import { PLAN_LIMITS, type Plan, type PlanLimits } from '../billing/plans.ts';
import { LimitReachedError } from '../errors.ts';
import type { AdmissionRequest, AdmissionWindow } from '../ports/proxy-admission.ts';
import type { ProviderId } from '../providers/provider-registry.ts';

const MINUTE_MS = 60_000;

/** Limits per plan; `PLAN_LIMITS` unless a test shrinks them. */
export type PlanLimitTable = Readonly<Record<Plan, PlanLimits>>;

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

/** Counter of one Metrion Key's UTC minute: `rpm@2026-11-24T12:34`. */
export function minuteCounter(nowMs: number): string {
  return `rpm@${new Date(nowMs).toISOString().slice(0, 16)}`;
}

/** Counter of one account's UTC calendar month: `month@2026-11`. */
export function monthCounter(nowMs: number): string {
  const now = new Date(nowMs);
  return `month@${now.getUTCFullYear()}-${pad(now.getUTCMonth() + 1)}`;
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

function limitsPerPlan(
  planLimits: PlanLimitTable,
  pick: (limits: PlanLimits) => number | null,
): Record<Plan, number | null> {
  return { free: pick(planLimits.free), pro: pick(planLimits.pro) };
}

/** `monthly: false` counts only the per-key minute (side calls such as a model list). */
export interface LimitOptions {
  readonly monthly?: boolean;
}

/**
 * The windows a request is counted in: the key's UTC minute, and (unless `monthly: false`) the
 * account's UTC calendar month. Every plan counts the month (Pro without a cap), so a downgrade
 * mid-month sees the whole month and the Free cap applies to requests made while on Pro too.
 */
export function admissionRequest(
  caller: { readonly keyDigest: string; readonly provider: ProviderId },
  nowMs: number,
  options: LimitOptions = {},
  planLimits: PlanLimitTable = PLAN_LIMITS,
): AdmissionRequest {
  const minute: AdmissionWindow = {
    counter: minuteCounter(nowMs),
    previousCounter: minuteCounter(nowMs - MINUTE_MS),
    limits: limitsPerPlan(planLimits, (limits) => limits.requestsPerMinutePerKey),
  };
  const request = {
    keyDigest: caller.keyDigest,
    provider: caller.provider,
    nowMs,
    minute,
    liveCounters: [minute.counter, monthCounter(nowMs)],
  };
  if (options.monthly === false) return request;
  const monthStart = new Date(nowMs);
  const previousMonthMs = Date.UTC(monthStart.getUTCFullYear(), monthStart.getUTCMonth() - 1, 1);
  return {
    ...request,
    month: {
      counter: monthCounter(nowMs),
      previousCounter: monthCounter(previousMonthMs),
      limits: limitsPerPlan(planLimits, (limits) => limits.monthlyRequests),
    },
  };
}

/**
 * The 429 for a refused window: `Retry-After` up to the window's reset, and a message naming
 * the limit and when it resets.
 */
export function limitReachedError(
  refusal: { readonly window: 'minute' | 'month'; readonly plan: Plan },
  nowMs: number,
  planLimits: PlanLimitTable = PLAN_LIMITS,
): LimitReachedError {
  const limits = planLimits[refusal.plan];
  if (refusal.window === 'minute') {
    const resetAtMs = nextMinuteStartMs(nowMs);
    const seconds = secondsUntil(nowMs, resetAtMs);
    return new LimitReachedError(
      `Rate limit reached: ${limits.requestsPerMinutePerKey} requests per minute per Metrion Key. It resets at ${utcTime(resetAtMs)} (in ${seconds} s); retry after that.`,
      seconds,
    );
  }
  const resetAtMs = nextMonthStartMs(nowMs);
  const monthly = (limits.monthlyRequests ?? 0).toLocaleString('en-US');
  return new LimitReachedError(
    `Monthly limit reached: the ${planName(refusal.plan)} plan includes ${monthly} proxy requests per calendar month (UTC). It resets on ${utcDate(resetAtMs)} at 00:00 UTC. Upgrade to Pro under ${pageReference('plan')} for no monthly cap.`,
    secondsUntil(nowMs, resetAtMs),
  );
}
