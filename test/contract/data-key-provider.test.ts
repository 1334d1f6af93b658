import 'aws-sdk-client-mock-vitest/extend';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DecryptCommand,
  GenerateDataKeyCommand,
  KMSClient,
  KMSInternalException,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KmsDataKeyProvider } from '#adapters/kms/kms-data-key-provider.ts';
import { LocalDataKeyProvider } from '#adapters/local/local-data-key-provider.ts';
import { loadOrCreateMasterKey } from '#adapters/local/master-key-file.ts';
import { CryptoRandom } from '#adapters/system/crypto-random.ts';
import { SecretIntegrityError, ServiceUnavailableError } from '#core/errors.ts';
import type { EncryptionContext } from '#core/ports/data-key-provider.ts';
import {
  createSecretVault,
  metrionKeyContext,
  providerKeyContext,
} from '#core/vault/secret-vault.ts';
import { behaveLikeKms } from '../fakes/behave-like-kms.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { InMemoryAccountDataKeyStore } from '../fakes/in-memory-account-data-key-store.ts';
import { InMemoryDataKeyProvider } from '../fakes/in-memory-data-key-provider.ts';
import { containsBytes, dataKeyProviderContract } from './data-key-provider.contract.ts';

const KEY_ID = 'arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const OTHER_KEY_ID =
  'arn:aws:kms:eu-central-1:111122223333:key/ffffffff-12ab-34cd-56ef-000000000000';
const CONTEXT: EncryptionContext = {
  account: 'acc_1',
  provider: 'openai',
  purpose: 'provider-key',
};

const kmsClient = new KMSClient({
  region: 'eu-central-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});
const kms = mockClient(kmsClient);

let kmsKey: ReturnType<typeof behaveLikeKms>;

function createKmsProvider(keyId = KEY_ID): KmsDataKeyProvider {
  kms.reset();
  kmsKey = behaveLikeKms(kms, KEY_ID);
  return new KmsDataKeyProvider({ client: kmsClient, keyId });
}

dataKeyProviderContract('InMemoryDataKeyProvider', () => new InMemoryDataKeyProvider());
dataKeyProviderContract(
  'LocalDataKeyProvider',
  () =>
    new LocalDataKeyProvider({
      masterKey: new CryptoRandom().bytes(32),
      random: new CryptoRandom(),
    }),
);
dataKeyProviderContract('KmsDataKeyProvider (aws-sdk-client-mock)', () => createKmsProvider());

describe('KmsDataKeyProvider', () => {
  let provider: KmsDataKeyProvider;

  beforeEach(() => {
    provider = createKmsProvider();
  });

  it('sends the configured KeyId, AES_256 and the context on every GenerateDataKey and Decrypt call', async () => {
    // Arrange
    const otherContext = { account: 'acc_2', purpose: 'metrion-key' };

    // Act
    const first = await provider.generateDataKey(CONTEXT);
    const second = await provider.generateDataKey(otherContext);
    await provider.decryptDataKey(first.encrypted, CONTEXT);
    await provider.decryptDataKey(second.encrypted, otherContext);

    // Assert
    expect(kms).toHaveReceivedCommandTimes(GenerateDataKeyCommand, 2);
    expect(kms).toHaveReceivedNthCommandWith(GenerateDataKeyCommand, 1, {
      KeyId: KEY_ID,
      KeySpec: 'AES_256',
      EncryptionContext: CONTEXT,
    });
    expect(kms).toHaveReceivedNthCommandWith(GenerateDataKeyCommand, 2, {
      KeyId: KEY_ID,
      KeySpec: 'AES_256',
      EncryptionContext: otherContext,
    });
    expect(kms).toHaveReceivedCommandTimes(DecryptCommand, 2);
    expect(kms).toHaveReceivedNthCommandWith(DecryptCommand, 1, {
      KeyId: KEY_ID,
      CiphertextBlob: first.encrypted,
      EncryptionContext: CONTEXT,
    });
    expect(kms).toHaveReceivedNthCommandWith(DecryptCommand, 2, {
      KeyId: KEY_ID,
      CiphertextBlob: second.encrypted,
      EncryptionContext: otherContext,
    });
  });

  it('returns as `encrypted` only the CiphertextBlob, never the plaintext key', async () => {
    for (let round = 0; round < 20; round += 1) {
      const { plaintext, encrypted } = await provider.generateDataKey(CONTEXT);
      const sent = kms.commandCalls(GenerateDataKeyCommand).at(-1);
      const blob = (await sent?.returnValue)?.CiphertextBlob;

      expect(blob).toBeDefined();
      expect(Buffer.from(encrypted).equals(Buffer.from(blob ?? []))).toBe(true);
      expect(containsBytes(encrypted, plaintext)).toBe(false);
    }
  });

  it('refuses a blob wrapped under another KMS key (KeyId is pinned on Decrypt)', async () => {
    const { encrypted } = await provider.generateDataKey(CONTEXT);
    const otherKeyProvider = new KmsDataKeyProvider({ client: kmsClient, keyId: OTHER_KEY_ID });

    await expect(otherKeyProvider.decryptDataKey(encrypted, CONTEXT)).rejects.toBeInstanceOf(
      SecretIntegrityError,
    );
  });

  it('maps AccessDeniedException on Decrypt to SecretIntegrityError', async () => {
    kms
      .on(DecryptCommand)
      .rejects(
        Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }),
      );

    await expect(provider.decryptDataKey(Uint8Array.of(1, 2, 3), CONTEXT)).rejects.toBeInstanceOf(
      SecretIntegrityError,
    );
  });

  it.each([
    ['KMSInternalException', new KMSInternalException({ message: 'boom', $metadata: {} })],
    [
      'ThrottlingException',
      Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }),
    ],
    ['a network error', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ])(
    'maps %s to a retryable ServiceUnavailableError with a fixed message',
    async (_label, failure) => {
      kms.on(DecryptCommand).rejects(failure);
      kms.on(GenerateDataKeyCommand).rejects(failure);

      const decrypting = provider.decryptDataKey(Uint8Array.of(1, 2, 3), CONTEXT);
      const generating = provider.generateDataKey(CONTEXT);

      await expect(decrypting).rejects.toBeInstanceOf(ServiceUnavailableError);
      await expect(generating).rejects.toBeInstanceOf(ServiceUnavailableError);
      await expect(decrypting).rejects.toMatchObject({ service: 'kms', retryable: true });
      await expect(decrypting).rejects.not.toThrow(failure.message);
    },
  );

  it('refuses a Decrypt answer that is not a 32-byte key', async () => {
    kms.on(DecryptCommand).resolves({ KeyId: KEY_ID, Plaintext: new Uint8Array(16) });

    await expect(provider.decryptDataKey(Uint8Array.of(1), CONTEXT)).rejects.toBeInstanceOf(
      SecretIntegrityError,
    );
  });

  it('refuses a GenerateDataKey answer without a 32-byte key or a blob', async () => {
    kms.on(GenerateDataKeyCommand).resolves({ KeyId: KEY_ID, Plaintext: new Uint8Array(32) });

    await expect(provider.generateDataKey(CONTEXT)).rejects.toBeInstanceOf(ServiceUnavailableError);
  });
});

