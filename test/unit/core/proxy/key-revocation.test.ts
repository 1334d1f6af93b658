// Revocation with one data key per account: the key stays warm in the vault for all of the
// account's secrets, so only the sealed record read on every request may decide access.
import { describe, expect, it } from 'vitest';
import { MissingProviderKeyError } from '#core/errors.ts';
import type { ProxyOutcome } from '#core/proxy/proxy-service.ts';
import { PROVIDER_KEY, proxyHarness } from './proxy-harness.ts';

const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
const MESSAGE = {
  model: 'claude-haiku-4-5',
  max_tokens: 16,
  messages: [{ role: 'user', content: 'hi' }],
};

function status(outcome: ProxyOutcome): number | string {
  return outcome.kind === 'forwarded' ? outcome.status : outcome.error.code;
}

describe('a provider key deleted while its account data key is cached', () => {
  it('is never sent upstream again, while the account keeps its other keys', async () => {
    // Arrange: the account's data key is unwrapped and cached by a first request
    const harness = await proxyHarness();
    expect(status(await harness.send(CHAT))).toBe(200);
    expect(harness.sent.at(-1)?.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    const upstreamCalls = harness.sent.length;

    // Act
    await harness.accounts.deleteProviderKey(harness.accountId, 'openai');
    const afterDelete = await harness.send(CHAT);
    const otherProvider = await harness.send(MESSAGE, {}, '/api/proxy/v1/messages');

    // Assert
    expect(afterDelete.kind === 'failed' && afterDelete.error).toBeInstanceOf(
      MissingProviderKeyError,
    );
    expect(status(otherProvider)).toBe(200);
    expect(harness.sent).toHaveLength(upstreamCalls + 1);
    expect(harness.sent.at(-1)?.headers['x-api-key']).toBe('sk-ant-0123456789abcdefghij');
  });
});
