import { recordAt, tokenCount } from '../json-fields.ts';
import type { TokenUsage } from '../usage-record.ts';

/**
 * Output tokens an OpenAI-format usage bills but leaves out of its output count, so they must be
 * added to it. Reasoning is output on every provider, but providers count it differently:
 * - OpenAI and Mistral count reasoning inside `completion_tokens` / `output_tokens`: the total is
 *   input + output, nothing is added (adding `reasoning_tokens` would bill it twice);
 * - xAI reports `reasoning_tokens` outside the output count, and the total includes them;
 * - Gemini's OpenAI-compatible endpoint may leave its thoughts out of `completion_tokens`
 *   without itemising them: only the total includes them.
 * So: the part of the total beyond input + output; with reasoning tokens reported, exactly those
 * when the total has room for them, else none.
 */
export function unlistedOutputTokens(counts: {
  readonly total: number | undefined;
  readonly input: number;
  readonly output: number;
  readonly reasoning: number;
}): number {
  if (counts.total === undefined) return 0;
  const beyond = counts.total - counts.input - counts.output;
  if (beyond <= 0) return 0;
  if (counts.reasoning === 0) return beyond;
  return beyond >= counts.reasoning ? counts.reasoning : 0;
}

/** Where an OpenAI-format usage object keeps its counts: chat completions and Responses differ. */
export interface OpenAiUsageFields {
  readonly input: string;
  readonly output: string;
  readonly inputDetails: string;
  readonly outputDetails: string;
}

/**
 * Disjoint token counts from an OpenAI-format usage object. The input count includes the cache
 * reads (`cached_tokens`) and writes (`cache_write_tokens`, reported by models that price them):
 * both are taken out of the input so the counts stay disjoint. Reasoning the output count leaves
 * out is added to the output ({@link unlistedOutputTokens}).
 */
export function openAiUsage(value: Record<string, unknown>, fields: OpenAiUsageFields): TokenUsage {
  const input = tokenCount(value[fields.input]) ?? 0;
  const output = tokenCount(value[fields.output]) ?? 0;
  const inputDetails = recordAt(value, fields.inputDetails);
  const cacheReadTokens = Math.min(tokenCount(inputDetails.cached_tokens) ?? 0, input);
  const cacheWriteTokens = Math.min(
    tokenCount(inputDetails.cache_write_tokens) ?? 0,
    input - cacheReadTokens,
  );
  const unlisted = unlistedOutputTokens({
    total: tokenCount(value.total_tokens),
    input,
    output,
    reasoning: tokenCount(recordAt(value, fields.outputDetails).reasoning_tokens) ?? 0,
  });
  return {
    inputTokens: input - cacheReadTokens - cacheWriteTokens,
    outputTokens: output + unlisted,
    cacheReadTokens,
    cacheWriteTokens,
  };
}
