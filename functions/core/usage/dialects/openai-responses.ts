import { isRecord, NO_ERROR_MESSAGE, recordAt, tokenCount } from '../json-fields.ts';
import {
  type DialectState,
  noteModel,
  noteServiceTier,
  type UsageDialect,
} from '../usage-dialect.ts';
import type { TokenUsage } from '../usage-record.ts';
import { OPENAI_CHAT } from './openai-chat.ts';
import { unlistedOutputTokens } from './unlisted-output.ts';

/**
 * `input_tokens` includes `input_tokens_details.cached_tokens` (priced as cache reads) and
 * `cache_write_tokens` (priced as cache writes); `output_tokens` includes the reasoning on
 * OpenAI, and reasoning it leaves out is added ({@link unlistedOutputTokens}).
 */
function responsesUsage(value: Record<string, unknown>): TokenUsage {
  const inputTokens = tokenCount(value.input_tokens) ?? 0;
  const outputTokens = tokenCount(value.output_tokens) ?? 0;
  const inputDetails = recordAt(value, 'input_tokens_details');
  const cacheReadTokens = Math.min(tokenCount(inputDetails.cached_tokens) ?? 0, inputTokens);
  const cacheWriteTokens = Math.min(
    tokenCount(inputDetails.cache_write_tokens) ?? 0,
    inputTokens - cacheReadTokens,
  );
  const unlisted = unlistedOutputTokens({
    total: tokenCount(value.total_tokens),
    input: inputTokens,
    output: outputTokens,
    reasoning: tokenCount(recordAt(value, 'output_tokens_details').reasoning_tokens) ?? 0,
  });
  return {
    inputTokens: inputTokens - cacheReadTokens - cacheWriteTokens,
    outputTokens: outputTokens + unlisted,
    cacheReadTokens,
    cacheWriteTokens,
  };
}

/**
 * A response object: its usage, and `failed` / `incomplete` as the provider's error (the HTTP
 * status is 200 for both).
 */
function applyResponse(state: DialectState, response: unknown): void {
  if (!isRecord(response)) return;
  noteModel(state, response.model);
  noteServiceTier(state, response.service_tier);
  if (isRecord(response.usage)) state.usage = responsesUsage(response.usage);
  if (response.status === 'failed') {
    const detail = isRecord(response.error) ? response.error.message : undefined;
    state.providerError = `Response failed: ${typeof detail === 'string' && detail !== '' ? detail : 'no reason given'}`;
  } else if (response.status === 'incomplete') {
    const reason = recordAt(response, 'incomplete_details').reason;
    state.providerError = `Response incomplete: ${typeof reason === 'string' ? reason : 'no reason given'}`;
  }
}

/**
 * The OpenAI Responses API: `usage` on the response object, streamed in `response.completed`
 * (or `response.failed` / `response.incomplete`, which end the stream too).
 */
export const OPENAI_RESPONSES: UsageDialect = {
  claimBody(body, state) {
    if (!isRecord(body) || body.object !== 'response') return false;
    applyResponse(state, body);
    state.sawTerminalEvent = true;
    return true;
  },

  readEvent(body, eventName, state) {
    const type = typeof body.type === 'string' ? body.type : eventName;
    switch (type) {
      case 'response.created':
      case 'response.in_progress':
        if (isRecord(body.response)) {
          noteModel(state, body.response.model);
          noteServiceTier(state, body.response.service_tier);
        }
        return 'other';
      case 'response.completed':
      case 'response.failed':
      case 'response.incomplete':
        applyResponse(state, body.response);
        state.sawTerminalEvent = true;
        return 'terminal';
      case 'error':
        state.providerError =
          typeof body.message === 'string' && body.message !== '' ? body.message : NO_ERROR_MESSAGE;
        return 'error';
      default:
        return 'other';
    }
  },

  /** A JSON body that is not a response object is read as chat completions are. */
  readBody: OPENAI_CHAT.readBody,
};
