import type { ProviderId } from '../providers/provider-registry.ts';

/**
 * List prices of one base model, each an integer number of micro-USD per million tokens
 * ($0.15 / 1M tokens = 150_000). Integer micros per MTok times a token count is exactly the cost
 * in pico-USD, so cost arithmetic never touches a float.
 */
export interface ModelPrice {
  /** Uncached input (prompt) tokens. */
  readonly inputMicrosPerMTok: number;
  /** Output tokens, including reasoning/thinking tokens. */
  readonly outputMicrosPerMTok: number;
  /** Input tokens read from the provider's prompt cache. Absent: billed at the input price. */
  readonly cacheReadMicrosPerMTok?: number;
  /** Input tokens written to the provider's prompt cache. Absent: billed at the input price. */
  readonly cacheWriteMicrosPerMTok?: number;
}

/** Per provider, base model id -> price. Base ids are what `resolveModel` returns. */
export type PriceTable = { readonly [P in ProviderId]: Readonly<Record<string, ModelPrice>> };

/**
 * Date the prices below were taken from the providers' public list-price pages (standard,
 * non-batch, non-priority tier). Stored with every usage record, so bump it whenever a price
 * changes: old records keep the version that priced them.
 */
export const PRICE_TABLE_VERSION = '2025-11-24';

/**
 * The one price table (sources as of {@link PRICE_TABLE_VERSION}: anthropic.com/pricing,
 * platform.openai.com/docs/pricing, ai.google.dev/gemini-api/docs/pricing, mistral.ai/pricing,
 * docs.x.ai/docs/models).
 *
 * Tiered prices use the BASE tier, because usage records carry no context-length tier:
 * Claude Sonnet 4 / 4.5 (> 200k input tokens, 1M-context beta, costs more), Gemini 3 Pro and
 * 2.5 Pro (> 200k), Gemini 1.5 (> 128k), Grok 4 and Grok 4 Fast (> 128k). Gemini input prices are
 * the text/image/video rate (audio input costs more and is not reported separately).
 * Anthropic cache writes are the 5-minute TTL rate (1.25x input; 1-hour writes cost 2x input);
 * cache reads are 0.1x input. OpenAI and xAI report cached input only (no write charge); Gemini's
 * cache storage is billed per hour outside the request. Mistral publishes no cache prices.
 *
 * A dated snapshot gets its own key only when its price differs from its family's
 * (`gpt-4o-2024-05-13`); exact ids win over suffix stripping in `resolveModel`.
 */
