import { isRecord, recordAt, tokenCount } from '../json-fields.ts';
import { type DialectState, noteModel, type UsageDialect } from '../usage-dialect.ts';
import type { TokenUsage } from '../usage-record.ts';

/**
 * `inputTokens = prompt_tokens - cached_tokens`. Reasoning tokens are added to the output only
 * when `total_tokens` proves they are outside `completion_tokens` (xAI); OpenAI counts them
 * inside, so adding them there would bill them twice.
 */
function chatUsage(value: Record<string, unknown>): TokenUsage {
  const promptTokens = tokenCount(value.prompt_tokens) ?? 0;
  const completionTokens = tokenCount(value.completion_tokens) ?? 0;
  const totalTokens = tokenCount(value.total_tokens);
  const cachedTokens = Math.min(
    tokenCount(recordAt(value, 'prompt_tokens_details').cached_tokens) ?? 0,
    promptTokens,
  );
  const reasoningTokens =
    tokenCount(recordAt(value, 'completion_tokens_details').reasoning_tokens) ?? 0;
  const reasoningOutsideCompletion =
    reasoningTokens > 0 && totalTokens === promptTokens + completionTokens + reasoningTokens;
  return {
    inputTokens: promptTokens - cachedTokens,
    outputTokens: completionTokens + (reasoningOutsideCompletion ? reasoningTokens : 0),
    cacheReadTokens: cachedTokens,
    cacheWriteTokens: 0,
  };
}

/** The latest usage object wins (Gemini repeats it on several chunks). */
function applyUsage(state: DialectState, value: unknown): boolean {
  if (!isRecord(value)) return false;
  state.usage = chatUsage(value);
  return true;
}

/**
 * OpenAI-compatible chat completions (OpenAI, Gemini, Mistral, xAI) and embeddings: `usage` on
 * the body, or on the stream's chunks; the stream ends at `data: [DONE]`.
 */
export const OPENAI_CHAT: UsageDialect = {
  doneMarker: '[DONE]',

  readEvent(body, _eventName, state) {
    noteModel(state, body.model);
    const carriesUsage = applyUsage(state, body.usage);
    return carriesUsage && Array.isArray(body.choices) && body.choices.length === 0
      ? 'usage-only'
      : 'other';
  },

  readBody(body, state) {
    noteModel(state, body.model);
    applyUsage(state, body.usage);
    state.sawTerminalEvent = true;
  },
};
