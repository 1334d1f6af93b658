import type { TokenCounter } from '../ports/token-counter.ts';
import { messageCount, requestText, TOKENS_PER_MESSAGE } from './relayed-text.ts';
import { cacheWriteSplitOf, type TokenUsage } from './usage-record.ts';

export interface EstimateInput {
  /** The request body as the caller sent it. */
  readonly requestJson: Readonly<Record<string, unknown>>;
  /** What the provider reported before the client left (Anthropic: `message_start`). */
  readonly observed: TokenUsage;
  /** The output text relayed before the client left. */
  readonly relayedText: string;
}

/**
 * Estimates the usage of a stream the client left before the provider reported it. Input: the
 * provider's own counts when it sent them already (Anthropic's `message_start`), else the
 * request's text counted plus a few tokens per message. Output: the relayed text counted, never
 * less than what the provider reported so far.
 */
export async function estimateUsage(
  counter: TokenCounter,
  input: EstimateInput,
): Promise<TokenUsage> {
  const { observed } = input;
  const providerCountedInput =
    observed.inputTokens + observed.cacheReadTokens + observed.cacheWriteTokens > 0;
  const inputTokens = providerCountedInput
    ? observed.inputTokens
    : (await counter.countTokens(requestText(input.requestJson))) +
      TOKENS_PER_MESSAGE * messageCount(input.requestJson);
  const outputTokens = Math.max(
    observed.outputTokens,
    await counter.countTokens(input.relayedText),
  );
  return {
    inputTokens,
    outputTokens,
    cacheReadTokens: providerCountedInput ? observed.cacheReadTokens : 0,
    cacheWriteTokens: providerCountedInput ? observed.cacheWriteTokens : 0,
    ...(providerCountedInput ? cacheWriteSplitOf(observed) : {}),
  };
}

/**
 * UTF-8 bytes per token assumed by {@link approximateInputTokens}: about 4 for English text in
 * the providers' tokenizers; for scripts of 3-byte characters it is low by about a quarter.
 */
const BYTES_PER_TOKEN = 4;

/**
 * The input tokens of a request approximated without a tokenizer: its prompt text's UTF-8 bytes
 * divided by {@link BYTES_PER_TOKEN}, plus a few tokens per message. Cheap enough for every
 * request (the tokenizer's vocabulary takes hundreds of milliseconds to load), it stands in for
 * the count when Metrion stops before the provider reports usage (`interrupted` records).
 */
export function approximateInputTokens(requestJson: Readonly<Record<string, unknown>>): number {
  const bytes = new TextEncoder().encode(requestText(requestJson)).byteLength;
  return Math.ceil(bytes / BYTES_PER_TOKEN) + TOKENS_PER_MESSAGE * messageCount(requestJson);
}
