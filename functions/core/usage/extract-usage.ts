import type { WireFormat } from '../providers/provider-registry.ts';
import type { SseEvent } from './sse-parser.ts';
import type { TokenUsage } from './usage-record.ts';

/**
 * How a response reports usage: a provider's wire format, or `openai-responses` for the OpenAI
 * Responses API (`usage` on the response object, streamed in `response.completed`).
 */
export type UsageFormat = WireFormat | 'openai-responses';

/** What a response revealed about its usage so far; readable at any point of the body. */
export interface UsageObservation {
  /** The model the provider says answered, when it said so. */
  readonly model?: string;
  /** Disjoint counts (see `TokenUsage`); 0 for what the provider has not reported (yet). */
  readonly usage: TokenUsage;
  /** The provider's own error message, from an error body or an in-stream error event. */
  readonly providerError?: string;
  /** Part of the body was not what the wire format promises (not JSON, or too large to read). */
  readonly unparseable: boolean;
  /**
   * The response reached its documented end: Anthropic `message_stop`, OpenAI `data: [DONE]`,
   * or a complete JSON body. False means the usage may be partial.
   */
  readonly sawTerminalEvent: boolean;
}

/**
 * What one SSE event was. `usage-only` is the OpenAI-compatible chunk with `choices: []` that
 * carries `usage` (the one `stream_options.include_usage` adds); a chunk that has choices and
 * usage is `other`.
 */
export type SseEventKind = 'usage-only' | 'terminal' | 'error' | 'unparseable' | 'other';

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

const NO_ERROR_MESSAGE = 'The provider reported an error without a message.';

interface MutableUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

/**
 * Creates an accumulator for one response in the given wire format.
 *
 * Anthropic: `model` and `usage` from the message (JSON) or from `message_start`, then every
 * `message_delta` usage count replaces the earlier one (`output_tokens` there is cumulative,
 * and newer API versions repeat input and cache counts; null means "unchanged").
 *
 * OpenAI-compatible: the latest `usage` object wins (Gemini repeats it on several chunks).
 * `inputTokens = prompt_tokens - cached_tokens`. Reasoning tokens are added to the output only
 * when `total_tokens` proves they are outside `completion_tokens` (xAI); OpenAI counts them
 * inside, so adding them there would bill them twice.
 */
