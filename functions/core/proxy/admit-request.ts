import { pageReference } from '../accounts/dashboard-pages.ts';
import { metrionKeyDigest } from '../accounts/metrion-key.ts';
import type { ScopedRequest } from '../attribution/scope.ts';
import type { BudgetView } from '../budgets/budget.ts';
import { budgetExceededError, unboundedCostError } from '../budgets/budget-refusal.ts';
import type { BudgetViewCache } from '../budgets/budget-view-cache.ts';
import {
  type BudgetPlan,
  type MaxCost,
  planBudgets,
  reservationOf,
} from '../budgets/reservation.ts';
import {
  AuthenticationError,
  type BudgetExceededError,
  MissingProviderKeyError,
  SecretIntegrityError,
  ServiceUnavailableError,
} from '../errors.ts';
import {
  admissionRequest,
  type LimitOptions,
  limitReachedError,
  type PlanLimitTable,
} from '../limits/request-limits.ts';
import type { BudgetStore } from '../ports/budget-store.ts';
import type { Clock } from '../ports/clock.ts';
import type {
  Admission,
  AdmittedCaller,
  BudgetAdmission,
  ProxyAdmission,
} from '../ports/proxy-admission.ts';
import { PROVIDERS, type ProviderId } from '../providers/provider-registry.ts';
import type { AuthMode } from '../usage/usage-record.ts';
import { providerKeyContext, type SecretVault } from '../vault/secret-vault.ts';
import {
  type AuthenticatedCaller,
  type Authentication,
  type PresentedCredentials,
  presentedCredentials,
} from './authenticate.ts';

export interface AdmitRequestDeps {
  readonly admission: ProxyAdmission;
  readonly vault: SecretVault;
  readonly pepper: Uint8Array;
  readonly clock: Clock;
  /** @default PLAN_LIMITS */
  readonly planLimits?: PlanLimitTable;
  /** The budgets last seen per key, so an admission is planned without a read first. */
  readonly budgetViews: BudgetViewCache;
  /** Names a refusing budget in its 402 (read on the refusal path only). */
  readonly budgets: Pick<BudgetStore, 'get'>;
}

/** What the budgets need to know of a request that costs money. */
export interface BudgetedRequest {
  readonly requestId: string;
  readonly scoped: ScopedRequest;
  /** Worked out only when a budget matches (it reads the whole body); memoized by the caller. */
  readonly maxCost: () => MaxCost;
}

export interface AdmitOptions extends LimitOptions {
  /** Absent for calls no budget applies to (side calls, logging a refusal). */
  readonly budgeted?: BudgetedRequest;
  /**
   * Called once the presented key's digest is known, right before the first admission write is
   * issued: work to run in parallel with it.
   */
  readonly alongside?: (presented: PresentedKey) => void;
}

/** The Metrion Key a request presents, before anything is looked up. */
export interface PresentedKey {
  readonly keyDigest: string;
  readonly mode: AuthMode;
}

/**
 * A budget refused the request after authenticating it: the error to answer and the caller its
 * Logs row belongs to. Not a MetrionError itself: the proxy unwraps it.
 */
export class RefusedByBudget extends Error {
  readonly error: BudgetExceededError;
  readonly caller: AuthenticatedCaller;

  constructor(error: BudgetExceededError, caller: AuthenticatedCaller) {
    super(error.message);
    this.name = 'RefusedByBudget';
    this.error = error;
    this.caller = caller;
  }
}

/** Admission writes before giving up when the budgets keep changing under the plan. */
const MAX_PLANS = 3;

/**
 * Authentication, plan, both request limits and the account's budgets in one call to the
 * admission store (one DynamoDB round trip), before any decryption or upstream call. No cache
 * of valid keys: a regenerated key fails on the very next request. The budgets are planned from
 * the view this process last saw for the key, and the write holds only if that view is still
 * current; a changed view is answered with the current one and the admission is planned again.
 * A refused request is tallied, never recorded as usage here, and never reaches the provider.
 * @throws AuthenticationError for missing, malformed or unknown credentials.
 * @throws LimitReachedError when the key's minute or the account's month is full.
 * @throws RefusedByBudget when a `block` budget refuses the request.
 */
