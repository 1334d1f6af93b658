export const PLANS = ['free', 'pro'] as const;
export type Plan = (typeof PLANS)[number];

export interface PlanLimits {
  /** Proxy requests per calendar month (UTC); null = no cap. */
  readonly monthlyRequests: number | null;
  /** Proxy requests per minute per Metrion Key. */
  readonly requestsPerMinutePerKey: number;
  readonly logRetentionDays: number;
  readonly alertRules: boolean;
  /** Most budgets an account may have. */
  readonly budgets: number;
  /** Whether a budget may watch part of the traffic (a provider, model, requester or tag). */
  readonly scopedBudgets: boolean;
}

/** The one table of plan limits: the proxy, the dashboard API and the dashboard read it. */
export const PLAN_LIMITS = {
  free: {
    monthlyRequests: 10_000,
    requestsPerMinutePerKey: 100,
    logRetentionDays: 30,
    alertRules: false,
    budgets: 1,
    scopedBudgets: false,
  },
  pro: {
    monthlyRequests: null,
    requestsPerMinutePerKey: 100,
    logRetentionDays: 365,
    alertRules: true,
    budgets: 20,
    scopedBudgets: true,
  },
} as const satisfies Record<Plan, PlanLimits>;

const SECONDS_PER_DAY = 86_400;

/** When a usage record created at `atMs` may be deleted under `plan`'s retention. */
export function usageExpiryEpochSeconds(plan: Plan, atMs: number): number {
  return Math.floor(atMs / 1000) + PLAN_LIMITS[plan].logRetentionDays * SECONDS_PER_DAY;
}
