import { describe, expect, it } from 'vitest';
import type { ProxyOutcome } from '#core/proxy/proxy-service.ts';
import { MAX_MODEL_ID_LENGTH } from '#core/usage/usage-record.ts';
import { proxyHarness } from './proxy-harness.ts';

const completion = (model: string) =>
  JSON.stringify({
    id: 'c',
    object: 'chat.completion',
    created: 1,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  });

async function settled(outcome: ProxyOutcome): Promise<void> {
  if (outcome.kind !== 'forwarded') throw new Error(outcome.error.message);
  await outcome.settled;
}

describe('recordUsage and unpriced models', () => {
  it('records an unpriced model with a null cost and logs provider and model once', async () => {
    const harness = await proxyHarness();
    harness.answerWith({ body: completion('gpt-9-ultra-2027-01-01') });

    await settled(await harness.send({ model: 'gpt-9-ultra', messages: [] }));

    const [record] = await harness.usage.listRecent(harness.accountId, 1);
    expect(record).toMatchObject({ model: 'gpt-9-ultra-2027-01-01', costPicoUsd: null });
    expect(harness.logger.lines).toEqual([
      {
        level: 'warn',
        message: 'unpriced model',
        fields: expect.objectContaining({ provider: 'openai', model: 'gpt-9-ultra-2027-01-01' }),
      },
    ]);
  });

  it('logs nothing for a priced model, dated or not', async () => {
    const harness = await proxyHarness();
    harness.answerWith({ body: completion('gpt-4o-mini-2024-07-18') });
    await settled(await harness.send({ model: 'gpt-4o-mini', messages: [] }));
    expect(harness.logger.lines).toEqual([]);
  });
});

describe('recordUsage and plan retention', () => {
  const DAY_SECONDS = 86_400;

  async function expiryOfOneRequest(plan: 'free' | 'pro'): Promise<number> {
    const harness = await proxyHarness();
    await harness.accounts.updateProfile(harness.accountId, { plan });
    harness.answerWith({ body: completion('gpt-4o-mini-2024-07-18') });
    const sentAtMs = harness.clock.nowMs();

    await settled(await harness.send({ model: 'gpt-4o-mini', messages: [] }));

    const [stored] = harness.usage.storedBetween(harness.accountId, sentAtMs, sentAtMs + 1);
    if (stored === undefined) throw new Error('no usage record was written');
    return stored.expiresAtEpochSeconds - sentAtMs / 1000;
  }

  it('writes a Free record that expires 30 days after the request', async () => {
    expect(await expiryOfOneRequest('free')).toBe(30 * DAY_SECONDS);
  });

  it('writes a Pro record that expires 365 days after the request', async () => {
    expect(await expiryOfOneRequest('pro')).toBe(365 * DAY_SECONDS);
  });
});

describe('recordUsage and over-long provider models', () => {
  it('records the requested model when the provider answers with one over MAX_MODEL_ID_LENGTH', async () => {
    const harness = await proxyHarness();
    harness.answerWith({ body: completion(`gpt-4o-mini-${'x'.repeat(MAX_MODEL_ID_LENGTH)}`) });

    const outcome = await harness.send({ model: 'gpt-4o-mini', messages: [] });
    await settled(outcome);

    const [record] = await harness.usage.listRecent(harness.accountId, 1);
    expect(record).toMatchObject({ model: 'gpt-4o-mini', status: 200 });
    expect(record?.costPicoUsd).not.toBeNull();
  });
});
