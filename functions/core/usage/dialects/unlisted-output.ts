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
