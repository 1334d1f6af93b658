import { describe, expect, it } from 'vitest';
import { computeCost, resolveModel } from '#core/pricing/bundled-prices.ts';
import type { ProviderId } from '#core/providers/provider-registry.ts';
import type { TokenUsage } from '#core/usage/usage-record.ts';
import { type ModelPrice, PRICES } from '../../../fixtures/legacy-prices-2025-11-24.ts';

const AT = Date.parse('2026-12-01T00:00:00Z');
const KINDS = ['inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens'] as const;

/** What one token of each kind cost under the old table (cache prices fell back to input). */
function oldRates(price: ModelPrice): Record<(typeof KINDS)[number], bigint> {
  return {
    inputTokens: BigInt(price.inputMicrosPerMTok),
    outputTokens: BigInt(price.outputMicrosPerMTok),
    cacheReadTokens: BigInt(price.cacheReadMicrosPerMTok ?? price.inputMicrosPerMTok),
    cacheWriteTokens: BigInt(price.cacheWriteMicrosPerMTok ?? price.inputMicrosPerMTok),
  };
}

function oneToken(kind: (typeof KINDS)[number]): TokenUsage {
  return { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, [kind]: 1 };
}

/** How the new price data prices one token of each kind, or `unpriced`. */
function difference(provider: ProviderId, id: string, price: ModelPrice): string | undefined {
  const old = oldRates(price);
  const changes: string[] = [];
  for (const kind of KINDS) {
    const cost = computeCost(provider, id, oneToken(kind), AT).costPicoUsd;
    if (cost === null) return 'unpriced';
    if (cost !== old[kind]) changes.push(`${kind} ${old[kind]} -> ${cost}`);
  }
  return changes.length === 0 ? undefined : changes.join(', ');
}

/**
 * Every model of the former hand-kept table (2025-11-24) that the package plus overrides price
 * differently at the base context tier, with why. Anything not listed prices exactly as before
 * (the old table had no tiers: requests above a tier's threshold now cost the tier's price).
 */
const EXPLAINED: Record<string, { readonly now: string; readonly why: string }> = {
  'openai/gpt-4.5': {
    now: 'unpriced',
    why: 'not an API id: the model only shipped as gpt-4.5-preview, which the package prices as before ($75 / $150, cached $37.50)',
  },
  'openai/chatgpt-4o': {
    now: 'unpriced',
    why: 'not an API id: chatgpt-4o-latest is, and the package prices it as before ($5 / $15)',
  },
  'gemini/gemini-1.5-pro': {
    now: 'cacheReadTokens 312500 -> 1250000',
    why: 'the package lists no cache price for gemini-1.5-pro, so cached input bills at the input price; the model was retired by Google in 2025, so no override',
  },
  'mistral/mistral-medium': {
    now: 'cacheReadTokens 400000 -> 40000',
    why: 'the package has Mistral Medium 3.1 cached input at $0.04 (10% of input); the old table knew no Mistral cache prices',
  },
  'mistral/mistral-small': {
    now: 'unpriced',
    why: 'not an API id; the package prices mistral-small-latest ($0.10 / $0.30 as before) and dated ids it lists (mistral-small-2603), not a bare family name',
  },
  'mistral/magistral-small': {
    now: 'unpriced',
    why: 'not an API id; the package matches magistral-small-<version> and -latest ($0.50 / $1.50 as before)',
  },
  'mistral/codestral': {
    now: 'unpriced',
    why: 'not an API id; the package prices codestral-latest, codestral-2501 and codestral-2508 ($0.30 / $0.90 as before)',
  },
  'mistral/pixtral-large': {
    now: 'unpriced',
    why: 'not an API id; the package prices pixtral-large-latest and pixtral-large-2411 ($2 / $6 as before)',
  },
  'mistral/open-mixtral-8x22b': {
    now: 'unpriced',
    why: 'retired by Mistral (2025); the package only has the hosted mixtral-8x22b-instruct id',
  },
  'grok/grok-beta': {
    now: 'unpriced',
    why: 'retired by xAI (2025); not in the package',
  },
  'grok/grok-vision-beta': {
    now: 'unpriced',
    why: 'retired by xAI (2025); not in the package',
  },
};

describe('the former hand-kept price table', () => {
  const models = Object.entries(PRICES).flatMap(([provider, prices]) =>
    Object.entries(prices as Record<string, ModelPrice>).map(
      ([id, price]) => [provider as ProviderId, id, price] as const,
    ),
  );

  it('has every one of its models priced as before or the difference explained', () => {
    const found: Record<string, string> = {};
    for (const [provider, id, price] of models) {
      const change = difference(provider, id, price);
      if (change !== undefined) found[`${provider}/${id}`] = change;
    }
    const explained = Object.fromEntries(
      Object.entries(EXPLAINED).map(([key, { now }]) => [key, now]),
    );
    expect(found).toEqual(explained);
  });

  it('prices the API ids named in the explanations as the old table did', () => {
    const sameAsBefore: [ProviderId, string, string][] = [
      ['openai', 'gpt-4.5-preview', 'gpt-4.5'],
      ['openai', 'chatgpt-4o-latest', 'chatgpt-4o'],
      ['mistral', 'mistral-small-latest', 'mistral-small'],
      ['mistral', 'magistral-small-2509', 'magistral-small'],
      ['mistral', 'codestral-latest', 'codestral'],
      ['mistral', 'pixtral-large-latest', 'pixtral-large'],
    ];
    for (const [provider, apiId, oldId] of sameAsBefore) {
      const price = (PRICES[provider] as Record<string, ModelPrice>)[oldId];
      if (price === undefined) throw new Error(`${oldId} is not in the old table`);
      expect(resolveModel(provider, apiId), apiId).toBeDefined();
      for (const kind of ['inputTokens', 'outputTokens'] as const) {
        expect(computeCost(provider, apiId, oneToken(kind), AT).costPicoUsd, apiId).toBe(
          oldRates(price)[kind],
        );
      }
    }
  });
});