export function createUsageAccumulator(
  wireFormat: UsageFormat,
  options: {
    /** Sees every SSE event body that parsed to an object, so others need not parse it again. */
    readonly onEventBody?: (body: Record<string, unknown>) => void;
  } = {},
): UsageAccumulator {
  let model: string | undefined;
  let usage: MutableUsage = {
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
  };
  let providerError: string | undefined;
  let unparseable = false;
  let sawTerminalEvent = false;

  const noteModel = (value: unknown): void => {
    if (typeof value === 'string' && value !== '') model = value;
  };

  const applyAnthropicUsage = (value: unknown): void => {
    if (!isRecord(value)) return;
    usage.inputTokens = tokenCount(value.input_tokens) ?? usage.inputTokens;
    usage.outputTokens = tokenCount(value.output_tokens) ?? usage.outputTokens;
    usage.cacheReadTokens = tokenCount(value.cache_read_input_tokens) ?? usage.cacheReadTokens;
    usage.cacheWriteTokens =
      tokenCount(value.cache_creation_input_tokens) ?? usage.cacheWriteTokens;
  };

  const applyUsage = (value: unknown): boolean => {
    if (wireFormat === 'anthropic') {
      applyAnthropicUsage(value);
      return false;
    }
    if (!isRecord(value)) return false;
    usage = openAiUsage(value);
    return true;
  };

  /**
   * A Responses API response object: its usage, and `failed` / `incomplete` as the provider's
   * error (the HTTP status is 200 for both).
   */
  const applyResponse = (response: unknown): void => {
    if (!isRecord(response)) return;
    noteModel(response.model);
    if (isRecord(response.usage)) usage = responsesUsage(response.usage);
    if (response.status === 'failed') {
      const detail = isRecord(response.error) ? response.error.message : undefined;
      providerError = `Response failed: ${typeof detail === 'string' && detail !== '' ? detail : 'no reason given'}`;
    } else if (response.status === 'incomplete') {
      const reason = isRecord(response.incomplete_details)
        ? response.incomplete_details.reason
        : undefined;
      providerError = `Response incomplete: ${typeof reason === 'string' ? reason : 'no reason given'}`;
    }
  };

  const responsesEvent = (body: Record<string, unknown>, eventName?: string): SseEventKind => {
    const type = typeof body.type === 'string' ? body.type : eventName;
    switch (type) {
      case 'response.created':
      case 'response.in_progress':
        if (isRecord(body.response)) noteModel(body.response.model);
        return 'other';
      case 'response.completed':
      case 'response.failed':
      case 'response.incomplete':
        applyResponse(body.response);
        sawTerminalEvent = true;
        return 'terminal';
      case 'error':
        providerError =
          typeof body.message === 'string' && body.message !== '' ? body.message : NO_ERROR_MESSAGE;
        return 'error';
      default:
        return 'other';
    }
  };

  const anthropicEvent = (body: Record<string, unknown>, eventName?: string): SseEventKind => {
    const type = typeof body.type === 'string' ? body.type : eventName;
    switch (type) {
      case 'message_start':
        if (isRecord(body.message)) {
          noteModel(body.message.model);
          applyAnthropicUsage(body.message.usage);
        }
        return 'other';
      case 'message_delta':
        applyAnthropicUsage(body.usage);
        return 'other';
      case 'message_stop':
        sawTerminalEvent = true;
        return 'terminal';
      case 'error':
        providerError = errorMessage(body) ?? NO_ERROR_MESSAGE;
        return 'error';
      default:
        return 'other';
    }
  };

  const openAiEvent = (body: Record<string, unknown>): SseEventKind => {
    noteModel(body.model);
    const carriesUsage = applyUsage(body.usage);
    return carriesUsage && Array.isArray(body.choices) && body.choices.length === 0
      ? 'usage-only'
      : 'other';
  };

  return {
    addSseEvent(event) {
      const data = event.data.trim();
      if (data === '') return 'other';
      if (wireFormat === 'openai' && data === '[DONE]') {
        sawTerminalEvent = true;
        return 'terminal';
      }
      const parsed = parseJson(data);
      if (!parsed.ok) {
        unparseable = true;
        return 'unparseable';
      }
      if (isRecord(parsed.value)) options.onEventBody?.(parsed.value);
      const message = errorMessage(parsed.value);
      if (message !== undefined) {
        providerError = message;
        return 'error';
      }
      if (!isRecord(parsed.value)) {
        unparseable = true;
        return 'unparseable';
      }
      if (wireFormat === 'openai-responses') return responsesEvent(parsed.value, event.event);
      return wireFormat === 'anthropic'
        ? anthropicEvent(parsed.value, event.event)
        : openAiEvent(parsed.value);
    },

    addJsonBody(text) {
      const parsed = parseJson(text);
      if (!parsed.ok) {
        unparseable = true;
        return;
      }
      if (
        wireFormat === 'openai-responses' &&
        isRecord(parsed.value) &&
        parsed.value.object === 'response'
      ) {
        applyResponse(parsed.value);
        sawTerminalEvent = true;
        return;
      }
      const message = errorMessage(parsed.value);
      if (message !== undefined) {
        providerError = message;
        sawTerminalEvent = true;
        return;
      }
      if (!isRecord(parsed.value)) {
        unparseable = true;
        return;
      }
      noteModel(parsed.value.model);
      applyUsage(parsed.value.usage);
      sawTerminalEvent = true;
    },

    markUnparseable() {
      unparseable = true;
    },

    observation() {
      return {
        ...(model === undefined ? {} : { model }),
        usage: { ...usage },
        ...(providerError === undefined ? {} : { providerError }),
        unparseable,
        sawTerminalEvent,
      };
    },
  };
}

