import { beforeEach, describe, expect, it } from 'vitest';
import { SecretIntegrityError } from '#core/errors.ts';
import type { DataKeyProvider, EncryptionContext } from '#core/ports/data-key-provider.ts';

const CONTEXT: EncryptionContext = {
  account: 'acc_1',
  provider: 'openai',
  purpose: 'provider-key',
};

/** True when `needle` occurs as a contiguous run inside `haystack`. */
export function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack).indexOf(Buffer.from(needle)) !== -1;
}

/**
 * The behaviour every DataKeyProvider must share. `createProvider` is called before each test
 * and must return a provider with no state left over from earlier tests.
 */
export function dataKeyProviderContract(name: string, createProvider: () => DataKeyProvider): void {
  describe(`DataKeyProvider contract: ${name}`, () => {
    let provider: DataKeyProvider;

    beforeEach(() => {
      provider = createProvider();
    });

    it('generates a 32-byte key whose wrapped form does not contain it', async () => {
      const { plaintext, encrypted } = await provider.generateDataKey(CONTEXT);

      expect(plaintext).toHaveLength(32);
      expect(encrypted.length).toBeGreaterThan(0);
      expect(containsBytes(encrypted, plaintext)).toBe(false);
    });

    it('round-trips: the wrapped key decrypts to the generated key under the same context', async () => {
      const { plaintext, encrypted } = await provider.generateDataKey(CONTEXT);

      const decrypted = await provider.decryptDataKey(encrypted, CONTEXT);

      expect(Buffer.from(decrypted).equals(Buffer.from(plaintext))).toBe(true);
    });

    it('treats the context as a map: key order does not matter', async () => {
      const { plaintext, encrypted } = await provider.generateDataKey(CONTEXT);
      const reordered = { purpose: 'provider-key', provider: 'openai', account: 'acc_1' };

      const decrypted = await provider.decryptDataKey(encrypted, reordered);

      expect(Buffer.from(decrypted).equals(Buffer.from(plaintext))).toBe(true);
    });

    it.each<[string, EncryptionContext]>([
      ['another account', { ...CONTEXT, account: 'acc_2' }],
      ['another provider', { ...CONTEXT, provider: 'anthropic' }],
      ['another purpose', { ...CONTEXT, purpose: 'metrion-key' }],
      ['an extra entry', { ...CONTEXT, extra: 'x' }],
      ['a missing entry', { account: 'acc_1', provider: 'openai' }],
      ['an empty context', {}],
    ])('refuses to decrypt under %s', async (_label, otherContext) => {
      const { encrypted } = await provider.generateDataKey(CONTEXT);

      await expect(provider.decryptDataKey(encrypted, otherContext)).rejects.toBeInstanceOf(
        SecretIntegrityError,
      );
    });

    it('refuses a blob with any single byte changed', async () => {
      const { encrypted } = await provider.generateDataKey(CONTEXT);

      for (let index = 0; index < encrypted.length; index += 1) {
        const tampered = Uint8Array.from(encrypted);
        tampered[index] = (tampered[index] ?? 0) ^ 0x01;
        await expect(
          provider.decryptDataKey(tampered, CONTEXT),
          `byte ${index} flipped`,
        ).rejects.toBeInstanceOf(SecretIntegrityError);
      }
    });

    it('refuses a truncated or extended blob', async () => {
      const { encrypted } = await provider.generateDataKey(CONTEXT);

      for (const altered of [
        encrypted.slice(0, -1),
        encrypted.slice(1),
        Uint8Array.of(...encrypted, 0),
        new Uint8Array(0),
      ]) {
        await expect(provider.decryptDataKey(altered, CONTEXT)).rejects.toBeInstanceOf(
          SecretIntegrityError,
        );
      }
    });

    it('never generates the same key twice', async () => {
      const first = await provider.generateDataKey(CONTEXT);
      const second = await provider.generateDataKey(CONTEXT);

      expect(Buffer.from(first.plaintext).equals(Buffer.from(second.plaintext))).toBe(false);
      expect(Buffer.from(first.encrypted).equals(Buffer.from(second.encrypted))).toBe(false);
    });

    it('hands the caller its own buffers: wiping them breaks no later decrypt', async () => {
      const { plaintext, encrypted } = await provider.generateDataKey(CONTEXT);
      const expected = Uint8Array.from(plaintext);

      plaintext.fill(0);
      (await provider.decryptDataKey(encrypted, CONTEXT)).fill(0);
      const again = await provider.decryptDataKey(encrypted, CONTEXT);

      expect(Buffer.from(again).equals(Buffer.from(expected))).toBe(true);
    });
  });
}
