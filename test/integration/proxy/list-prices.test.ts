import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect } from 'vitest';
import { BUNDLED_PRICE_VERSION } from '#core/pricing/bundled-prices.ts';
import { proxyStackTest } from '../support/proxy-stack.ts';

const it = proxyStackTest({ providerFakes: true });

const TOKENS = {
  inputTokens: 1200,
  outputTokens: 345,
  cacheReadTokens: 5000,
  cacheWriteTokens: 800,
};

describe('list prices from the maintained price data', () => {
  it('records claude-opus-4-6 through the Anthropic SDK at the exact list price', async ({
    stack,
  }) => {
    // Arrange: claude-opus-4-6 lists $5 in, $25 out, $0.50 cache read, $6.25 cache write / MTok.
    stack.anthropic.setScenario({ kind: 'ok', tokens: TOKENS });
    const before = (await stack.settledRecords()).length;
    const client = new Anthropic({
      apiKey: stack.metrionKey,
      baseURL: stack.metrion.proxyBaseUrls.anthropic,
      maxRetries: 0,
    });

    // Act
    await client.messages.create({
      model: 'claude-opus-4-6',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Say hello' }],
    });

    // Assert
    const [record] = await stack.waitForRecords(before + 1);
    const exact = 1200n * 5_000_000n + 345n * 25_000_000n + 5000n * 500_000n + 800n * 6_250_000n;
    expect(record).toMatchObject({
      model: 'claude-opus-4-6',
      costPicoUsd: exact,
      priceVersion: BUNDLED_PRICE_VERSION,
    });
    expect(BUNDLED_PRICE_VERSION).toMatch(/^genai-prices@\d+\.\d+\.\d+\+overrides@\d+$/);
  });

  it.for([
    ['openai', 'gpt-5.2', 1_750_000n, 14_000_000n],
    ['openai', 'gpt-5.4', 2_500_000n, 15_000_000n],
    ['gemini', 'gemini-3-flash', 500_000n, 3_000_000n],
  ] as const)('prices %s %s', async ([provider, model, inputRate, outputRate], { stack }) => {
    const before = (await stack.settledRecords()).length;
    const client = new OpenAI({
      apiKey: stack.metrionKey,
      baseURL: stack.metrion.proxyBaseUrls[provider],
      maxRetries: 0,
    });
    await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
    const [record] = await stack.waitForRecords(before + 1);
    expect(record?.costPicoUsd).toBe(
      BigInt(record?.inputTokens ?? 0) * inputRate +
        BigInt(record?.outputTokens ?? 0) * outputRate +
        BigInt(record?.cacheReadTokens ?? 0) * (inputRate / 10n),
    );
    expect(record?.inputTokens).toBeGreaterThan(0);
  });
});
