import { isRecord, recordAt, tokenCount } from '../json-fields.ts';
import {
  type DialectState,
  noteModel,
  noteServiceTier,
  type UsageDialect,
} from '../usage-dialect.ts';
import type { TokenUsage } from '../usage-record.ts';
import { unlistedOutputTokens } from './unlisted-output.ts';

/**
 * `prompt_tokens` includes the cache reads (`prompt_tokens_details.cached_tokens`) and writes
 * (`cache_write_tokens`, reported by models that price them): both are taken out of the input
 * so the counts stay disjoint. Reasoning the completion count leaves out is added to the output
 * ({@link unlistedOutputTokens}).
 */
function chatUsage(value: Record<string, unknown>): TokenUsage {
  const promptTokens = tokenCount(value.prompt_tokens) ?? 0;
  const completionTokens = tokenCount(value.completion_tokens) ?? 0;
  const promptDetails = recordAt(value, 'prompt_tokens_details');
  const cacheReadTokens = Math.min(tokenCount(promptDetails.cached_tokens) ?? 0, promptTokens);
  const cacheWriteTokens = Math.min(
    tokenCount(promptDetails.cache_write_tokens) ?? 0,
    promptTokens - cacheReadTokens,
  );
  const unlisted = unlistedOutputTokens({
    total: tokenCount(value.total_tokens),
    input: promptTokens,
    output: completionTokens,
    reasoning: tokenCount(recordAt(value, 'completion_tokens_details').reasoning_tokens) ?? 0,
  });
  return {
    inputTokens: promptTokens - cacheReadTokens - cacheWriteTokens,
    outputTokens: completionTokens + unlisted,
    cacheReadTokens,
    cacheWriteTokens,
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
 * the body, or on the stream's chunks; `service_tier` next to it (OpenAI repeats it on every
 * chunk); the stream ends at `data: [DONE]`.
 */
export const OPENAI_CHAT: UsageDialect = {
  doneMarker: '[DONE]',

  readEvent(body, _eventName, state) {
    noteModel(state, body.model);
    noteServiceTier(state, body.service_tier);
    const carriesUsage = applyUsage(state, body.usage);
    return carriesUsage && Array.isArray(body.choices) && body.choices.length === 0
      ? 'usage-only'
      : 'other';
  },

  readBody(body, state) {
    noteModel(state, body.model);
    noteServiceTier(state, body.service_tier);
    applyUsage(state, body.usage);
    state.sawTerminalEvent = true;
  },
};
