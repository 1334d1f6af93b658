// The KMS calls each function's job makes through the real vault, recorded, must fall inside that
// function's grant on the provider-keys key. A purpose the vault starts using that no grant allows
// fails here instead of as AccessDenied in AWS.
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalDataKeyProvider } from '#adapters/local/local-data-key-provider.ts';
import { SystemClock } from '#adapters/system/system-clock.ts';
import { channelSecretContext } from '#core/alerts/channels/alert-channel.ts';
import type {
  DataKeyProvider,
  EncryptionContext,
  GeneratedDataKey,
} from '#core/ports/data-key-provider.ts';
import type { SealedSecret } from '#core/vault/sealed-secret.ts';
import {
  createSecretVault,
  metrionKeyContext,
  providerKeyContext,
  type SecretVault,
} from '#core/vault/secret-vault.ts';
import { FixedRandom } from '../fakes/fixed-random.ts';
import { InMemoryAccountDataKeyStore } from '../fakes/in-memory-account-data-key-store.ts';
import { sealVersion1 } from '../fixtures/sealed-v1.ts';
import { removeOutdirs } from './synth.ts';
import { actionsOf, mainTemplate, type Statement } from './template.ts';

afterAll(removeOutdirs);

type KmsCall = {
  readonly action: 'kms:GenerateDataKey' | 'kms:Decrypt';
  readonly context: EncryptionContext;
};

class RecordingKms implements DataKeyProvider {
  readonly calls: KmsCall[] = [];
  readonly #inner = new LocalDataKeyProvider({
    masterKey: new Uint8Array(32).fill(7),
    random: new FixedRandom(),
  });

  generateDataKey(context: EncryptionContext): Promise<GeneratedDataKey> {
    this.calls.push({ action: 'kms:GenerateDataKey', context });
    return this.#inner.generateDataKey(context);
  }

  decryptDataKey(encrypted: Uint8Array, context: EncryptionContext): Promise<Uint8Array> {
    this.calls.push({ action: 'kms:Decrypt', context });
    return this.#inner.decryptDataKey(encrypted, context);
  }
}

/** A fresh vault without a data-key cache, so every open reaches KMS. */
function recordingVault(): { kms: RecordingKms; vault: SecretVault } {
  const kms = new RecordingKms();
  const vault = createSecretVault({
    dataKeyProvider: kms,
    accountDataKeys: new InMemoryAccountDataKeyStore(),
    random: new FixedRandom(),
    clock: new SystemClock(),
    dataKeyCacheTtlMs: 0,
  });
  return { kms, vault };
}

/** Seals with one vault, then records only what opening it in another function costs. */
async function callsToOpen(
  seal: (vault: SecretVault, kms: RecordingKms) => Promise<SealedSecret>,
  context: EncryptionContext,
): Promise<KmsCall[]> {
  const { kms, vault } = recordingVault();
  const sealed = await seal(vault, kms);
  kms.calls.length = 0;
  expect(await vault.open(sealed, context)).toBe('secret');
  return kms.calls;
}

const provider = providerKeyContext('acc_1', 'openai');
const metrionKey = metrionKeyContext('acc_1');
const channel = channelSecretContext('acc_1', 'ch_1');
const sealToday = (context: EncryptionContext) => (vault: SecretVault) =>
  vault.seal('secret', context);
const sealV1 = (context: EncryptionContext) => (_: SecretVault, kms: RecordingKms) =>
  sealVersion1(kms, 'secret', context);

const dev = mainTemplate('dev');
const providerKeysKeyId = dev.onlyLogicalId('AWS::KMS::Key', {
  Description: Match.stringLikeRegexp('provider keys'),
});

function allows(statements: Statement[], call: KmsCall): boolean {
  return statements.some((statement) => {
    const purposes = [statement.Condition?.StringEquals?.['kms:EncryptionContext:purpose']].flat();
    const needsAccount = statement.Condition?.Null?.['kms:EncryptionContext:account'] === 'false';
    return (
      actionsOf(statement).includes(call.action) &&
      purposes.includes(call.context.purpose) &&
      (!needsAccount || call.context.account !== undefined)
    );
  });
}

function expectGranted(functionName: string, calls: KmsCall[]): void {
  expect(calls.length).toBeGreaterThan(0);
  const statements = dev.statementsOn(dev.functionId(functionName), providerKeysKeyId);
  for (const call of calls) {
    expect(
      allows(statements, call),
      `${functionName}: ${call.action} ${call.context.purpose}`,
    ).toBe(true);
  }
}

describe('KMS grants cover the vault calls of each function', () => {
  it('the dashboard API seals and opens provider keys, the Metrion Key copy and channel secrets', async () => {
    const { kms, vault } = recordingVault();
    for (const context of [provider, metrionKey, channel]) {
      expect(await vault.open(await vault.seal('secret', context), context)).toBe('secret');
    }
    const legacy = await callsToOpen(sealV1(metrionKey), metrionKey);
    expectGranted('Metrion dashboard API', [...kms.calls, ...legacy]);
  });

  it('the proxy opens provider keys sealed today and before one key per account', async () => {
    const today = await callsToOpen(sealToday(provider), provider);
    const legacy = await callsToOpen(sealV1(provider), provider);
    expectGranted('Metrion proxy', [...today, ...legacy]);
  });

  it('the alert evaluator and the delivery retries open channel secrets', async () => {
    const calls = await callsToOpen(sealToday(channel), channel);
    expectGranted('Metrion alert evaluator', calls);
    expectGranted('Metrion alert delivery retries', calls);
  });

  it('the secret migrator opens version-1 secrets and seals them again', async () => {
    const legacy = await callsToOpen(sealV1(provider), provider);
    const { kms, vault } = recordingVault();
    await vault.seal('secret', provider);
    expectGranted('Metrion secret migrator', [...legacy, ...kms.calls]);
  });

  it('the proxy cannot create data keys', async () => {
    const { kms, vault } = recordingVault();
    await vault.seal('secret', provider);
    const statements = dev.statementsOn(dev.functionId('Metrion proxy'), providerKeysKeyId);
    const generate = kms.calls.filter((call) => call.action === 'kms:GenerateDataKey');
    expect(generate).toHaveLength(1);
    expect(allows(statements, generate[0] as KmsCall)).toBe(false);
  });
});
