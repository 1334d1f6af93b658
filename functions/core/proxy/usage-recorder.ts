import { effectivePlan } from '../billing/billing-state.ts';
import { usageExpiryEpochSeconds } from '../billing/plans.ts';
import type { Logger } from '../ports/logger.ts';
import type { UsageRetention, UsageStore } from '../ports/usage-store.ts';
import type { CostResult } from '../pricing/cost.ts';
import type { PriceSource } from '../pricing/live-prices.ts';
import type { PriceCatalog } from '../pricing/price-catalog.ts';
import {
  type BlockedBy,
  type ErrorSource,
  MAX_MODEL_ID_LENGTH,
  type RequestTiming,
  type TokenUsage,
  type UsageRecord,
} from '../usage/usage-record.ts';
import type { AuthenticatedCaller } from './authenticate.ts';
import type { IncomingProxyRequest, ParsedProxyRequest } from './parse-proxy-request.ts';

/** What a record says of the request itself (a refused one may be known only in part). */
export type RecordedRequest = Pick<
  ParsedProxyRequest,
  'provider' | 'endpoint' | 'model' | 'streamed' | 'requester' | 'tags'
>;

/** An authenticated request and what its record says of it. */
export interface RecordedAttempt {
  readonly request: IncomingProxyRequest;
  readonly parsed: RecordedRequest;
  readonly caller: AuthenticatedCaller;
}

/** An authenticated request on its way through the proxy: everything a record needs up front. */
export interface ProxyAttempt extends RecordedAttempt {
  readonly parsed: ParsedProxyRequest;
}

/** What is known when the request ends. */
export interface AttemptResult {
  readonly status: number;
  readonly endedAtMs: number;
  readonly model?: string;
  readonly usage?: TokenUsage;
  /** The service tier the answer says served the request. */
  readonly serviceTier?: string;
  readonly errorSource?: ErrorSource;
  readonly errorMessage?: string;
  readonly firstByteAtMs?: number;
  readonly cached?: boolean;
  /** The usage was counted by Metrion (a stream the client left before usage arrived). */
  readonly estimated?: boolean;
  /** Metrion stopped before the request ended: written from its trace (see UsageRecord). */
  readonly interrupted?: boolean;
  /** The figures of the answer's `server-timing` header. */
  readonly timing?: RequestTiming;
  /**
   * Metrion refused the request before the provider saw it (its own 4xx): nothing was billed,
   * so the cost is 0, never unpriced (a refused request may name no model, or an unpriced one).
   */
  readonly refused?: boolean;
  /** A budget refused it (402). */
  readonly blockedBy?: BlockedBy;
}

const NO_TOKENS: TokenUsage = {
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
};
const MAX_ERROR_MESSAGE_LENGTH = 500;
const APPEND_ATTEMPTS = 3;

/** A provider reporting impossible counts must not cost the record: it is kept, unpriced. */
function priceOrUnpriced(
  prices: PriceCatalog,
  attempt: RecordedAttempt,
  model: string,
  result: AttemptResult,
): CostResult {
  try {
    return prices.computeCost(
      attempt.parsed.provider,
      model,
      result.usage ?? NO_TOKENS,
      attempt.request.receivedAtMs,
      result.serviceTier,
    );
  } catch {
    return { costPicoUsd: null, priceVersion: prices.version };
  }
}

/** A provider's model id as recorded, or undefined (then the requested one is) when unstorable. */
function recordableModel(model: string | undefined): string | undefined {
  return model !== undefined && model.length <= MAX_MODEL_ID_LENGTH && model.isWellFormed()
    ? model
    : undefined;
}

