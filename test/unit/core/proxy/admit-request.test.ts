import { describe, expect, it } from 'vitest';
import type { ProxyOutcome } from '#core/proxy/proxy-service.ts';
import { integrityError } from '#core/vault/envelope.ts';
import { PROVIDER_KEY, proxyHarness } from './proxy-harness.ts';

const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
const UNKNOWN_KEY = 'sk-metrion-00000000000000000000000000000000';

function errorOf(outcome: ProxyOutcome) {
  if (outcome.kind !== 'failed') throw new Error(`expected a failure, got ${outcome.status}`);
  return outcome.error;
}

describe('admitRequest: what an unknown Metrion Key is told', () => {
  it('names the API key in stored mode', async () => {
    const harness = await proxyHarness();

    const error = errorOf(await harness.send(CHAT, { authorization: `Bearer ${UNKNOWN_KEY}` }));

    expect(error).toMatchObject({
      code: 'invalid_api_key',
      message:
        'The API key is not a valid Metrion Key (it may have been regenerated). Copy the current key from Settings > Metrion Key (/settings/token).',
    });
  });

  it('names the x-metrion-token header in pass-through mode', async () => {
    const harness = await proxyHarness();

    const error = errorOf(
      await harness.send(CHAT, {
        authorization: `Bearer ${PROVIDER_KEY}`,
        'x-metrion-token': UNKNOWN_KEY,
      }),
    );

    expect(error.message).toMatch(/^The x-metrion-token header is not a valid Metrion Key/);
  });

  it('refuses a Metrion Key cut short without looking it up', async () => {
    const harness = await proxyHarness();

    const error = errorOf(
      await harness.send(CHAT, { authorization: `Bearer ${harness.metrionKey.slice(0, -2)}` }),
    );

    expect(error.code).toBe('invalid_api_key');
    expect(harness.admissions).toEqual([]);
  });
});

describe('admitRequest: a saved provider key that cannot be decrypted', () => {
  it('says which key and where to save it again', async () => {
    const harness = await proxyHarness();
    harness.faults.openKey = integrityError();

    const error = errorOf(await harness.send(CHAT));

    expect(error).toMatchObject({
      code: 'secret_integrity',
      message:
        'The OpenAI key saved in Metrion could not be decrypted. Save it again on Integrate (/integrate).',
    });
    expect(harness.sent).toEqual([]);
  });
});

describe('admitRequest: which provider key goes upstream', () => {
  it('sends the caller’s own key in pass-through mode, never the stored one', async () => {
    const harness = await proxyHarness();
    const ownKey = 'sk-own-0123456789abcdefghijklmn';

    await harness.send(CHAT, {
      authorization: `Bearer ${ownKey}`,
      'x-metrion-token': harness.metrionKey,
    });

    expect(JSON.stringify(harness.sent)).toContain(ownKey);
    expect(JSON.stringify(harness.sent)).not.toContain(PROVIDER_KEY);
    expect(harness.opened()).toBe(0);
  });

  it('says which key is missing and the two ways to send one', async () => {
    const harness = await proxyHarness();
    await harness.accounts.deleteProviderKey(harness.accountId, 'openai');

    const error = errorOf(await harness.send(CHAT));

    expect(error.message).toBe(
      'No OpenAI key is saved in Metrion for this account. Add your OpenAI key on Integrate (/integrate) and keep sending your Metrion Key as the API key; or use pass-through mode: your own OpenAI key as the API key and your Metrion Key in the x-metrion-token header.',
    );
    expect(harness.sent).toEqual([]);
  });

  it('passes a vault failure other than integrity on as it is', async () => {
    const harness = await proxyHarness();
    const unavailable = new Error('KMS is unavailable');
    harness.faults.openKey = unavailable;

    const error = errorOf(await harness.send(CHAT));

    expect(error).not.toMatchObject({ code: 'secret_integrity' });
    expect(error.message).not.toContain('could not be decrypted');
    expect(harness.sent).toEqual([]);
  });
});
