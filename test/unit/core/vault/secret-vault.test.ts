import { beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { SecretIntegrityError } from '#core/errors.ts';
import type { SealedSecret } from '#core/vault/sealed-secret.ts';
import {
  accountDataKeyContext,
  createSecretVault,
  metrionKeyContext,
  providerKeyContext,
  type SecretVaultOptions,
} from '#core/vault/secret-vault.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { FixedRandom } from '../../../fakes/fixed-random.ts';
import { InMemoryAccountDataKeyStore } from '../../../fakes/in-memory-account-data-key-store.ts';
import { InMemoryDataKeyProvider } from '../../../fakes/in-memory-data-key-provider.ts';
import { sealVersion1 } from '../../../fixtures/sealed-v1.ts';

const SECRET = 'sk-ant-api03-THE-PROVIDER-SECRET';
const CONTEXT = providerKeyContext('acc_1', 'anthropic');

describe('context helpers', () => {
  it('bind account, provider and purpose for provider keys', () => {
    expect(providerKeyContext('acc_1', 'openai')).toEqual({
      account: 'acc_1',
      provider: 'openai',
      purpose: 'provider-key',
    });
  });

  it('bind account and purpose for the Metrion Key copy', () => {
    expect(metrionKeyContext('acc_1')).toEqual({ account: 'acc_1', purpose: 'metrion-key' });
  });

  it('bind only the account for the account data key', () => {
    expect(accountDataKeyContext('acc_1')).toEqual({
      account: 'acc_1',
      purpose: 'account-secrets',
    });
  });
});

describe('createSecretVault', () => {
  let provider: InMemoryDataKeyProvider;
  let accountDataKeys: InMemoryAccountDataKeyStore;
  let clock: FakeClock;
  let generate: MockInstance<InMemoryDataKeyProvider['generateDataKey']>;
  let decrypt: MockInstance<InMemoryDataKeyProvider['decryptDataKey']>;

  beforeEach(() => {
    provider = new InMemoryDataKeyProvider();
    accountDataKeys = new InMemoryAccountDataKeyStore();
    clock = new FakeClock();
    generate = vi.spyOn(provider, 'generateDataKey');
    decrypt = vi.spyOn(provider, 'decryptDataKey');
  });

  /** A vault on the shared provider and key store (one per Lambda environment, say). */
  function vault(options: Partial<SecretVaultOptions> = {}) {
    return createSecretVault({
      dataKeyProvider: provider,
      accountDataKeys,
      random: new FixedRandom({ seed: 'vault' }),
      clock,
      ...options,
    });
  }

  /** Seals in another vault (the dashboard's), so the vault under test starts with a cold cache. */
  function sealElsewhere(plaintext: string, context = CONTEXT): Promise<SealedSecret> {
    return createSecretVault({
      dataKeyProvider: provider,
      accountDataKeys,
      random: new FixedRandom({ seed: 'elsewhere' }),
      clock,
    }).seal(plaintext, context);
  }

  /** The data keys the provider handed out on decrypt, in call order. */
  async function unwrappedKeys(): Promise<Uint8Array[]> {
    return Promise.all(decrypt.mock.results.map((result) => result.value as Promise<Uint8Array>));
  }

  it('round-trips a secret and stores nothing readable', async () => {
    const subject = vault();

    const sealed = await subject.seal(SECRET, CONTEXT);

    expect(sealed.version).toBe(2);
    expect(JSON.stringify(sealed)).not.toContain('PROVIDER-SECRET');
    expect(Buffer.from(sealed.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(sealed.authTag, 'base64')).toHaveLength(16);
    await expect(subject.open(sealed, CONTEXT)).resolves.toBe(SECRET);
  });

  it('round-trips non-ASCII text', async () => {
    const subject = vault();
    const text = 'clé-🔑-秘密';

    await expect(subject.open(await subject.seal(text, CONTEXT), CONTEXT)).resolves.toBe(text);
  });

  it('generates one data key per account, bound to the account, on its first seal', async () => {
    const subject = vault();

    const first = await subject.seal(SECRET, CONTEXT);
    const second = await subject.seal(SECRET, metrionKeyContext('acc_1'));
    const elsewhere = await sealElsewhere(SECRET, providerKeyContext('acc_1', 'openai'));
    const otherAccount = await subject.seal(SECRET, providerKeyContext('acc_2', 'anthropic'));

    expect(generate).toHaveBeenCalledTimes(2);
    expect(generate).toHaveBeenNthCalledWith(1, accountDataKeyContext('acc_1'));
    expect(generate).toHaveBeenNthCalledWith(2, accountDataKeyContext('acc_2'));
    expect(second.encryptedDataKey).toBe(first.encryptedDataKey);
    expect(elsewhere.encryptedDataKey).toBe(first.encryptedDataKey);
    expect(otherAccount.encryptedDataKey).not.toBe(first.encryptedDataKey);
    expect(await accountDataKeys.getAccountDataKey('acc_1')).toBe(first.encryptedDataKey);
    expect(second.iv).not.toBe(first.iv);
  });

  it('gives concurrent first seals of an account one data key', async () => {
    const sealed = await Promise.all([
      vault().seal(SECRET, CONTEXT),
      sealElsewhere(SECRET, metrionKeyContext('acc_1')),
      sealElsewhere(SECRET, providerKeyContext('acc_1', 'openai')),
    ]);

    expect(new Set(sealed.map((secret) => secret.encryptedDataKey)).size).toBe(1);
    await expect(vault().open(sealed[1] as SealedSecret, metrionKeyContext('acc_1'))).resolves.toBe(
      SECRET,
    );
  });

  it('opens every secret of an account after one unwrap of its data key', async () => {
    const contexts = [CONTEXT, providerKeyContext('acc_1', 'openai'), metrionKeyContext('acc_1')];
    const sealed = await Promise.all(contexts.map((context) => sealElsewhere(SECRET, context)));
    decrypt.mockClear();
    const subject = vault();

    for (const [index, context] of contexts.entries()) {
      await expect(subject.open(sealed[index] as SealedSecret, context)).resolves.toBe(SECRET);
    }

    expect(decrypt).toHaveBeenCalledTimes(1);
    expect(decrypt.mock.calls[0]?.[1]).toEqual(accountDataKeyContext('acc_1'));
  });

  it('opens a version 1 record (its own data key, wrapped under its full context)', async () => {
    const legacy = await sealVersion1(provider, SECRET, CONTEXT);
    const subject = vault();

    await expect(subject.open(legacy, CONTEXT)).resolves.toBe(SECRET);
    expect(decrypt).toHaveBeenLastCalledWith(expect.any(Uint8Array), CONTEXT);
    await expect(subject.open(legacy, metrionKeyContext('acc_1'))).rejects.toBeInstanceOf(
      SecretIntegrityError,
    );
    await expect(subject.open({ ...legacy, version: 2 }, CONTEXT)).rejects.toBeInstanceOf(
      SecretIntegrityError,
    );
  });

  it('wipes the plaintext data key after sealing', async () => {
    await vault().seal(SECRET, CONTEXT);

    const generated = generate.mock.settledResults[0];
    expect(generated?.type).toBe('fulfilled');
    const plaintext = generated?.type === 'fulfilled' ? generated.value.plaintext : undefined;
    expect(plaintext?.every((byte) => byte === 0)).toBe(true);
  });

  it('refuses a secret opened under another account, provider or purpose', async () => {
    const subject = vault();
    const sealed = await subject.seal(SECRET, CONTEXT);

    for (const other of [
      providerKeyContext('acc_2', 'anthropic'),
      providerKeyContext('acc_1', 'openai'),
      metrionKeyContext('acc_1'),
    ]) {
      await expect(subject.open(sealed, other)).rejects.toBeInstanceOf(SecretIntegrityError);
    }
  });

  it('refuses a cached data key used with a context it was not unwrapped for', async () => {
    const subject = vault();
    const sealed = await subject.seal(SECRET, CONTEXT);
    await subject.open(sealed, CONTEXT);

    await expect(
      subject.open(sealed, providerKeyContext('acc_2', 'anthropic')),
    ).rejects.toBeInstanceOf(SecretIntegrityError);
  });

  it.each<[string, (sealed: SealedSecret) => SealedSecret]>([
    ['ciphertext', (s) => ({ ...s, ciphertext: flipFirstByte(s.ciphertext) })],
    ['auth tag', (s) => ({ ...s, authTag: flipFirstByte(s.authTag) })],
    ['IV', (s) => ({ ...s, iv: flipFirstByte(s.iv) })],
    ['truncated auth tag', (s) => ({ ...s, authTag: truncate(s.authTag, 12) })],
    ['wrapped data key', (s) => ({ ...s, encryptedDataKey: flipFirstByte(s.encryptedDataKey) })],
    ['non-canonical base64', (s) => ({ ...s, ciphertext: `${s.ciphertext}!` })],
    ['unknown version', (s) => ({ ...s, version: 3 as unknown as 1 })],
    ['version (2 to 1)', (s) => ({ ...s, version: 1 })],
  ])('refuses a record with a tampered %s', async (_label, tamper) => {
    const subject = vault();
    const sealed = await subject.seal(SECRET, CONTEXT);

    await expect(subject.open(tamper(sealed), CONTEXT)).rejects.toBeInstanceOf(
      SecretIntegrityError,
    );
  });

  it('refuses a record of another format version or with a field that is not text', async () => {
    const subject = vault();
    const sealed = await subject.seal(SECRET, CONTEXT);
    const otherVersion = { ...sealed, version: 3 } as unknown as SealedSecret;
    const numericIv = { ...sealed, iv: 123 } as unknown as SealedSecret;

    await expect(subject.open(otherVersion, CONTEXT)).rejects.toBeInstanceOf(SecretIntegrityError);
    await expect(subject.open(numericIv, CONTEXT)).rejects.toBeInstanceOf(SecretIntegrityError);
    expect(decrypt).not.toHaveBeenCalled();
  });

  it('accepts a cache of 0 keys and refuses negative or fractional settings', () => {
    expect(() => vault({ maxCachedDataKeys: 0 })).not.toThrow();
    expect(() => vault({ maxCachedDataKeys: -1 })).toThrow(
      new RangeError('maxCachedDataKeys must be an integer >= 0.'),
    );
    expect(() => vault({ maxCachedDataKeys: 1.5 })).toThrow(RangeError);
    expect(() => vault({ dataKeyCacheTtlMs: -1 })).toThrow(
      new RangeError('dataKeyCacheTtlMs must be a finite number >= 0.'),
    );
  });

  it('refuses a malformed record before calling the provider', async () => {
    const subject = vault();
    const sealed = await subject.seal(SECRET, CONTEXT);

    await expect(
      subject.open({ ...sealed, authTag: truncate(sealed.authTag, 8) }, CONTEXT),
    ).rejects.toBeInstanceOf(SecretIntegrityError);
    expect(decrypt).not.toHaveBeenCalled();
  });

  it('opens what it sealed without unwrapping the data key it just generated', async () => {
    const subject = vault();

    const sealed = await subject.seal(SECRET, CONTEXT);

    await expect(subject.open(sealed, CONTEXT)).resolves.toBe(SECRET);
    expect(decrypt).not.toHaveBeenCalled();
  });

  it('caches only the data key the account kept when another vault created one first', async () => {
    // Arrange: a cache of two, holding acc_b's key; another vault wins acc_1's first seal
    const subject = vault({ maxCachedDataKeys: 2 });
    const other = await sealElsewhere(SECRET, providerKeyContext('acc_b', 'openai'));
    await subject.open(other, providerKeyContext('acc_b', 'openai'));
    const won = await sealElsewhere(SECRET);
    vi.spyOn(accountDataKeys, 'getAccountDataKey').mockResolvedValueOnce(undefined);

    // Act: this vault generates a key of its own, which the store refuses
    const sealed = await subject.seal(SECRET, CONTEXT);

    // Assert: sealed under the kept key, and acc_b's key is still cached (no eviction by a
    // key nobody will use)
    expect(generate).toHaveBeenCalledTimes(3);
    expect(sealed.encryptedDataKey).toBe(won.encryptedDataKey);
    expect(decrypt).toHaveBeenCalledTimes(2);
    await subject.open(other, providerKeyContext('acc_b', 'openai'));
    await expect(subject.open(sealed, CONTEXT)).resolves.toBe(SECRET);
    expect(decrypt).toHaveBeenCalledTimes(2);
  });

  it('makes one provider call for concurrent opens after the cached key expired', async () => {
    const subject = vault({ dataKeyCacheTtlMs: 60_000 });
    const sealed = await sealElsewhere(SECRET);
    await subject.open(sealed, CONTEXT);
    clock.advance(60_000);

    const opened = await Promise.all([1, 2, 3].map(() => subject.open(sealed, CONTEXT)));

    expect(opened).toEqual([SECRET, SECRET, SECRET]);
    expect(decrypt).toHaveBeenCalledTimes(2);
  });

  it('refuses to seal or open under a context that names no account', async () => {
    const subject = vault();
    const sealed = await subject.seal(SECRET, CONTEXT);
    const noAccount = { provider: 'anthropic', purpose: 'provider-key' };
    const refusal = new RangeError("A secret's context must name its account.");

    await expect(subject.seal(SECRET, noAccount)).rejects.toThrow(refusal);
    await expect(subject.seal(SECRET, { ...noAccount, account: '' })).rejects.toThrow(refusal);
    await expect(subject.open(sealed, noAccount)).rejects.toThrow(refusal);
    expect(decrypt).not.toHaveBeenCalled();
  });

  it.each<[string, (sealed: SealedSecret) => SealedSecret]>([
    ['an 8-byte IV', (s) => ({ ...s, iv: truncate(s.iv, 8) })],
    ['an IV that is not base64', (s) => ({ ...s, iv: `${s.iv}!` })],
    ['a ciphertext that is not base64', (s) => ({ ...s, ciphertext: `${s.ciphertext}!` })],
    ['an auth tag that is not base64', (s) => ({ ...s, authTag: `${s.authTag}!` })],
    ['a wrapped data key that is not base64', (s) => ({ ...s, encryptedDataKey: '!' })],
  ])('refuses a record with %s before calling the provider', async (_label, corrupt) => {
    const sealed = corrupt(await sealElsewhere(SECRET));

    await expect(vault().open(sealed, CONTEXT)).rejects.toBeInstanceOf(SecretIntegrityError);
    expect(decrypt).not.toHaveBeenCalled();
  });

  it('caches the unwrapped data key: a second open makes no provider call', async () => {
    const subject = vault();
    const sealed = await sealElsewhere(SECRET);

    await subject.open(sealed, CONTEXT);
    await subject.open(sealed, CONTEXT);
    await subject.open(sealed, CONTEXT);

    expect(decrypt).toHaveBeenCalledTimes(1);
  });

  it('makes one provider call for concurrent cold opens of the same secret', async () => {
    const subject = vault();
    const sealed = await sealElsewhere(SECRET);
    // A slow provider (like a cold KMS call), so the later opens really overlap the first.
    decrypt.mockImplementationOnce(async (encrypted, context) => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      return InMemoryDataKeyProvider.prototype.decryptDataKey.call(provider, encrypted, context);
    });

    const opened = await Promise.all([1, 2, 3].map(() => subject.open(sealed, CONTEXT)));

    expect(opened).toEqual([SECRET, SECRET, SECRET]);
    expect(decrypt).toHaveBeenCalledTimes(1);
  });

  it('expires cached keys after the TTL, counted from the fetch, and wipes them', async () => {
    // Arrange
    const subject = vault({ dataKeyCacheTtlMs: 60_000 });
    const sealed = await sealElsewhere(SECRET);
    await subject.open(sealed, CONTEXT);

    // Act + Assert: still cached just before the TTL, even though it was used meanwhile
    clock.advance(30_000);
    await subject.open(sealed, CONTEXT);
    clock.advance(29_999);
    await subject.open(sealed, CONTEXT);
    expect(decrypt).toHaveBeenCalledTimes(1);

    clock.advance(1);
    await expect(subject.open(sealed, CONTEXT)).resolves.toBe(SECRET);
    expect(decrypt).toHaveBeenCalledTimes(2);
    const [expired] = await unwrappedKeys();
    expect(expired?.every((byte) => byte === 0)).toBe(true);
  });

  it('holds at most maxCachedDataKeys keys, evicting and wiping the least recently used', async () => {
    // Arrange
    const subject = vault({ maxCachedDataKeys: 2 });
    const [a, b, c] = await Promise.all(
      ['acc_a', 'acc_b', 'acc_c'].map((account) =>
        sealElsewhere(SECRET, providerKeyContext(account, 'openai')),
      ),
    );
    const open = (sealed: SealedSecret | undefined, account: string) =>
      subject.open(sealed as SealedSecret, providerKeyContext(account, 'openai'));

    // Act
    await open(a, 'acc_a');
    await open(b, 'acc_b');
    await open(a, 'acc_a'); // a is now the most recently used
    await open(c, 'acc_c'); // evicts b

    // Assert
    expect(decrypt).toHaveBeenCalledTimes(3);
    const [keyA, keyB, keyC] = await unwrappedKeys();
    expect(keyB?.every((byte) => byte === 0)).toBe(true);
    expect(keyA?.some((byte) => byte !== 0)).toBe(true);
    expect(keyC?.some((byte) => byte !== 0)).toBe(true);
    await open(a, 'acc_a');
    await open(c, 'acc_c');
    expect(decrypt).toHaveBeenCalledTimes(3);
    await open(b, 'acc_b');
    expect(decrypt).toHaveBeenCalledTimes(4);
  });

  it('calls the provider on every open when caching is disabled, wiping each key', async () => {
    const subject = vault({ dataKeyCacheTtlMs: 0 });
    const sealed = await sealElsewhere(SECRET);

    await subject.open(sealed, CONTEXT);
    await subject.open(sealed, CONTEXT);

    expect(decrypt).toHaveBeenCalledTimes(2);
    for (const key of await unwrappedKeys()) expect(key.every((byte) => byte === 0)).toBe(true);
  });

  it('does not cache a failed unwrap', async () => {
    const subject = vault();
    const sealed = await sealElsewhere(SECRET);
    decrypt.mockRejectedValueOnce(new Error('KMS down'));

    await expect(subject.open(sealed, CONTEXT)).rejects.toThrow('KMS down');
    await expect(subject.open(sealed, CONTEXT)).resolves.toBe(SECRET);
    expect(decrypt).toHaveBeenCalledTimes(2);
  });

  it.each<[string, Partial<SecretVaultOptions>]>([
    ['a negative TTL', { dataKeyCacheTtlMs: -1 }],
    ['an infinite TTL', { dataKeyCacheTtlMs: Number.POSITIVE_INFINITY }],
    ['a fractional cache size', { maxCachedDataKeys: 1.5 }],
    ['a negative cache size', { maxCachedDataKeys: -1 }],
  ])('rejects %s', (_label, options) => {
    expect(() => vault(options)).toThrow(RangeError);
  });
});

function flipFirstByte(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}

function truncate(base64: string, length: number): string {
  return Buffer.from(base64, 'base64').subarray(0, length).toString('base64');
}
