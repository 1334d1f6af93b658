import type { WireFormat } from '../providers/provider-registry.ts';
import { ANTHROPIC_MESSAGES } from './dialects/anthropic-messages.ts';
import { OPENAI_CHAT } from './dialects/openai-chat.ts';
import { OPENAI_RESPONSES } from './dialects/openai-responses.ts';
import { isRecord, parseJson, providerErrorMessage } from './json-fields.ts';
import type { SseEvent } from './sse-parser.ts';
import type { DialectState, SseEventKind, UsageDialect } from './usage-dialect.ts';
import type { TokenUsage } from './usage-record.ts';

export type { SseEventKind } from './usage-dialect.ts';

/**
 * How a response reports usage: a provider's wire format, or `openai-responses` for the OpenAI
 * Responses API (`usage` on the response object, streamed in `response.completed`).
 */
export type UsageFormat = WireFormat | 'openai-responses';

/** The dialect that reads each usage format. */
const DIALECTS: Readonly<Record<UsageFormat, UsageDialect>> = {
  anthropic: ANTHROPIC_MESSAGES,
  openai: OPENAI_CHAT,
  'openai-responses': OPENAI_RESPONSES,
};

/** What a response revealed about its usage so far; readable at any point of the body. */
export interface UsageObservation {
  /** The model the provider says answered, when it said so. */
  readonly model?: string | undefined;
  /** Disjoint counts (see `TokenUsage`); 0 for what the provider has not reported (yet). */
  readonly usage: TokenUsage;
  /** The provider's own error message, from an error body or an in-stream error event. */
  readonly providerError?: string | undefined;
  /**
   * The service tier the answer says served the request (lower-cased): OpenAI `default`, `flex`,
   * `priority`; Anthropic `standard`, `priority`. The request's `service_tier` is only a wish.
   */
  readonly serviceTier?: string | undefined;
  /** Part of the body was not what the wire format promises (not JSON, or too large to read). */
  readonly unparseable: boolean;
  /**
   * The response reached its documented end: Anthropic `message_stop`, OpenAI `data: [DONE]`,
   * or a complete JSON body. False means the usage may be partial.
   */
  readonly sawTerminalEvent: boolean;
}

/** Folds one response (a stream of SSE events, or one JSON body) into a `UsageObservation`. */
export interface UsageAccumulator {
  /** Feeds the next event of a streamed response; never throws. */
  addSseEvent(event: SseEvent): SseEventKind;
  /** Feeds the complete body of a non-streamed response (JSON text); never throws. */
  addJsonBody(text: string): void;
  /** Records that the body could not be read at all (for example, too large to hold). */
  markUnparseable(): void;
  /** A snapshot of what has been observed so far. */
  observation(): UsageObservation;
}

/** The accumulator's state: the dialect's, plus what only the generic parsing can tell. */
interface AccumulatorState extends DialectState {
  unparseable: boolean;
}

type EventBodyListener = ((body: Record<string, unknown>) => void) | undefined;

function feedSseEvent(
  dialect: UsageDialect,
  state: AccumulatorState,
  event: SseEvent,
  onEventBody: EventBodyListener,
): SseEventKind {
  const data = event.data.trim();
  if (data === '') return 'other';
  if (data === dialect.doneMarker) {
    state.sawTerminalEvent = true;
    return 'terminal';
  }
  const parsed = parseJson(data);
  if (!parsed.ok) {
    state.unparseable = true;
    return 'unparseable';
  }
  if (isRecord(parsed.value)) onEventBody?.(parsed.value);
  const message = providerErrorMessage(parsed.value);
  if (message !== undefined) {
    state.providerError = message;
    return 'error';
  }
  if (!isRecord(parsed.value)) {
    state.unparseable = true;
    return 'unparseable';
  }
  return dialect.readEvent(parsed.value, event.event, state);
}

function feedJsonBody(dialect: UsageDialect, state: AccumulatorState, text: string): void {
  const parsed = parseJson(text);
  if (!parsed.ok) {
    state.unparseable = true;
    return;
  }
  if (dialect.claimBody?.(parsed.value, state)) return;
  const message = providerErrorMessage(parsed.value);
  if (message !== undefined) {
    state.providerError = message;
    state.sawTerminalEvent = true;
    return;
  }
  if (!isRecord(parsed.value)) {
    state.unparseable = true;
    return;
  }
  dialect.readBody(parsed.value, state);
}

function snapshot(state: AccumulatorState): UsageObservation {
  return {
    model: state.model,
    usage: { ...state.usage },
    providerError: state.providerError,
    serviceTier: state.serviceTier,
    unparseable: state.unparseable,
    sawTerminalEvent: state.sawTerminalEvent,
  };
}

/**
 * Creates an accumulator for one response in the given format. It handles what every format
 * shares (JSON parsing, error bodies in any provider's shape, snapshots) and hands the format's
 * own objects to its dialect (`dialects/`).
 */
export function createUsageAccumulator(
  format: UsageFormat,
  options: {
    /** Sees every SSE event body that parsed to an object, so others need not parse it again. */
    readonly onEventBody?: (body: Record<string, unknown>) => void;
  } = {},
): UsageAccumulator {
  const dialect = DIALECTS[format];
  const state: AccumulatorState = {
    model: undefined,
    usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
    providerError: undefined,
    serviceTier: undefined,
    sawTerminalEvent: false,
    unparseable: false,
  };
  return {
    addSseEvent: (event) => feedSseEvent(dialect, state, event, options.onEventBody),
    addJsonBody: (text) => feedJsonBody(dialect, state, text),
    markUnparseable: () => {
      state.unparseable = true;
    },
    observation: () => snapshot(state),
  };
}
