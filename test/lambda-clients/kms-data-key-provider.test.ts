// KmsDataKeyProvider as the proxy bundle runs it: over the signed JSON client, through KMS's
// wire format, to a KMS that aws-sdk-client-mock makes behave like one (kms-wire-bridge.ts).
import 'aws-sdk-client-mock-vitest/extend';
import { DecryptCommand, KMSClient as SdkKmsClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KmsDataKeyProvider } from '#adapters/kms/kms-data-key-provider.ts';
import { SecretIntegrityError, ServiceUnavailableError } from '#core/errors.ts';
import { KMSClient } from '#lambda/lean-aws/client-kms.ts';
import { dataKeyProviderContract } from '../contract/data-key-provider.contract.ts';
import { behaveLikeKms } from '../fakes/behave-like-kms.ts';
import { type KmsWireBridge, startKmsWireBridge } from './kms-wire-bridge.ts';

const KEY_ID = 'arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const CONTEXT = { account: 'acc_1', provider: 'openai', purpose: 'provider-key' };

const backend = new SdkKmsClient({
  region: 'eu-central-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});
const kms = mockClient(backend);
let bridge: KmsWireBridge;
let client: KMSClient;

beforeAll(async () => {
  bridge = await startKmsWireBridge(backend);
  client = new KMSClient({
    region: 'eu-central-1',
    endpoint: bridge.endpoint,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret', sessionToken: 'token' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await bridge.close();
});

function createProvider(): KmsDataKeyProvider {
  kms.reset();
  behaveLikeKms(kms, KEY_ID);
  // The adapter is typed against the SDK's client; in the bundle this class takes its place.
  return new KmsDataKeyProvider({ client: client as unknown as SdkKmsClient, keyId: KEY_ID });
}

dataKeyProviderContract('KmsDataKeyProvider over the signed JSON client', createProvider);

describe('KmsDataKeyProvider over the signed JSON client', () => {
  let provider: KmsDataKeyProvider;
  beforeEach(() => {
    provider = createProvider();
  });

  it('sends the blob, KeyId and context that KMS receives, signed for kms', async () => {
    const { encrypted } = await provider.generateDataKey(CONTEXT);

    await provider.decryptDataKey(encrypted, CONTEXT);

    expect(kms).toHaveReceivedCommandWith(DecryptCommand, {
      KeyId: KEY_ID,
      CiphertextBlob: encrypted,
      EncryptionContext: CONTEXT,
    });
    expect(bridge.authorizations.at(-1)).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/eu-central-1\/kms\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=[0-9a-f]{64}$/,
    );
  });

  it('maps AccessDeniedException from the wire to SecretIntegrityError', async () => {
    kms
      .on(DecryptCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));

    await expect(provider.decryptDataKey(Uint8Array.of(1), CONTEXT)).rejects.toBeInstanceOf(
      SecretIntegrityError,
    );
  });

  it('maps a KMS 500 to a retryable ServiceUnavailableError', async () => {
    kms
      .on(DecryptCommand)
      .rejects(
        Object.assign(new Error('boom'), { name: 'KMSInternalException', $fault: 'server' }),
      );

    const decrypting = provider.decryptDataKey(Uint8Array.of(1), CONTEXT);

    await expect(decrypting).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(decrypting).rejects.toMatchObject({ service: 'kms', retryable: true });
  });
});
