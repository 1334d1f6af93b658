import { describe, expect, it } from 'vitest';
import { AuthenticationError } from '#core/errors.ts';
import { presentedCredentials } from '#core/proxy/authenticate.ts';

const METRION_KEY = 'sk-metrion-0123456789abcdef0123456789abcdef';
const PROVIDER_KEY = 'sk-proj-abcdefghijklmnopqrstuvwxyz';

/** The message of the AuthenticationError the headers get. */
function refusal(headers: Record<string, string>): string {
  try {
    presentedCredentials(headers);
  } catch (error) {
    if (error instanceof AuthenticationError) return error.message;
    throw error;
  }
  throw new Error('the headers were accepted');
}

describe('presentedCredentials', () => {
  it('takes a Metrion Key as the API key for stored mode, from either header', () => {
    expect(presentedCredentials({ authorization: `Bearer ${METRION_KEY}` })).toEqual({
      mode: 'stored',
      metrionKey: METRION_KEY,
    });
    expect(presentedCredentials({ 'x-api-key': METRION_KEY }).mode).toBe('stored');
  });

  it('takes a provider key as the API key and the Metrion Key in x-metrion-token for pass-through', () => {
    expect(
      presentedCredentials({
        authorization: `Bearer ${PROVIDER_KEY}`,
        'x-metrion-token': METRION_KEY,
      }),
    ).toEqual({ mode: 'pass-through', metrionKey: METRION_KEY, providerCredential: PROVIDER_KEY });
  });

  it('explains both modes when no key is sent', () => {
    expect(refusal({})).toBe(
      'No API key sent. Send your Metrion Key (sk-metrion-…) as the API key (Authorization: Bearer or x-api-key); or, in pass-through mode, your own provider key as the API key and your Metrion Key in the x-metrion-token header.',
    );
  });

  it('says a provider key alone needs x-metrion-token with the Metrion Key, the right way round', () => {
    expect(refusal({ authorization: `Bearer ${PROVIDER_KEY}` })).toBe(
      'The API key is not a Metrion Key, so Metrion takes it for your own provider key (pass-through mode), which needs your Metrion Key (sk-metrion-…) in the x-metrion-token header to name your account. Add that header, or send your Metrion Key as the API key to use the provider key saved in Metrion.',
    );
  });

  it('says where each key goes when x-metrion-token holds something else', () => {
    expect(
      refusal({ authorization: `Bearer ${PROVIDER_KEY}`, 'x-metrion-token': PROVIDER_KEY }),
    ).toBe(
      'x-metrion-token must be your Metrion Key (sk-metrion-…, under Settings > Metrion Key (/settings/token)); your provider key goes in the API key (Authorization or x-api-key).',
    );
  });

  it.each([
    [{ authorization: `Bearer ${METRION_KEY.slice(0, -1)}` }, 'The API key'],
    [{ 'x-api-key': `${METRION_KEY}0` }, 'The API key'],
    [
      {
        authorization: `Bearer ${PROVIDER_KEY}`,
        'x-metrion-token': METRION_KEY.toUpperCase().replace('SK-METRION-', 'sk-metrion-'),
      },
      'x-metrion-token',
    ],
  ])('refuses a Metrion Key cut short or mistyped on its shape (%o)', (headers, where) => {
    expect(refusal(headers)).toBe(
      `${where} starts with sk-metrion- but is not a whole Metrion Key (sk-metrion- and 32 lowercase hex characters). Copy it again from Settings > Metrion Key (/settings/token).`,
    );
  });
});
