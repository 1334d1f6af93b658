import type { ProviderId } from '../providers/provider-registry.ts';
import type { ModelEntry } from './price-table.ts';

/**
 * Bump on every change below or in `service-tier-prices.ts`: it is part of the price version
 * stored with each usage record, so `reprice` can tell which records other overrides priced.
 */
export const PRICE_OVERRIDES_VERSION = 4;

/**
 * Words (hyphen-separated parts of the package's model id) that name a model whose usage mixes
 * audio, image or realtime tokens with text: `gpt-4o-audio-preview`, `gpt-4o-realtime-preview`,
 * `gpt-4o-mini-tts`, `gemini-2.5-flash-tts`, `gpt-image-1`, `gemini-live-2.5-flash`. Providers
 * price those tokens differently from text, and Metrion records only text-token counts, so the
 * generator leaves these models unpriced (`prices: null`) rather than record a possibly wrong
 * cost. Models whose package data prices audio, image or video OUTPUT are unpriced the same way.
 */
export const NON_TEXT_MODEL_WORDS = [
  'audio',
  'realtime',
  'tts',
  'transcribe',
  'whisper',
  'image',
  'live',
  'voice',
] as const;

/** A model the package lacks or prices wrongly, with where the right price was read. */
export interface ModelOverride extends ModelEntry {
  readonly source: string;
}

/** An id the package does not match, priced as one of its models, with the reason. */
export interface AliasOverride {
  readonly target: string;
  readonly source: string;
}

export interface ProviderOverrides {
  /**
   * Matched BEFORE the package's models; an override with a package model's id replaces it.
   */
  readonly models: readonly ModelOverride[];
  /** Exact ids (after suffix stripping) that no package rule matches -> a model id. */
  readonly aliases: Readonly<Record<string, AliasOverride>>;
}

/**
 * What `@pydantic/genai-prices` lacks or gets wrong, kept small: each entry names its source.
 * Remove an entry once the package covers it (a unit test lists aliases the package now matches).
 */
export const PRICE_OVERRIDES = {
  anthropic: { models: [], aliases: {} },
  openai: {
    // The package has the embedding models without prices. Embeddings bill input tokens only
    // (output 0); issue 14 records them.
    models: [
      {
        id: 'text-embedding-3-small',
        match: { equals: 'text-embedding-3-small' },
        periods: [{ prices: { input: 20_000, output: 0 } }],
        source: 'https://platform.openai.com/docs/pricing (text-embedding-3-small: $0.02 / MTok)',
      },
      {
        id: 'text-embedding-3-large',
        match: { equals: 'text-embedding-3-large' },
        periods: [{ prices: { input: 130_000, output: 0 } }],
        source: 'https://platform.openai.com/docs/pricing (text-embedding-3-large: $0.13 / MTok)',
      },
      {
        id: 'text-embedding-ada-002',
        match: {
          or: [{ equals: 'text-embedding-ada-002' }, { equals: 'text-embedding-ada-002-v2' }],
        },
        periods: [{ prices: { input: 100_000, output: 0 } }],
        source: 'https://platform.openai.com/docs/pricing (text-embedding-ada-002: $0.10 / MTok)',
      },
    ],
    aliases: {},
  },
  gemini: {
    models: [
      {
        // The package has it without a price; embeddings bill input tokens only.
        id: 'gemini-embedding-001',
        match: { equals: 'gemini-embedding-001' },
        periods: [{ prices: { input: 150_000, output: 0 } }],
        source: 'https://ai.google.dev/gemini-api/docs/pricing (Gemini Embedding: $0.15 / MTok)',
      },
      {
        // The package's `gemini-1.5-flash` rule (contains) also matches Flash-8B and prices it
        // at 2x; its own `gemini-flash-1.5-8b` entry (same prices as here) only matches that
        // spelling. Matched before the package's models, so the 8B id gets its own price.
        id: 'gemini-1.5-flash-8b',
        match: { startsWith: 'gemini-1.5-flash-8b' },
        periods: [
          {
            prices: {
              input: { base: 37_500, tiers: [{ above: 128_000, price: 75_000 }] },
              output: { base: 150_000, tiers: [{ above: 128_000, price: 300_000 }] },
              cacheRead: { base: 10_000, tiers: [{ above: 128_000, price: 20_000 }] },
            },
          },
        ],
        source: 'https://ai.google.dev/gemini-api/docs/pricing (Gemini 1.5 Flash-8B, archived)',
      },
    ],
    aliases: {
      // Google's pricing page lists "Gemini 3 Flash" ($0.50 / $3.00 per MTok) under the API id
      // gemini-3-flash-preview; callers also send the family name, which the package's rule
      // (`gemini-3-flash-preview` and its dated variants) does not match.
      'gemini-3-flash': {
        target: 'gemini-3-flash-preview',
        source: 'https://ai.google.dev/gemini-api/docs/pricing (Gemini 3 Flash Preview)',
      },
      // Same for Gemini 3 Pro (the former hand-kept table priced `gemini-3-pro` as the preview).
      'gemini-3-pro': {
        target: 'gemini-3-pro-preview',
        source: 'https://ai.google.dev/gemini-api/docs/pricing (Gemini 3 Pro Preview)',
      },
    },
  },
  mistral: {
    models: [
      {
        // Missing from the package (it has devstral-small and devstral-2512 only).
        id: 'devstral-medium',
        match: { startsWith: 'devstral-medium' },
        periods: [{ prices: { input: 400_000, output: 2_000_000 } }],
        source: 'https://mistral.ai/pricing (Devstral Medium: $0.40 / $2.00 per MTok)',
      },
    ],
    aliases: {},
  },
  grok: { models: [], aliases: {} },
} as const satisfies { readonly [P in ProviderId]: ProviderOverrides };
