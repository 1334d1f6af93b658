import * as z from 'zod';
import {
  BUDGET_ACTIONS,
  BUDGET_ID_PATTERN,
  BUDGET_PERIODS,
  BUDGET_WARNING_PERCENT,
  MAX_BUDGET_LIMIT_CENTS,
  MAX_BUDGET_NAME_LENGTH,
  UNPRICED_POLICIES,
} from '#core/budgets/budget.ts';
import { hasUnsafeNameCharacter, UNSAFE_NAME_RULE } from '#core/text/safe-name.ts';
import type { ApiRoute } from './api-route.ts';
import { scopeSchema } from './scope.ts';
import { CURRENCIES, PLANS } from './settings-api.ts';

/**
 * The Budgets API (`/api/budgets`): the signed-in account's budgets with this period's figures.
 * Imports zod and the core's budget catalogue (the frontend bundles this file).
 *
 * - Free: one budget, for all requests (`scope: {kind: 'account'}`); Pro: up to 20, each for
 *   all requests or one provider, model, requester or tag. More, or a scope the plan lacks, is
 *   409 `budget_limit` saying what the plan allows.
 * - A budget id that does not belong to the caller is 404 `not_found` (ids never leak).
 * - `limit` is money in the account's currency with at most two decimals (whole cents); the
 *   budget keeps the currency it was set in (`currency`) until the limit is edited.
 */

export {
  BUDGET_ACTIONS,
  BUDGET_PERIODS,
  BUDGET_WARNING_PERCENT,
  MAX_BUDGET_NAME_LENGTH,
  UNPRICED_POLICIES,
};

const MAX_LIMIT = MAX_BUDGET_LIMIT_CENTS / 100;

const nameSchema = z
  .string({ message: 'name is required: a short name for the budget, e.g. "Search feature".' })
  .trim()
  .min(1, 'A budget needs a name.')
  .max(MAX_BUDGET_NAME_LENGTH, `A name has at most ${MAX_BUDGET_NAME_LENGTH} characters.`)
  .refine((name) => !hasUnsafeNameCharacter(name), `A name ${UNSAFE_NAME_RULE}`);

const limitSchema = z
  .number({ message: 'limit is a number: money in your account currency, e.g. 50 or 12.5.' })
  .refine(
    (limit) => Number.isFinite(limit) && limit > 0 && limit <= MAX_LIMIT,
    `limit is above 0 and at most ${MAX_LIMIT.toLocaleString('en-US')}.`,
  )
  .refine(
    (limit) => Number(limit.toFixed(2)) === limit,
    'limit has at most two decimals (whole cents).',
  );

const periodSchema = z.enum(BUDGET_PERIODS, {
  message: 'period is day or month (UTC; a budget resets at 00:00 UTC).',
});
const actionSchema = z.enum(BUDGET_ACTIONS, {
  message:
    'action is block (requests that could cross the limit are refused) or notify (email only).',
});
const unpricedSchema = z.enum(UNPRICED_POLICIES, {
  message: 'unpriced is block (refuse requests whose cost cannot be bounded) or allow.',
});

/** The body of `POST /api/budgets`. */
export const createBudgetSchema = z
  .object({
    name: nameSchema,
    limit: limitSchema,
    period: periodSchema,
    scope: scopeSchema,
    action: actionSchema,
    /** What a `block` budget does with a request it cannot bound; default `block`. */
    unpriced: unpricedSchema.default('block'),
    /** Create paused (default false). */
    paused: z.boolean().default(false),
  })
  .strict();
export type CreateBudgetRequest = z.output<typeof createBudgetSchema>;

/** The body of `PATCH /api/budgets/{budgetId}`: any of these. Pause: `{"paused": true}`. */
export const updateBudgetSchema = z
  .object({
    name: nameSchema.optional(),
    limit: limitSchema.optional(),
    period: periodSchema.optional(),
    scope: scopeSchema.optional(),
    action: actionSchema.optional(),
    unpriced: unpricedSchema.optional(),
    paused: z.boolean().optional(),
  })
  .strict()
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: 'Send at least one of name, limit, period, scope, action, unpriced, paused.',
  });
export type UpdateBudgetRequest = z.output<typeof updateBudgetSchema>;

/** This period of a budget, with its figures in the budget's currency. */
export const budgetPeriodStatusSchema = z.object({
  /** `2026-12-05` (day) or `2026-12` (month). */
  period: z.string(),
  startsAt: z.string(),
  /** When the budget resets (00:00 UTC). */
  resetsAt: z.string(),
  /** Settled cost of the period, 6 decimals. */
  spent: z.string(),
  /** Maximum cost reserved by requests still in flight, 6 decimals. */
  reserved: z.string(),
  /** `spent` as a share of the limit, in percent with one decimal. */
  percentUsed: z.number(),
  /** Requests the budget refused in the period. */
  blocked: z.number(),
});

export const budgetSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** In `currency`, at most two decimals. */
  limit: z.number(),
  currency: z.enum(CURRENCIES),
  period: z.enum(BUDGET_PERIODS),
  scope: scopeSchema,
  action: z.enum(BUDGET_ACTIONS),
  unpriced: z.enum(UNPRICED_POLICIES),
  paused: z.boolean(),
  createdAt: z.string(),
  current: budgetPeriodStatusSchema,
  /** The rate the limit is converted to USD with (units of `currency` per USD) and its date. */
  fx: z.object({ rate: z.string(), rateDate: z.string() }),
});
export type BudgetDto = z.infer<typeof budgetSchema>;

export const budgetsListSchema = z.object({
  budgets: z.array(budgetSchema),
  /** What the account's plan allows. */
  allowance: z.object({
    plan: z.enum(PLANS),
    maxBudgets: z.number(),
    scopedBudgets: z.boolean(),
  }),
  /** The account's currency: new limits are in it. */
  currency: z.enum(CURRENCIES),
  warningPercent: z.number(),
});
export type BudgetsListDto = z.infer<typeof budgetsListSchema>;

export const deletedBudgetSchema = z.object({ id: z.string() });

/** The shape of a budget id in a path (anything else is a 404 before any store call). */
export const budgetIdSchema = z.string().regex(BUDGET_ID_PATTERN);

/** Budget routes; `API_ROUTES` (api-routes.ts) spreads these in. */
export const BUDGETS_ROUTES = {
  listBudgets: { method: 'GET', path: '/api/budgets', auth: 'jwt', response: budgetsListSchema },
  createBudget: {
    method: 'POST',
    path: '/api/budgets',
    auth: 'jwt',
    status: 201,
    request: createBudgetSchema,
    response: budgetSchema,
  },
  updateBudget: {
    method: 'PATCH',
    path: '/api/budgets/{budgetId}',
    auth: 'jwt',
    request: updateBudgetSchema,
    response: budgetSchema,
  },
  deleteBudget: {
    method: 'DELETE',
    path: '/api/budgets/{budgetId}',
    auth: 'jwt',
    response: deletedBudgetSchema,
  },
} as const satisfies Record<string, ApiRoute>;