export async function admitRequest(
  deps: AdmitRequestDeps,
  headers: Readonly<Record<string, string>>,
  provider: ProviderId,
  options: AdmitOptions = {},
): Promise<Authentication> {
  const presented = presentedCredentials(headers);
  const keyDigest = metrionKeyDigest(presented.metrionKey, deps.pepper);
  const nowMs = deps.clock.nowMs();
  const { budgeted } = options;
  let view = deps.budgetViews.get(keyDigest);
  options.alongside?.({ keyDigest, mode: presented.mode });
  for (let attempt = 1; attempt <= MAX_PLANS; attempt += 1) {
    const plan =
      budgeted === undefined
        ? undefined
        : planBudgets(view, budgeted.scoped, budgeted.maxCost, nowMs);
    const admission = await deps.admission.admit({
      ...admissionRequest({ keyDigest, provider }, nowMs, options, deps.planLimits),
      budget:
        plan === undefined || budgeted === undefined
          ? undefined
          : budgetAdmission(plan, view, budgeted.requestId, nowMs),
    });
    if (admission.outcome === 'budgets-changed') {
      view = admission.budgets;
      deps.budgetViews.remember(keyDigest, view);
      continue;
    }
    if (admission.outcome === 'admitted') {
      deps.budgetViews.remember(keyDigest, admission.budgets);
      const reservation = plan === undefined ? undefined : reservationOf(plan);
      return authenticated(deps, presented, admission.caller, provider, {
        keyDigest,
        reservation,
      });
    }
    return await refused(deps, admission, presented, { keyDigest, nowMs, plan, budgeted });
  }
  throw new ServiceUnavailableError(
    'The budgets of this account changed several times during the request. Retry it.',
    { service: 'dynamodb', operation: 'UpdateItem', retryable: true },
  );
}

/** The budget part of the admission write, for `plan` made from `view`. */
function budgetAdmission(
  plan: BudgetPlan,
  view: BudgetView | undefined,
  requestId: string,
  nowMs: number,
): BudgetAdmission {
  if (plan.kind === 'refuse') {
    return {
      kind: 'refuse',
      viewVersion: view?.viewVersion ?? 0,
      budgetId: plan.budget.budgetId,
      period: plan.period,
    };
  }
  return {
    kind: 'reserve',
    viewVersion: view?.viewVersion,
    requestId,
    reservedPicoUsd: plan.kind === 'reserve' ? plan.reservedPicoUsd : 0n,
    charges: plan.kind === 'reserve' ? plan.charges : [],
    reservedAtMs: nowMs,
  };
}

/** Turns a refusal into its error: 401 unknown key, 429 limit, 402 budget. */
async function refused(
  deps: AdmitRequestDeps,
  admission: Exclude<Admission, { outcome: 'admitted' | 'budgets-changed' }>,
  presented: PresentedCredentials,
  context: {
    readonly keyDigest: string;
    readonly nowMs: number;
    readonly plan: BudgetPlan | undefined;
    readonly budgeted: BudgetedRequest | undefined;
  },
): Promise<never> {
  if (admission.outcome === 'unknown-key') {
    const where = presented.mode === 'stored' ? 'The API key' : 'The x-metrion-token header';
    throw new AuthenticationError(
      `${where} is not a valid Metrion Key (it may have been regenerated). Copy the current key from ${pageReference('metrionKey')}.`,
    );
  }
  if (admission.outcome === 'refused') {
    throw limitReachedError(admission, context.nowMs, deps.planLimits);
  }
  const { figures } = admission;
  const { account } = admission.caller;
  const budget = await deps.budgets.get(account.accountId, figures.budgetId);
  const { plan, budgeted } = context;
  const maxCost = budgeted?.maxCost();
  const error =
    plan?.kind === 'refuse' &&
    budgeted !== undefined &&
    maxCost !== undefined &&
    maxCost.kind !== 'bounded'
      ? unboundedCostError(budget, figures.budgetId, budgeted.scoped, maxCost)
      : budgetExceededError(budget, figures, plan?.kind === 'reserve' ? plan.reservedPicoUsd : 0n);
  throw new RefusedByBudget(error, {
    account,
    mode: presented.mode,
    keyDigest: context.keyDigest,
  });
}

/** The admitted caller and how to get the credential for upstream. */
function authenticated(
  deps: AdmitRequestDeps,
  presented: PresentedCredentials,
  admitted: AdmittedCaller,
  provider: ProviderId,
  extra: Pick<AuthenticatedCaller, 'keyDigest' | 'reservation'>,
): Authentication {
  const { account, providerKey } = admitted;
  const caller: AuthenticatedCaller = { account, mode: presented.mode, ...extra };
  const { providerCredential } = presented;
  if (providerCredential !== undefined) {
    return { caller, upstreamKey: async () => providerCredential };
  }
  return {
    caller,
    async upstreamKey() {
      const { displayName } = PROVIDERS[provider];
      if (providerKey === undefined) {
        throw new MissingProviderKeyError(
          `No ${displayName} key is saved in Metrion for this account. Add your ${displayName} key on ${pageReference('integrate')} and keep sending your Metrion Key as the API key; or use pass-through mode: your own ${displayName} key as the API key and your Metrion Key in the x-metrion-token header.`,
        );
      }
      try {
        return await deps.vault.open(
          providerKey.sealed,
          providerKeyContext(account.accountId, provider),
        );
      } catch (error) {
        if (!(error instanceof SecretIntegrityError)) throw error;
        throw new SecretIntegrityError(
          `The ${displayName} key saved in Metrion could not be decrypted. Save it again on ${pageReference('integrate')}.`,
        );
      }
    },
  };
}