describe('secrets sealed through KMS across a KMS key rotation', () => {
  it('stay readable, and new secrets of the same and other accounts seal and open', async () => {
    // Arrange: secrets sealed before the rotation, under the account's data key
    const provider = createKmsProvider();
    const accountDataKeys = new InMemoryAccountDataKeyStore();
    const newVault = () =>
      createSecretVault({
        dataKeyProvider: provider,
        accountDataKeys,
        random: new CryptoRandom(),
        clock: new FakeClock(),
      });
    const before = await newVault().seal('sk-before', CONTEXT);

    // Act: KMS rotates its key material; a fresh environment (cold cache) opens and seals
    kmsKey.rotate();
    const after = newVault();
    const sameAccount = await after.seal('sk-same-account', metrionKeyContext('acc_1'));
    const otherAccount = await after.seal('sk-other', providerKeyContext('acc_2', 'openai'));

    // Assert
    const reader = newVault();
    await expect(reader.open(before, CONTEXT)).resolves.toBe('sk-before');
    await expect(reader.open(sameAccount, metrionKeyContext('acc_1'))).resolves.toBe(
      'sk-same-account',
    );
    await expect(reader.open(otherAccount, providerKeyContext('acc_2', 'openai'))).resolves.toBe(
      'sk-other',
    );
    expect(kms).toHaveReceivedCommandTimes(GenerateDataKeyCommand, 2);
  });
});

describe('LocalDataKeyProvider', () => {
  const random = new CryptoRandom();

  it('writes a self-describing blob: version 1, then IV, tag and wrapped key (61 bytes)', async () => {
    const provider = new LocalDataKeyProvider({ masterKey: random.bytes(32), random });

    const { encrypted } = await provider.generateDataKey(CONTEXT);

    expect(encrypted).toHaveLength(1 + 12 + 16 + 32);
    expect(encrypted[0]).toBe(1);
  });

  it('refuses a blob wrapped under another master key', async () => {
    const sealing = new LocalDataKeyProvider({ masterKey: random.bytes(32), random });
    const opening = new LocalDataKeyProvider({ masterKey: random.bytes(32), random });
    const { encrypted } = await sealing.generateDataKey(CONTEXT);

    await expect(opening.decryptDataKey(encrypted, CONTEXT)).rejects.toBeInstanceOf(
      SecretIntegrityError,
    );
  });

  it('keeps its own copy of the master key', async () => {
    const masterKey = random.bytes(32);
    const provider = new LocalDataKeyProvider({ masterKey, random });
    const { plaintext, encrypted } = await provider.generateDataKey(CONTEXT);

    masterKey.fill(0);

    expect(Buffer.from(await provider.decryptDataKey(encrypted, CONTEXT))).toEqual(
      Buffer.from(plaintext),
    );
  });

  it('rejects a master key that is not 32 bytes', () => {
    expect(() => new LocalDataKeyProvider({ masterKey: random.bytes(16), random })).toThrow(
      RangeError,
    );
  });
});

describe('loadOrCreateMasterKey', () => {
  let folder: string;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'metrion-master-key-'));
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('creates a 32-byte key readable only by the owner, then returns the same key', async () => {
    const path = join(folder, 'nested', 'master.key');

    const created = await loadOrCreateMasterKey(path);
    const loaded = await loadOrCreateMasterKey(path);

    expect(created).toHaveLength(32);
    expect(Buffer.from(loaded)).toEqual(Buffer.from(created));
    expect(Buffer.from(await readFile(path))).toEqual(Buffer.from(created));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('gives concurrent first starts one and the same key', async () => {
    const path = join(folder, 'master.key');

    const keys = await Promise.all([1, 2, 3, 4].map(() => loadOrCreateMasterKey(path)));

    for (const key of keys) expect(Buffer.from(key)).toEqual(Buffer.from(keys[0] ?? []));
  });

  it('refuses a file of the wrong length without echoing its content', async () => {
    const path = join(folder, 'master.key');
    await writeFile(path, 'not-a-key-SECRETVALUE');

    const loading = loadOrCreateMasterKey(path);

    await expect(loading).rejects.toThrow(/exactly 32 bytes/);
    await expect(loading).rejects.not.toThrow(/SECRETVALUE/);
  });
});
