import type { TokenUsage } from './usage-record.ts';

/**
 * What one SSE event was. `usage-only` is the OpenAI-compatible chunk with `choices: []` that
 * carries `usage` (the one `stream_options.include_usage` adds); a chunk that has choices and
 * usage is `other`.
 */
export type SseEventKind = 'usage-only' | 'terminal' | 'error' | 'unparseable' | 'other';

/** What a dialect has read of one response so far; the accumulator snapshots it. */
export interface DialectState {
  /** The model the provider says answered. */
  model: string | undefined;
  /** Disjoint counts (see `TokenUsage`); 0 for what the provider has not reported (yet). */
  usage: TokenUsage;
  /** The provider's own error message. */
  providerError: string | undefined;
  /** The service tier the answer says served it (`default`, `flex`, `priority`, `standard` …). */
  serviceTier: string | undefined;
  /** The response reached its documented end. */
  sawTerminalEvent: boolean;
}

/**
 * How one wire format reports usage (Helicone's body processors: one module per dialect). The
 * accumulator does what every format shares (JSON parsing, error bodies, snapshots); a dialect
 * reads the format's own objects into the state. Dialects are stateless and never throw.
 */
export interface UsageDialect {
  /** SSE data that ends the stream without being JSON (`[DONE]`), when the format has it. */
  readonly doneMarker?: string;
  /**
   * Reads a whole JSON body the dialect recognises before the generic error check (a Responses
   * API response object carries its own `error`). Answers whether it took the body.
   */
  claimBody?(body: unknown, state: DialectState): boolean;
  /** Reads one SSE event body (an object that is not an error body). */
  readEvent(
    body: Record<string, unknown>,
    eventName: string | undefined,
    state: DialectState,
  ): SseEventKind;
  /** Reads a complete JSON body (an object that is not an error body). */
  readBody(body: Record<string, unknown>, state: DialectState): void;
}

/** Keeps the last non-empty model name a response states. */
export function noteModel(state: DialectState, value: unknown): void {
  if (typeof value === 'string' && value !== '') state.model = value;
}

/** Longest service tier name recorded; the names providers use are short words. */
const MAX_SERVICE_TIER_LENGTH = 32;

/** Keeps the service tier an answer states, lower-cased, when it looks like a tier name. */
export function noteServiceTier(state: DialectState, value: unknown): void {
  if (typeof value !== 'string' || value.length > MAX_SERVICE_TIER_LENGTH) return;
  const tier = value.toLowerCase();
  if (/^[a-z0-9_-]+$/.test(tier)) state.serviceTier = tier;
}
