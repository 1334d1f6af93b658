import { effectivePlan } from '../billing/billing-state.ts';
import { usageExpiryEpochSeconds } from '../billing/plans.ts';
import type { Logger } from '../ports/logger.ts';
import type { UsageStore } from '../ports/usage-store.ts';
import { type CostResult, computeCost } from '../pricing/cost.ts';
import { PRICE_VERSION } from '../pricing/price-version.ts';
import { resolveModel } from '../pricing/resolve-model.ts';
import type { ProviderId } from '../providers/provider-registry.ts';
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
  'provider' | 'endpoint' | 'model' | 'streamed' | 'requester'
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
  readonly errorSource?: ErrorSource;
  readonly errorMessage?: string;
  readonly firstByteAtMs?: number;
  readonly cached?: boolean;
  /** The usage was counted by Metrion (a stream the client left before usage arrived). */
  readonly estimated?: boolean;
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
  provider: ProviderId,
  model: string,
  usage: TokenUsage,
  atMs: number,
): CostResult {
  try {
    return computeCost(provider, model, usage, atMs);
  } catch {
    return { costPicoUsd: null, priceVersion: PRICE_VERSION };
  }
}

/** A provider's model id as recorded, or undefined (then the requested one is) when unstorable. */
function recordableModel(model: string | undefined): string | undefined {
  return model !== undefined && model.length <= MAX_MODEL_ID_LENGTH && model.isWellFormed()
    ? model
    : undefined;
}

/** Builds the usage record: no key, no prompt, no completion, exact cost. */
export function buildUsageRecord(attempt: RecordedAttempt, result: AttemptResult): UsageRecord {
  const { request, parsed, caller } = attempt;
  const usage = result.usage ?? NO_TOKENS;
  const model = recordableModel(result.model) ?? parsed.model;
  const cost = priceOrUnpriced(parsed.provider, model, usage, request.receivedAtMs);
  return {
    requestId: request.requestId,
    accountId: caller.account.accountId,
    at: new Date(request.receivedAtMs).toISOString(),
    provider: parsed.provider,
    kind: parsed.endpoint,
    model,
    requester: parsed.requester,
    status: result.status,
    errorSource: result.errorSource,
    errorMessage: result.errorMessage?.slice(0, MAX_ERROR_MESSAGE_LENGTH),
    ...usage,
    totalTokens:
      usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheWriteTokens,
    costPicoUsd: result.cached || result.refused ? 0n : cost.costPicoUsd,
    priceVersion: cost.priceVersion,
    latencyMs: Math.max(0, result.endedAtMs - request.receivedAtMs),
    timeToFirstTokenMs:
      parsed.streamed && result.firstByteAtMs !== undefined
        ? Math.max(0, result.firstByteAtMs - request.receivedAtMs)
        : undefined,
    streamed: parsed.streamed,
    cached: result.cached ?? false,
    mode: caller.mode,
    estimated: result.estimated === true ? true : undefined,
    timing: result.timing,
    budgetReservation: caller.reservation,
    blockedBy: result.blockedBy,
  };
}

export interface UsageRecorderDeps {
  readonly usage: UsageStore;
  readonly logger: Logger;
}

/**
 * Appends the record, retrying transient failures. The store is idempotent on requestId, so a
 * retry never counts twice. Never throws: a record that cannot be written is logged (without
 * secrets) for replay, because the customer's response has already been sent. A model the price
 * table cannot price is logged as `unpriced model` (provider and model), so operators can count
 * which prices are missing across all accounts.
 */
export async function recordUsage(
  deps: UsageRecorderDeps,
  attempt: RecordedAttempt,
  result: AttemptResult,
): Promise<void> {
  const record = buildUsageRecord(attempt, result);
  if (record.costPicoUsd === null && resolveModel(record.provider, record.model) === undefined) {
    deps.logger.warn('unpriced model', {
      provider: record.provider,
      model: record.model,
      priceVersion: record.priceVersion,
      requestId: record.requestId,
    });
  }
  // Retention follows the plan at the time of the request: a record written while Pro keeps
  // 365 days even after a downgrade.
  const { receivedAtMs } = attempt.request;
  const retention = {
    expiresAtEpochSeconds: usageExpiryEpochSeconds(
      effectivePlan(attempt.caller.account, receivedAtMs),
      receivedAtMs,
    ),
  };
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
