// Metrion's own refusals: answered before any store call, recorded (source Metrion, cost 0) once
// settled, which is when the account is looked up.
import { describe, expect, it } from 'vitest';
import { minuteCounter, monthCounter } from '#core/limits/request-limits.ts';
import { MAX_PROXY_BODY_BYTES } from '#core/proxy/parse-proxy-request.ts';
import type { FailedOutcome, ProxyOutcome } from '#core/proxy/proxy-service.ts';
import { proxyHarness } from './proxy-harness.ts';

function failed(outcome: ProxyOutcome): FailedOutcome {
  if (outcome.kind !== 'failed') throw new Error(`expected a failure, got ${outcome.status}`);
  return outcome;
}

const NO_MESSAGES = { model: 'gpt-4o-mini' };

describe('proxy service: a request Metrion refuses before admission', () => {
  it('is answered without a store call, and recorded once settled', async () => {
    // Arrange
    const harness = await proxyHarness();

    // Act
    const refusal = failed(await harness.send(NO_MESSAGES, { 'x-metrion-user': 'agent-7' }));
    const admissionsBeforeSettle = harness.admissions.length;
    const recordsBeforeSettle = await harness.usage.listRecent(harness.accountId, 10);
    await refusal.settle(400);

    // Assert
    expect(refusal.error.code).toBe('invalid_request');
    expect(refusal.wireFormat).toBe('openai');
    expect(admissionsBeforeSettle).toBe(0);
    expect(recordsBeforeSettle).toEqual([]);
    expect(harness.sent).toEqual([]);
    const [record] = await harness.usage.listRecent(harness.accountId, 10);
    expect(record).toMatchObject({
      requestId: 'req-1',
      provider: 'openai',
      kind: 'chat',
      model: 'gpt-4o-mini',
      requester: 'agent-7',
      status: 400,
      errorSource: 'metrion',
      errorMessage: refusal.error.message,
      costPicoUsd: 0n,
      inputTokens: 0,
      outputTokens: 0,
      mode: 'stored',
      cached: false,
    });
  });

  it("keeps a refusal's tags and body requester, and records a bad tag's refusal without tags", async () => {
    const harness = await proxyHarness();

    await failed(
      await harness.send({ ...NO_MESSAGES, user: 'end-user-3' }, { 'x-metrion-tag-feature': 'a' }),
    ).settle(400);
    const badTag = failed(
      await harness.send(
        { ...NO_MESSAGES, messages: [] },
        { 'x-metrion-tag-feature': 'b', 'x-metrion-tag-bad.key': 'c' },
      ),
    );
    await badTag.settle(400);

    expect(badTag.error.message).toMatch(/x-metrion-tag-bad\.key/);
    const [badTagRecord, missingMessages] = await harness.usage.listRecent(harness.accountId, 10);
    expect(missingMessages).toMatchObject({ requester: 'end-user-3', tags: { feature: 'a' } });
    expect(badTagRecord?.tags).toBeUndefined();
    expect(badTagRecord?.status).toBe(400);
  });

  it("counts the refusal in the key's minute when it is recorded, never in the month", async () => {
    const harness = await proxyHarness();
    const nowMs = harness.clock.nowMs();

    await failed(await harness.send(NO_MESSAGES)).settle(400);

    expect(harness.admissions).toHaveLength(1);
    expect(harness.admissions[0]?.month).toBeUndefined();
    expect(await harness.accounts.windowCount(harness.keyDigest, minuteCounter(nowMs))).toEqual({
      count: 1,
      refused: 0,
    });
    expect(await harness.accounts.windowCount(harness.keyDigest, monthCounter(nowMs))).toEqual({
      count: 0,
      refused: 0,
    });
  });

  it('leaves no row when the Metrion Key is unknown', async () => {
    const harness = await proxyHarness();

    const refusal = failed(
      await harness.send(NO_MESSAGES, {
        authorization: 'Bearer sk-metrion-00000000000000000000000000000000',
      }),
    );
    await refusal.settle(400);

    expect(refusal.error.code).toBe('invalid_request');
    expect(await harness.usage.listRecent(harness.accountId, 10)).toEqual([]);
    expect(harness.logger.lines).toEqual([]);
  });

  it("leaves no row when the key's minute is full (429s are counted, not logged)", async () => {
    // Arrange: 100 refusals use up the minute
    const harness = await proxyHarness();
    for (let i = 0; i < 100; i += 1) await failed(await harness.send(NO_MESSAGES)).settle(400);

    // Act
    await failed(await harness.send(NO_MESSAGES)).settle(400);

    // Assert
    expect(await harness.usage.listRecent(harness.accountId, 1000)).toHaveLength(100);
    const minute = minuteCounter(harness.clock.nowMs());
    expect(await harness.accounts.windowCount(harness.keyDigest, minute)).toEqual({
      count: 100,
      refused: 1,
    });
  });

  it('records malformed JSON with no model, and an oversize body without reading it', async () => {
    const harness = await proxyHarness();
    const oversize = JSON.stringify({
      model: 'gpt-4o-mini',
      pad: 'x'.repeat(MAX_PROXY_BODY_BYTES),
    });

    await failed(await harness.send('{"model":')).settle(400);
    await failed(await harness.send(oversize)).settle(413);

    const [tooLarge, malformed] = await harness.usage.listRecent(harness.accountId, 10);
    expect(malformed).toMatchObject({ status: 400, model: '', costPicoUsd: 0n });
    expect(tooLarge).toMatchObject({ status: 413, model: '', costPicoUsd: 0n });
  });

  it('costs 0 even when the model it names has no price', async () => {
    const harness = await proxyHarness();

    await failed(await harness.send({ model: 'gpt-9-ultra' })).settle(400);

    const [record] = await harness.usage.listRecent(harness.accountId, 1);
    expect(record).toMatchObject({ model: 'gpt-9-ultra', costPicoUsd: 0n });
    expect(harness.logger.lines).toEqual([]);
  });

  it('records a path the provider does not serve with the provider and kind it names', async () => {
    const harness = await proxyHarness();

    const refusal = failed(
      await harness.send(
        { model: 'mistral-small-latest', input: 'hi' },
        {},
        '/api/proxy/mistral/v1/responses',
      ),
    );
    await refusal.settle(404);

    expect(refusal.error.code).toBe('not_found');
    expect(refusal.error.message).toMatch(/^Mistral has no Responses API endpoint/);
    const [record] = await harness.usage.listRecent(harness.accountId, 1);
    expect(record).toMatchObject({
      provider: 'mistral',
      kind: 'responses',
      model: 'mistral-small-latest',
      status: 404,
      errorSource: 'metrion',
      costPicoUsd: 0n,
    });
  });

  it('answers in the envelope of the SDK family the path shows, and records that provider', async () => {
    const harness = await proxyHarness();

    const refusal = failed(
      await harness.send({ model: 'claude-haiku-4-5' }, {}, '/api/proxy/openai/v1/messages'),
    );
    await refusal.settle(404);

    expect(refusal.wireFormat).toBe('anthropic');
    expect((await harness.usage.listRecent(harness.accountId, 1))[0]?.provider).toBe('anthropic');
  });

  it('does not record a refused side call (model lists are never recorded)', async () => {
    const harness = await proxyHarness();

    const refusal = failed(await harness.send({}, {}, '/api/proxy/openai/v1/models', 'POST'));
    await refusal.settle(405);

    expect(refusal.error.code).toBe('method_not_allowed');
    expect(harness.admissions).toEqual([]);
    expect(await harness.usage.listRecent(harness.accountId, 10)).toEqual([]);
  });
});

describe('proxy service: an unexpected failure', () => {
  it('is an InternalError naming the request id, in the envelope of the route, never a rejection', async () => {
    const harness = await proxyHarness();
    harness.faults.admit = new TypeError('cannot read properties of undefined');

    const outcome = failed(
      await harness.send(
        { model: 'claude-haiku-4-5', max_tokens: 8, messages: [] },
        {},
        '/api/proxy/v1/messages',
      ),
    );
    await outcome.settle(500);

    expect(outcome.wireFormat).toBe('anthropic');
    expect(outcome.error).toMatchObject({
      code: 'internal_error',
      message: expect.stringContaining('request id req-1'),
      cause: harness.faults.admit,
    });
    expect(outcome.error.message).not.toContain('cannot read');
    expect(await harness.usage.listRecent(harness.accountId, 10)).toEqual([]);
  });
});
