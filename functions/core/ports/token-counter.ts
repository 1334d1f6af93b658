/**
 * Counts the tokens of a text with a public tokenizer. Used only to estimate the usage of a
 * stream the client left before the provider reported it, so an adapter may load its
 * vocabulary lazily, on the first call.
 */
export interface TokenCounter {
  /** How many tokens the text holds; 0 for the empty text. */
  countTokens(text: string): Promise<number>;
}