/** Builds the usage record: no key, no prompt, no completion, exact cost. */
export function buildUsageRecord(
  attempt: RecordedAttempt,
  result: AttemptResult,
  prices: PriceCatalog,
): UsageRecord {
  const { request, parsed, caller } = attempt;
  const usage = result.usage ?? NO_TOKENS;
  const model = recordableModel(result.model) ?? parsed.model;
  const cost = priceOrUnpriced(prices, attempt, model, result);
  const free = result.cached === true || result.refused === true;
  return {
    requestId: request.requestId,
    accountId: caller.account.accountId,
    at: new Date(request.receivedAtMs).toISOString(),
    provider: parsed.provider,
    kind: parsed.endpoint,
    model,
    requester: parsed.requester,
    tags: parsed.tags,
    status: result.status,
    errorSource: result.errorSource,
    errorMessage: result.errorMessage?.slice(0, MAX_ERROR_MESSAGE_LENGTH),
    ...usage,
    totalTokens:
      usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheWriteTokens,
    costPicoUsd: free ? 0n : cost.costPicoUsd,
    priceVersion: cost.priceVersion,
    serviceTier: result.serviceTier,
    tierUnpriced: cost.tierUnpriced === true && !free ? true : undefined,
    latencyMs: Math.max(0, result.endedAtMs - request.receivedAtMs),
    timeToFirstTokenMs:
      parsed.streamed && result.firstByteAtMs !== undefined
        ? Math.max(0, result.firstByteAtMs - request.receivedAtMs)
        : undefined,
    streamed: parsed.streamed,
    cached: result.cached ?? false,
    mode: caller.mode,
    estimated: result.estimated === true ? true : undefined,
    interrupted: result.interrupted === true ? true : undefined,
    timing: result.timing,
    budgetReservation: caller.reservation,
    blockedBy: result.blockedBy,
  };
}

/**
 * How long the attempt's record is kept. Retention follows the plan at the time of the request:
 * a record written while Pro keeps 365 days even after a downgrade.
 */
export function recordRetention(attempt: RecordedAttempt): UsageRetention {
  const { receivedAtMs } = attempt.request;
  return {
    expiresAtEpochSeconds: usageExpiryEpochSeconds(
      effectivePlan(attempt.caller.account, receivedAtMs),
      receivedAtMs,
    ),
  };
}

export interface UsageRecorderDeps {
  readonly usage: UsageStore;
  readonly logger: Logger;
  /** The price version in use (refreshed in the background, never waited on). */
  readonly prices: Pick<PriceSource, 'current'>;
}

/**
 * Logs a model the price data cannot price (`unpriced model`) and a service tier it has no price
 * for (`unpriced service tier`), with provider and model, so operators can count which prices
 * are missing across all accounts.
 */
function logPricingGaps(logger: Logger, record: UsageRecord, prices: PriceCatalog): void {
  const where = {
    provider: record.provider,
    model: record.model,
    priceVersion: record.priceVersion,
    requestId: record.requestId,
  };
  if (
    record.costPicoUsd === null &&
    prices.resolveModel(record.provider, record.model) === undefined
  ) {
    logger.warn('unpriced model', where);
  }
  if (record.tierUnpriced)
    logger.warn('unpriced service tier', { ...where, serviceTier: record.serviceTier });
}

/**
 * Appends the record, retrying transient failures. The store is idempotent on requestId, so a
 * retry never counts twice. Never throws: a record that cannot be written is logged (without
 * secrets) for replay, because the customer's response has already been sent. Pricing gaps are
 * logged ({@link logPricingGaps}).
 */
export async function recordUsage(
  deps: UsageRecorderDeps,
  attempt: RecordedAttempt,
  result: AttemptResult,
): Promise<void> {
  const prices = deps.prices.current();
  const record = buildUsageRecord(attempt, result, prices);
  logPricingGaps(deps.logger, record, prices);
  const retention = recordRetention(attempt);
  for (let tryNumber = 1; tryNumber <= APPEND_ATTEMPTS; tryNumber += 1) {
    try {
      await deps.usage.append(record, retention);
      return;
    } catch (error) {
      if (tryNumber === APPEND_ATTEMPTS) {
        deps.logger.error('usage record could not be written', {
          requestId: record.requestId,
          accountId: record.accountId,
          error: error instanceof Error ? error.name : 'unknown',
          record: { ...record, costPicoUsd: record.costPicoUsd?.toString() ?? null },
        });
      }
    }
  }
}