function openAiUsage(value: Record<string, unknown>): MutableUsage {
  const promptTokens = tokenCount(value.prompt_tokens) ?? 0;
  const completionTokens = tokenCount(value.completion_tokens) ?? 0;
  const totalTokens = tokenCount(value.total_tokens);
  const promptDetails = isRecord(value.prompt_tokens_details) ? value.prompt_tokens_details : {};
  const completionDetails = isRecord(value.completion_tokens_details)
    ? value.completion_tokens_details
    : {};
  const cachedTokens = Math.min(tokenCount(promptDetails.cached_tokens) ?? 0, promptTokens);
  const reasoningTokens = tokenCount(completionDetails.reasoning_tokens) ?? 0;
  const reasoningOutsideCompletion =
    reasoningTokens > 0 && totalTokens === promptTokens + completionTokens + reasoningTokens;
  return {
    inputTokens: promptTokens - cachedTokens,
    outputTokens: completionTokens + (reasoningOutsideCompletion ? reasoningTokens : 0),
    cacheReadTokens: cachedTokens,
    cacheWriteTokens: 0,
  };
}

/**
 * Responses API usage: `input_tokens` includes `input_tokens_details.cached_tokens` (priced as
 * cache reads); `output_tokens` includes `output_tokens_details.reasoning_tokens` (OpenAI), unless
 * `total_tokens` proves the reasoning is outside it (as xAI reports on chat completions).
 */
function responsesUsage(value: Record<string, unknown>): MutableUsage {
  const inputTokens = tokenCount(value.input_tokens) ?? 0;
  const outputTokens = tokenCount(value.output_tokens) ?? 0;
  const inputDetails = isRecord(value.input_tokens_details) ? value.input_tokens_details : {};
  const outputDetails = isRecord(value.output_tokens_details) ? value.output_tokens_details : {};
  const cachedTokens = Math.min(tokenCount(inputDetails.cached_tokens) ?? 0, inputTokens);
  const reasoningTokens = tokenCount(outputDetails.reasoning_tokens) ?? 0;
  const reasoningOutside =
    reasoningTokens > 0 &&
    tokenCount(value.total_tokens) === inputTokens + outputTokens + reasoningTokens;
  return {
    inputTokens: inputTokens - cachedTokens,
    outputTokens: outputTokens + (reasoningOutside ? reasoningTokens : 0),
    cacheReadTokens: cachedTokens,
    cacheWriteTokens: 0,
  };
}

/**
 * The provider's error message, in any of the shapes seen in the wild: `{error:{message}}`
 * (OpenAI, Anthropic with `type: 'error'`), `{error: '...'}` (xAI), `{object:'error', message}`
 * (Mistral), and a one-element array of those (Gemini's OpenAI endpoint).
 */
function errorMessage(body: unknown): string | undefined {
  if (Array.isArray(body)) return body.length > 0 ? errorMessage(body[0]) : undefined;
  if (!isRecord(body)) return undefined;
  const { error } = body;
  if (typeof error === 'string') return error === '' ? NO_ERROR_MESSAGE : error;
  if (isRecord(error)) {
    if (typeof error.message === 'string' && error.message !== '') return error.message;
    if (typeof error.type === 'string' && error.type !== '') return error.type;
    return NO_ERROR_MESSAGE;
  }
  if (body.object === 'error') {
    // A structured message (Mistral's validation details) can echo the prompt: not recorded.
    return typeof body.message === 'string' && body.message !== ''
      ? body.message
      : NO_ERROR_MESSAGE;
  }
  return undefined;
}

type ParsedJson = { readonly ok: true; readonly value: unknown } | { readonly ok: false };

function parseJson(text: string): ParsedJson {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function tokenCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}
