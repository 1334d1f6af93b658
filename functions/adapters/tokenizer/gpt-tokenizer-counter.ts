// Port: TokenCounter. External calls: none (gpt-tokenizer, loaded on the first count).
import type { TokenCounter } from '#core/ports/token-counter.ts';

type CountTokens = (text: string) => number;

/**
 * Counts with OpenAI's `o200k_base` encoding (gpt-tokenizer). The encoding's vocabulary is
 * large, so it is imported on the first count only: just a stream the client dropped before
 * the provider reported usage pays for it. Exact for OpenAI's GPT-4o and newer models; an
 * approximation for the other providers (see docs/decisions/estimated-usage.md).
 */
export class GptTokenizerCounter implements TokenCounter {
  #count: Promise<CountTokens> | undefined;

  async countTokens(text: string): Promise<number> {
    if (text === '') return 0;
    this.#count ??= import('gpt-tokenizer/encoding/o200k_base').then(
      (encoding) => encoding.countTokens,
    );
    const count = await this.#count;
    return count(text);
  }
}
