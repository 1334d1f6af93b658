/**
 * What each plan includes, for the Settings → Plan page: the core's one table (`PLAN_LIMITS`),
 * re-exported so the frontend reaches it through `#contracts` like every other shared value.
 */
export { PLAN_LIMITS, type PlanLimits } from '#core/billing/plans.ts';
