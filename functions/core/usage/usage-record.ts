import type { Tags } from '../attribution/tags.ts';
import type { BudgetReservation } from '../budgets/reservation.ts';
import type { ProviderId } from '../providers/provider-registry.ts';

/** Longest `x-metrion-user` label the proxy records (printable ASCII). */
export const MAX_REQUESTER_LENGTH = 128;

/**
 * Longest model id the proxy accepts in a request (longer -> 400) and records from a provider's
 * answer (longer -> the requested model is recorded). Longer ids are never model names; it
 * bounds the work done on caller input and keeps every stored key within DynamoDB's limits.
 */
export const MAX_MODEL_ID_LENGTH = 256;

/** `stored`: Metrion sent the saved provider key; `pass-through`: the caller's own key. */
export const AUTH_MODES = ['stored', 'pass-through'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/**
 * What a request was: a chat completion (Anthropic messages included), an OpenAI Responses API
 * call, or embeddings. Records written before issue 14 have no kind: they are chat.
 */
export const USAGE_KINDS = ['chat', 'responses', 'embeddings'] as const;
export type UsageKind = (typeof USAGE_KINDS)[number];

/**
 * The kind a stored record or rollup item stands for. Absent means written before issue 14,
 * when every request Metrion recorded was a chat completion (the Responses API and embeddings
 * were merged together with `kind`), so it is chat.
 */
export function usageKindOf(stored: unknown): UsageKind {
  return (USAGE_KINDS as readonly unknown[]).includes(stored) ? (stored as UsageKind) : 'chat';
}

/** Who produced an error: the provider (passed through) or Metrion. */
export const ERROR_SOURCES = ['provider', 'metrion'] as const;
export type ErrorSource = (typeof ERROR_SOURCES)[number];

/**
 * Token counts normalised across providers (0 when not reported). The four counts are
 * disjoint, so cost = each count x its own rate and total = their sum:
 * `inputTokens` are input tokens billed at the base input rate, i.e. excluding cache reads
 * and writes (Anthropic's `input_tokens`; OpenAI's `prompt_tokens - cached_tokens`).
 */
export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheWriteTokens: number;
  /**
   * How `cacheWriteTokens` split by cache lifetime, when the answer said so (Anthropic
   * `usage.cache_creation`): 5-minute writes bill at the cache-write price, 1-hour writes at the
   * 1-hour price. Both present or both absent, and they sum to `cacheWriteTokens`; absent means
   * every write has the default lifetime.
   */
  readonly cacheWrite5mTokens?: number;
  readonly cacheWrite1hTokens?: number;
}

/** The split part of {@link TokenUsage}, to carry it from one usage to another. */
export function cacheWriteSplitOf(
  usage: TokenUsage,
): Pick<TokenUsage, 'cacheWrite5mTokens' | 'cacheWrite1hTokens'> {
  return usage.cacheWrite1hTokens === undefined || usage.cacheWrite5mTokens === undefined
    ? {}
    : {
        cacheWrite5mTokens: usage.cacheWrite5mTokens,
        cacheWrite1hTokens: usage.cacheWrite1hTokens,
      };
}

/**
 * Where the time up to the answer's headers went, in milliseconds with one decimal: the figures
 * of the `server-timing` header the answer carried. `overheadMs` is Metrion's own time: from
 * arrival to the answer's headers, minus the waits on the provider (`upstreamHeadersMs`, and
 * `upstreamBodyMs` when the answer was read whole before relaying). A phase not reached is absent.
 */
export interface RequestTiming {
  /** Authentication and the limit checks (one span). */
  readonly authMs?: number;
  /** From sending upstream to the provider's response headers. */
  readonly upstreamHeadersMs?: number;
  /** Reading a non-streamed answer whole (to validate and price it) before relaying it. */
  readonly upstreamBodyMs?: number;
  readonly overheadMs: number;
}

/**
 * One proxied request as recorded. Nothing secret: no key, no prompt, no completion.
 * `costPicoUsd` is exact (10^-12 USD, bigint); null means the model has no price (unpriced).
 */
export interface UsageRecord extends TokenUsage {
  readonly requestId: string;
  readonly accountId: string;
  /** ISO instant the request arrived. */
  readonly at: string;
  readonly provider: ProviderId;
  /** Absent on records written before issue 14 (then `chat`). */
  readonly kind?: UsageKind;
  /** As returned by the provider, else as requested. */
  readonly model: string;
  /** At most {@link MAX_REQUESTER_LENGTH} characters. */
  readonly requester?: string;
  /**
   * The request's `x-metrion-tag-<key>` headers, key to value (at most 5). Absent without any
   * (and on records written before tags existed).
   */
  readonly tags?: Tags;
  readonly status: number;
  readonly errorSource?: ErrorSource;
  readonly errorMessage?: string;
  readonly totalTokens: number;
  readonly costPicoUsd: bigint | null;
  /**
   * The price data that priced it, `<data version>+overrides@<n>`: `genai-prices@0.1.8+…` (the
   * bundled table) or `genai-prices-data@<fetched at>+…` (a daily refresh); older records carry
   * the hand-kept table's date. Never changed by a deploy or a refresh; only `reprice` rewrites
   * it.
   */
  readonly priceVersion: string;
  /**
   * The service tier the answer says served the request (`default`, `flex`, `priority`,
   * `standard` …); absent when it named none.
   */
  readonly serviceTier?: string;
  /**
   * The answer's service tier has no price for this model in the price data: the request was
   * priced at the standard rate, which may be wrong. Absent otherwise.
   */
  readonly tierUnpriced?: boolean;
  /** End to end, from arrival to the last byte sent. */
  readonly latencyMs: number;
  /** Streams only: arrival to the first body byte from upstream. */
  readonly timeToFirstTokenMs?: number;
  readonly streamed: boolean;
  readonly cached: boolean;
  readonly mode: AuthMode;
  /**
   * The tokens were counted by Metrion, not reported by the provider: the client left the stream
   * before the provider reported usage (input from the request, output from the text relayed),
   * or the record is `interrupted`. Absent when not estimated.
   */
  readonly estimated?: boolean;
  /**
   * Metrion stopped before the request ended (its process died, or its own record write kept
   * failing): the trace sweeper wrote this record from the request's trace, with `estimated`
   * tokens (input approximated from the request; output 0, since what was relayed died with the
   * process), status 502 and `errorSource: 'metrion'`. Absent otherwise.
   */
  readonly interrupted?: boolean;
  /** Absent on records written before issue 13 part 3. */
  readonly timing?: RequestTiming;
  /**
   * What the admission reserved on the account's budgets: the settle (usage stream) replaces it
   * by `costPicoUsd`. Absent when no budget matched.
   */
  readonly budgetReservation?: BudgetReservation;
  /** The budget that refused the request (status 402): it never reached the provider. */
  readonly blockedBy?: BlockedBy;
}

/** The budget that refused a request, as its Logs row names it. */
export interface BlockedBy {
  readonly budgetId: string;
  readonly budgetName: string;
}
