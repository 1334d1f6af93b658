import type { TokenCounter } from '#core/ports/token-counter.ts';

/** Counts one token per whitespace-separated word: deterministic and obvious in assertions. */
export class WordTokenCounter implements TokenCounter {
  readonly counted: string[] = [];

  async countTokens(text: string): Promise<number> {
    this.counted.push(text);
    return text.split(/\s+/).filter((word) => word !== '').length;
  }
}
