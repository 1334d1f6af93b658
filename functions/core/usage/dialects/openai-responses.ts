import { isRecord, NO_ERROR_MESSAGE, recordAt } from '../json-fields.ts';
import {
  type DialectState,
  noteModel,
  noteServiceTier,
  type UsageDialect,
} from '../usage-dialect.ts';
import { OPENAI_CHAT } from './openai-chat.ts';
import { openAiUsage } from './openai-usage.ts';

/**
 * Responses: `input_tokens` / `output_tokens` and their details; `output_tokens` includes the
 * reasoning on OpenAI.
 */
const RESPONSES_USAGE_FIELDS = {
  input: 'input_tokens',
  output: 'output_tokens',
  inputDetails: 'input_tokens_details',
  outputDetails: 'output_tokens_details',
} as const;

/**
 * A response object: its usage, and `failed` / `incomplete` as the provider's error (the HTTP
 * status is 200 for both).
 */
function applyResponse(state: DialectState, response: unknown): void {
  if (!isRecord(response)) return;
  noteModel(state, response.model);
  noteServiceTier(state, response.service_tier);
  if (isRecord(response.usage)) state.usage = openAiUsage(response.usage, RESPONSES_USAGE_FIELDS);
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