export const PRICES = {
  anthropic: {
    'claude-opus-4-5': {
      inputMicrosPerMTok: 5_000_000,
      outputMicrosPerMTok: 25_000_000,
      cacheReadMicrosPerMTok: 500_000,
      cacheWriteMicrosPerMTok: 6_250_000,
    },
    'claude-opus-4-1': {
      inputMicrosPerMTok: 15_000_000,
      outputMicrosPerMTok: 75_000_000,
      cacheReadMicrosPerMTok: 1_500_000,
      cacheWriteMicrosPerMTok: 18_750_000,
    },
    'claude-opus-4': {
      inputMicrosPerMTok: 15_000_000,
      outputMicrosPerMTok: 75_000_000,
      cacheReadMicrosPerMTok: 1_500_000,
      cacheWriteMicrosPerMTok: 18_750_000,
    },
    'claude-sonnet-4-5': {
      inputMicrosPerMTok: 3_000_000,
      outputMicrosPerMTok: 15_000_000,
      cacheReadMicrosPerMTok: 300_000,
      cacheWriteMicrosPerMTok: 3_750_000,
    },
    'claude-sonnet-4': {
      inputMicrosPerMTok: 3_000_000,
      outputMicrosPerMTok: 15_000_000,
      cacheReadMicrosPerMTok: 300_000,
      cacheWriteMicrosPerMTok: 3_750_000,
    },
    'claude-haiku-4-5': {
      inputMicrosPerMTok: 1_000_000,
      outputMicrosPerMTok: 5_000_000,
      cacheReadMicrosPerMTok: 100_000,
      cacheWriteMicrosPerMTok: 1_250_000,
    },
    'claude-3-7-sonnet': {
      inputMicrosPerMTok: 3_000_000,
      outputMicrosPerMTok: 15_000_000,
      cacheReadMicrosPerMTok: 300_000,
      cacheWriteMicrosPerMTok: 3_750_000,
    },
    'claude-3-5-sonnet': {
      inputMicrosPerMTok: 3_000_000,
      outputMicrosPerMTok: 15_000_000,
      cacheReadMicrosPerMTok: 300_000,
      cacheWriteMicrosPerMTok: 3_750_000,
    },
    'claude-3-5-haiku': {
      inputMicrosPerMTok: 800_000,
      outputMicrosPerMTok: 4_000_000,
      cacheReadMicrosPerMTok: 80_000,
      cacheWriteMicrosPerMTok: 1_000_000,
    },
    'claude-3-opus': {
      inputMicrosPerMTok: 15_000_000,
      outputMicrosPerMTok: 75_000_000,
      cacheReadMicrosPerMTok: 1_500_000,
      cacheWriteMicrosPerMTok: 18_750_000,
    },
    // Anthropic's list rounds Haiku 3's cache prices ($0.30 write, $0.03 read) instead of the
    // exact 1.25x / 0.1x of $0.25; the list is what is billed.
    'claude-3-haiku': {
      inputMicrosPerMTok: 250_000,
      outputMicrosPerMTok: 1_250_000,
      cacheReadMicrosPerMTok: 30_000,
      cacheWriteMicrosPerMTok: 300_000,
    },
  },
  openai: {
    'gpt-5.1': {
      inputMicrosPerMTok: 1_250_000,
      outputMicrosPerMTok: 10_000_000,
      cacheReadMicrosPerMTok: 125_000,
    },
    'gpt-5.1-codex-mini': {
      inputMicrosPerMTok: 250_000,
      outputMicrosPerMTok: 2_000_000,
      cacheReadMicrosPerMTok: 25_000,
    },
    'gpt-5': {
      inputMicrosPerMTok: 1_250_000,
      outputMicrosPerMTok: 10_000_000,
      cacheReadMicrosPerMTok: 125_000,
    },
    'gpt-5-mini': {
      inputMicrosPerMTok: 250_000,
      outputMicrosPerMTok: 2_000_000,
      cacheReadMicrosPerMTok: 25_000,
    },
    'gpt-5-nano': {
      inputMicrosPerMTok: 50_000,
      outputMicrosPerMTok: 400_000,
      cacheReadMicrosPerMTok: 5_000,
    },
    'gpt-5-pro': { inputMicrosPerMTok: 15_000_000, outputMicrosPerMTok: 120_000_000 },
    'gpt-4.5': {
      inputMicrosPerMTok: 75_000_000,
      outputMicrosPerMTok: 150_000_000,
      cacheReadMicrosPerMTok: 37_500_000,
    },
    'gpt-4.1': {
      inputMicrosPerMTok: 2_000_000,
      outputMicrosPerMTok: 8_000_000,
      cacheReadMicrosPerMTok: 500_000,
    },
    'gpt-4.1-mini': {
      inputMicrosPerMTok: 400_000,
      outputMicrosPerMTok: 1_600_000,
      cacheReadMicrosPerMTok: 100_000,
    },
    'gpt-4.1-nano': {
      inputMicrosPerMTok: 100_000,
      outputMicrosPerMTok: 400_000,
      cacheReadMicrosPerMTok: 25_000,
    },
    'gpt-4o': {
      inputMicrosPerMTok: 2_500_000,
      outputMicrosPerMTok: 10_000_000,
      cacheReadMicrosPerMTok: 1_250_000,
    },
    // The first gpt-4o snapshot kept its launch price.
    'gpt-4o-2024-05-13': { inputMicrosPerMTok: 5_000_000, outputMicrosPerMTok: 15_000_000 },
    'gpt-4o-mini': {
      inputMicrosPerMTok: 150_000,
      outputMicrosPerMTok: 600_000,
      cacheReadMicrosPerMTok: 75_000,
    },
    'chatgpt-4o': { inputMicrosPerMTok: 5_000_000, outputMicrosPerMTok: 15_000_000 },
    o1: {
      inputMicrosPerMTok: 15_000_000,
      outputMicrosPerMTok: 60_000_000,
      cacheReadMicrosPerMTok: 7_500_000,
    },
    'o1-mini': {
      inputMicrosPerMTok: 1_100_000,
      outputMicrosPerMTok: 4_400_000,
      cacheReadMicrosPerMTok: 550_000,
    },
    'o1-pro': { inputMicrosPerMTok: 150_000_000, outputMicrosPerMTok: 600_000_000 },
    o3: {
      inputMicrosPerMTok: 2_000_000,
      outputMicrosPerMTok: 8_000_000,
      cacheReadMicrosPerMTok: 500_000,
    },
    'o3-mini': {
      inputMicrosPerMTok: 1_100_000,
      outputMicrosPerMTok: 4_400_000,
      cacheReadMicrosPerMTok: 550_000,
    },
    'o3-pro': { inputMicrosPerMTok: 20_000_000, outputMicrosPerMTok: 80_000_000 },
    'o3-deep-research': {
      inputMicrosPerMTok: 10_000_000,
      outputMicrosPerMTok: 40_000_000,
      cacheReadMicrosPerMTok: 2_500_000,
    },
    'o4-mini': {
      inputMicrosPerMTok: 1_100_000,
      outputMicrosPerMTok: 4_400_000,
      cacheReadMicrosPerMTok: 275_000,
    },
    'o4-mini-deep-research': {
      inputMicrosPerMTok: 2_000_000,
      outputMicrosPerMTok: 8_000_000,
      cacheReadMicrosPerMTok: 500_000,
    },
    'codex-mini': {
      inputMicrosPerMTok: 1_500_000,
      outputMicrosPerMTok: 6_000_000,
      cacheReadMicrosPerMTok: 375_000,
    },
    'gpt-4-turbo': { inputMicrosPerMTok: 10_000_000, outputMicrosPerMTok: 30_000_000 },
    'gpt-4': { inputMicrosPerMTok: 30_000_000, outputMicrosPerMTok: 60_000_000 },
    'gpt-4-32k': { inputMicrosPerMTok: 60_000_000, outputMicrosPerMTok: 120_000_000 },
    'gpt-3.5-turbo': { inputMicrosPerMTok: 500_000, outputMicrosPerMTok: 1_500_000 },
    // Older gpt-3.5-turbo snapshots kept their launch prices.
    'gpt-3.5-turbo-1106': { inputMicrosPerMTok: 1_000_000, outputMicrosPerMTok: 2_000_000 },
    'gpt-3.5-turbo-0613': { inputMicrosPerMTok: 1_500_000, outputMicrosPerMTok: 2_000_000 },
    'gpt-3.5-turbo-0301': { inputMicrosPerMTok: 1_500_000, outputMicrosPerMTok: 2_000_000 },
    'gpt-3.5-turbo-16k': { inputMicrosPerMTok: 3_000_000, outputMicrosPerMTok: 4_000_000 },
    'gpt-3.5-turbo-instruct': { inputMicrosPerMTok: 1_500_000, outputMicrosPerMTok: 2_000_000 },
  },
  gemini: {
    // API id `gemini-3-pro-preview`; `-preview` is stripped by resolveModel.
    'gemini-3-pro': {
      inputMicrosPerMTok: 2_000_000,
      outputMicrosPerMTok: 12_000_000,
      cacheReadMicrosPerMTok: 200_000,
    },
    'gemini-2.5-pro': {
      inputMicrosPerMTok: 1_250_000,
      outputMicrosPerMTok: 10_000_000,
      cacheReadMicrosPerMTok: 125_000,
    },
    'gemini-2.5-flash': {
      inputMicrosPerMTok: 300_000,
      outputMicrosPerMTok: 2_500_000,
      cacheReadMicrosPerMTok: 30_000,
    },
    'gemini-2.5-flash-lite': {
      inputMicrosPerMTok: 100_000,
      outputMicrosPerMTok: 400_000,
      cacheReadMicrosPerMTok: 10_000,
    },
    'gemini-2.0-flash': {
      inputMicrosPerMTok: 100_000,
      outputMicrosPerMTok: 400_000,
      cacheReadMicrosPerMTok: 25_000,
    },
    'gemini-2.0-flash-lite': { inputMicrosPerMTok: 75_000, outputMicrosPerMTok: 300_000 },
    'gemini-1.5-pro': {
      inputMicrosPerMTok: 1_250_000,
      outputMicrosPerMTok: 5_000_000,
      cacheReadMicrosPerMTok: 312_500,
    },
    'gemini-1.5-flash': {
      inputMicrosPerMTok: 75_000,
      outputMicrosPerMTok: 300_000,
      cacheReadMicrosPerMTok: 18_750,
    },
    'gemini-1.5-flash-8b': {
      inputMicrosPerMTok: 37_500,
      outputMicrosPerMTok: 150_000,
      cacheReadMicrosPerMTok: 10_000,
    },
  },
  mistral: {
    'mistral-large': { inputMicrosPerMTok: 2_000_000, outputMicrosPerMTok: 6_000_000 },
    'mistral-medium': { inputMicrosPerMTok: 400_000, outputMicrosPerMTok: 2_000_000 },
    'mistral-small': { inputMicrosPerMTok: 100_000, outputMicrosPerMTok: 300_000 },
    'mistral-saba': { inputMicrosPerMTok: 200_000, outputMicrosPerMTok: 600_000 },
    'magistral-medium': { inputMicrosPerMTok: 2_000_000, outputMicrosPerMTok: 5_000_000 },
    'magistral-small': { inputMicrosPerMTok: 500_000, outputMicrosPerMTok: 1_500_000 },
    codestral: { inputMicrosPerMTok: 300_000, outputMicrosPerMTok: 900_000 },
    'devstral-medium': { inputMicrosPerMTok: 400_000, outputMicrosPerMTok: 2_000_000 },
    'devstral-small': { inputMicrosPerMTok: 100_000, outputMicrosPerMTok: 300_000 },
    'pixtral-large': { inputMicrosPerMTok: 2_000_000, outputMicrosPerMTok: 6_000_000 },
    'pixtral-12b': { inputMicrosPerMTok: 150_000, outputMicrosPerMTok: 150_000 },
    'ministral-8b': { inputMicrosPerMTok: 100_000, outputMicrosPerMTok: 100_000 },
    'ministral-3b': { inputMicrosPerMTok: 40_000, outputMicrosPerMTok: 40_000 },
    'open-mistral-nemo': { inputMicrosPerMTok: 150_000, outputMicrosPerMTok: 150_000 },
    'open-mistral-7b': { inputMicrosPerMTok: 250_000, outputMicrosPerMTok: 250_000 },
    'open-mixtral-8x7b': { inputMicrosPerMTok: 700_000, outputMicrosPerMTok: 700_000 },
    'open-mixtral-8x22b': { inputMicrosPerMTok: 2_000_000, outputMicrosPerMTok: 6_000_000 },
  },
  grok: {
    'grok-4': {
      inputMicrosPerMTok: 3_000_000,
      outputMicrosPerMTok: 15_000_000,
      cacheReadMicrosPerMTok: 750_000,
    },
    // Covers `grok-4-fast-reasoning` and `grok-4-fast-non-reasoning` (same price).
    'grok-4-fast': {
      inputMicrosPerMTok: 200_000,
      outputMicrosPerMTok: 500_000,
      cacheReadMicrosPerMTok: 50_000,
    },
    'grok-4-1-fast': {
      inputMicrosPerMTok: 200_000,
      outputMicrosPerMTok: 500_000,
      cacheReadMicrosPerMTok: 50_000,
    },
    'grok-code-fast-1': {
      inputMicrosPerMTok: 200_000,
      outputMicrosPerMTok: 1_500_000,
      cacheReadMicrosPerMTok: 20_000,
    },
    'grok-3': {
      inputMicrosPerMTok: 3_000_000,
      outputMicrosPerMTok: 15_000_000,
      cacheReadMicrosPerMTok: 750_000,
    },
    'grok-3-fast': {
      inputMicrosPerMTok: 5_000_000,
      outputMicrosPerMTok: 25_000_000,
      cacheReadMicrosPerMTok: 1_250_000,
    },
    'grok-3-mini': {
      inputMicrosPerMTok: 300_000,
      outputMicrosPerMTok: 500_000,
      cacheReadMicrosPerMTok: 75_000,
    },
    'grok-3-mini-fast': {
      inputMicrosPerMTok: 600_000,
      outputMicrosPerMTok: 4_000_000,
      cacheReadMicrosPerMTok: 150_000,
    },
    'grok-2': { inputMicrosPerMTok: 2_000_000, outputMicrosPerMTok: 10_000_000 },
    'grok-2-vision': { inputMicrosPerMTok: 2_000_000, outputMicrosPerMTok: 10_000_000 },
    'grok-beta': { inputMicrosPerMTok: 5_000_000, outputMicrosPerMTok: 15_000_000 },
    'grok-vision-beta': { inputMicrosPerMTok: 5_000_000, outputMicrosPerMTok: 15_000_000 },
  },
} as const satisfies PriceTable;

/**
 * Ids that suffix stripping would resolve to the wrong base, mapped to the right one. Targets
 * are type-checked against {@link PRICES}.
 */
export const MODEL_ALIASES = {
  anthropic: {
    // A bare minor version is not stripped (a new minor may be a new price), so name these.
    'claude-opus-4-0': 'claude-opus-4',
    'claude-sonnet-4-0': 'claude-sonnet-4',
  },
  openai: {
    // GPT-4 Turbo previews; stripping would leave `gpt-4` (3x the price).
    'gpt-4-1106-preview': 'gpt-4-turbo',
    'gpt-4-0125-preview': 'gpt-4-turbo',
    'gpt-4-1106-vision-preview': 'gpt-4-turbo',
    'gpt-4-vision-preview': 'gpt-4-turbo',
  },
  gemini: {},
  mistral: {},
  grok: {},
} as const satisfies {
  readonly [P in ProviderId]: Readonly<Record<string, keyof (typeof PRICES)[P]>>;
};
