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

describe('recordUsage and Metrion errors', () => {
  it("prices Metrion's own 4xx at 0 but leaves a 5xx on an unpriced model unpriced", async () => {
    // Arrange: a refusal and an unreadable provider answer, both on a model without a price
    const harness = await proxyHarness();
    harness.answerWith({ body: 'not json' });

    // Act
    const refused = await harness.send({ model: 'gpt-9-ultra' });
    if (refused.kind !== 'failed') throw new Error('expected a refusal');
    await refused.settle(400);
    const unreadable = await harness.send({ model: 'gpt-9-ultra', messages: [] });
    if (unreadable.kind !== 'failed') throw new Error('expected a 502');
    await unreadable.settle(502);

    // Assert: the provider may have billed the 502, at a price Metrion does not know
    const [upstreamFailure, refusal] = await harness.usage.listRecent(harness.accountId, 2);
    expect(refusal).toMatchObject({ status: 400, errorSource: 'metrion', costPicoUsd: 0n });
    expect(upstreamFailure).toMatchObject({
      status: 502,
      errorSource: 'metrion',
      costPicoUsd: null,
    });
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

describe('recordUsage and a plan that billing ends', () => {
  it('keeps 365 days for records written while Pro and 30 days once the canceled period ended', async () => {
    // Arrange: Pro through Stripe, canceled at the end of a period one hour from now
    const harness = await proxyHarness();
    const DAY_SECONDS = 86_400;
    const periodEndMs = harness.clock.nowMs() + 3_600_000;
    await harness.accounts.setStripeCustomerId(harness.accountId, 'cus_1');
    const mark = { createdEpochSeconds: 1, rank: 4, eventId: 'evt_1' };
    await harness.accounts.saveBillingState(
      harness.accountId,
      {
        plan: 'pro',
        billing: {
          stripeCustomerId: 'cus_1',
          subscriptions: {
            sub_1: {
              snapshot: {
                subscriptionId: 'sub_1',
                subscriptionCreatedEpochSeconds: 1,
                status: 'active',
                currentPeriodEndAt: new Date(periodEndMs).toISOString(),
                cancelAtPeriodEnd: true,
                mark,
              },
            },
          },
        },
      },
      0,
    );
    harness.answerWith({ body: completion('gpt-4o-mini-2024-07-18') });
    const expiryAt = async (atMs: number) => {
      harness.clock.set(atMs);
      await settled(await harness.send({ model: 'gpt-4o-mini', messages: [] }));
      const [stored] = harness.usage.storedBetween(harness.accountId, atMs, atMs + 1);
      return (stored?.expiresAtEpochSeconds ?? 0) - atMs / 1000;
    };

    // Act: one request before the period end, one after (no webhook in between)
    const whilePro = await expiryAt(periodEndMs - 1_000);
    const afterEnd = await expiryAt(periodEndMs);

    // Assert: the stored plan still says Pro; the effective plan decided
    expect(whilePro).toBe(365 * DAY_SECONDS);
    expect(afterEnd).toBe(30 * DAY_SECONDS);
    expect((await harness.accounts.getAccount(harness.accountId))?.plan).toBe('pro');
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
