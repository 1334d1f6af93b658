import { isRecord } from '../json-fields.ts';
import {
  type DialectState,
  noteModel,
  noteServiceTier,
  type UsageDialect,
} from '../usage-dialect.ts';
import { openAiUsage } from './openai-usage.ts';

/** Chat completions and embeddings: `prompt_tokens` / `completion_tokens` and their details. */
const CHAT_USAGE_FIELDS = {
  input: 'prompt_tokens',
  output: 'completion_tokens',
  inputDetails: 'prompt_tokens_details',
  outputDetails: 'completion_tokens_details',
} as const;

/** The latest usage object wins (Gemini repeats it on several chunks). */
function applyUsage(state: DialectState, value: unknown): boolean {
  if (!isRecord(value)) return false;
  state.usage = openAiUsage(value, CHAT_USAGE_FIELDS);
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
