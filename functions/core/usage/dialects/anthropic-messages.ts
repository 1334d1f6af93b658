import { isRecord, NO_ERROR_MESSAGE, providerErrorMessage, tokenCount } from '../json-fields.ts';
import { type DialectState, noteModel, type UsageDialect } from '../usage-dialect.ts';

/**
 * Each count a usage object states replaces the earlier one: `message_delta`'s `output_tokens`
 * is cumulative, newer API versions repeat the input and cache counts there, and null means
 * "unchanged".
 */
function applyUsage(state: DialectState, value: unknown): void {
  if (!isRecord(value)) return;
  const { usage } = state;
  state.usage = {
    inputTokens: tokenCount(value.input_tokens) ?? usage.inputTokens,
    outputTokens: tokenCount(value.output_tokens) ?? usage.outputTokens,
    cacheReadTokens: tokenCount(value.cache_read_input_tokens) ?? usage.cacheReadTokens,
    cacheWriteTokens: tokenCount(value.cache_creation_input_tokens) ?? usage.cacheWriteTokens,
  };
}

/**
 * The Anthropic Messages API: `model` and `usage` from the message (JSON) or from
 * `message_start`, then every `message_delta` usage count replaces the earlier one; the stream
 * ends at `message_stop`.
 */
export const ANTHROPIC_MESSAGES: UsageDialect = {
  readEvent(body, eventName, state) {
    const type = typeof body.type === 'string' ? body.type : eventName;
    switch (type) {
      case 'message_start':
        if (isRecord(body.message)) {
          noteModel(state, body.message.model);
          applyUsage(state, body.message.usage);
        }
        return 'other';
      case 'message_delta':
        applyUsage(state, body.usage);
        return 'other';
      case 'message_stop':
        state.sawTerminalEvent = true;
        return 'terminal';
      case 'error':
        state.providerError = providerErrorMessage(body) ?? NO_ERROR_MESSAGE;
        return 'error';
      default:
        return 'other';
    }
  },

  readBody(body, state) {
    noteModel(state, body.model);
    applyUsage(state, body.usage);
    state.sawTerminalEvent = true;
  },
};
