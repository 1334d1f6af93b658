import {
  isRecord,
  NO_ERROR_MESSAGE,
  providerErrorMessage,
  recordAt,
  tokenCount,
} from '../json-fields.ts';
import {
  type DialectState,
  noteModel,
  noteServiceTier,
  type UsageDialect,
} from '../usage-dialect.ts';
import type { TokenUsage } from '../usage-record.ts';

/**
 * `cache_creation` splits the writes by lifetime (`ephemeral_5m_input_tokens`,
 * `ephemeral_1h_input_tokens`) while `cache_creation_input_tokens` stays their sum. The 1-hour
 * part is kept (an event that omits it leaves it as an earlier one said), the rest of the sum are
 * 5-minute writes. No split is reported as none: every write then has the default lifetime.
 */
function cacheWriteSplit(
  creation: unknown,
  cacheWriteTokens: number,
  earlier: TokenUsage,
): Pick<TokenUsage, 'cacheWrite5mTokens' | 'cacheWrite1hTokens'> {
  const stated = isRecord(creation) ? tokenCount(creation.ephemeral_1h_input_tokens) : undefined;
  const oneHour = stated ?? earlier.cacheWrite1hTokens ?? (isRecord(creation) ? 0 : undefined);
  if (oneHour === undefined) return {};
  const cacheWrite1hTokens = Math.min(oneHour, cacheWriteTokens);
  return { cacheWrite5mTokens: cacheWriteTokens - cacheWrite1hTokens, cacheWrite1hTokens };
}

/** The write total: stated, else the split's sum (when both parts are stated), else as before. */
function cacheWriteTotal(value: Record<string, unknown>, earlier: TokenUsage): number {
  const stated = tokenCount(value.cache_creation_input_tokens);
  if (stated !== undefined) return stated;
  const creation = recordAt(value, 'cache_creation');
  const fiveMinute = tokenCount(creation.ephemeral_5m_input_tokens);
  const oneHour = tokenCount(creation.ephemeral_1h_input_tokens);
  return fiveMinute !== undefined && oneHour !== undefined
    ? fiveMinute + oneHour
    : earlier.cacheWriteTokens;
}

/**
 * Each count a usage object states replaces the earlier one: `message_delta`'s `output_tokens`
 * is cumulative, newer API versions repeat the input and cache counts there, and null means
 * "unchanged". `output_tokens` includes extended thinking, which bills as output. The usage
 * also names the `service_tier` that served the request.
 */
function applyUsage(state: DialectState, value: unknown): void {
  if (!isRecord(value)) return;
  noteServiceTier(state, value.service_tier);
  const { usage } = state;
  const cacheWriteTokens = cacheWriteTotal(value, usage);
  state.usage = {
    inputTokens: tokenCount(value.input_tokens) ?? usage.inputTokens,
    outputTokens: tokenCount(value.output_tokens) ?? usage.outputTokens,
    cacheReadTokens: tokenCount(value.cache_read_input_tokens) ?? usage.cacheReadTokens,
    cacheWriteTokens,
    ...cacheWriteSplit(value.cache_creation, cacheWriteTokens, usage),
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
