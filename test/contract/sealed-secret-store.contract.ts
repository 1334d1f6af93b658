import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AccountStore } from '#core/ports/account-store.ts';
import type { MetrionKeyStore } from '#core/ports/metrion-key-store.ts';
import type { ProviderKeyStore } from '#core/ports/provider-key-store.ts';
import type { ProxyAdmission } from '#core/ports/proxy-admission.ts';
import type { SealedSecretStore, StoredSealedSecret } from '#core/ports/sealed-secret-store.ts';
import type { SealedSecret } from '#core/vault/sealed-secret.ts';
import { testAccount } from '../fixtures/account.ts';
import { proxyViewOf } from '../fixtures/admission.ts';

export interface SealedSecretStoreSubject {
  /** Writes accounts and keys the way the dashboard does. */
  readonly accounts: AccountStore;
  readonly metrionKeys: MetrionKeyStore;
  readonly providerKeys: ProviderKeyStore;
  readonly admission: ProxyAdmission;
  readonly secrets: SealedSecretStore;
}

const base64 = (bytes: number) => randomBytes(bytes).toString('base64');
const sealed = (version: 1 | 2 = 1): SealedSecret => ({
  version,
  encryptedDataKey: base64(40),
  iv: base64(12),
  ciphertext: base64(48),
  authTag: base64(16),
});

async function allSecrets(store: SealedSecretStore): Promise<StoredSealedSecret[]> {
  const all: StoredSealedSecret[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listSealedSecrets(cursor);
    all.push(...page.secrets);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return all;
}

/** An account with its Metrion Key copy and an OpenAI key. */
async function accountWithKeys(subject: SealedSecretStoreSubject) {
  const accountId = randomUUID();
  const digest = randomBytes(32).toString('hex');
  const metrionKey = sealed();
  const openai = sealed();
  await subject.accounts.createAccount(testAccount(accountId), { digest, sealed: metrionKey });
  await subject.providerKeys.putProviderKey({
    accountId,
    provider: 'openai',
    sealed: openai,
    createdAt: '2026-11-24T11:00:00.000Z',
  });
  return { accountId, digest, metrionKey, openai };
}

/** The behaviour every SealedSecretStore must have. */
export function sealedSecretStoreContract(createSubject: () => SealedSecretStoreSubject): void {
  describe('SealedSecretStore contract', () => {
    it('lists every account’s Metrion Key copy and provider keys, each once over all pages', async () => {
      const subject = createSubject();
      const one = await accountWithKeys(subject);
      const two = await accountWithKeys(subject);
      const anthropic = sealed(2);
      await subject.providerKeys.putProviderKey({
        accountId: two.accountId,
        provider: 'anthropic',
        sealed: anthropic,
        createdAt: '2026-11-24T12:00:00.000Z',
      });

      const accountIds: readonly string[] = [one.accountId, two.accountId];
      const ours = (await allSecrets(subject.secrets)).filter((secret) =>
        accountIds.includes(secret.accountId),
      );

      const byName = (secret: StoredSealedSecret) => `${secret.accountId}/${secret.provider}`;
      const expected: StoredSealedSecret[] = [
        { accountId: one.accountId, sealed: one.metrionKey },
        { accountId: one.accountId, provider: 'openai', sealed: one.openai },
        { accountId: two.accountId, sealed: two.metrionKey },
        { accountId: two.accountId, provider: 'openai', sealed: two.openai },
        { accountId: two.accountId, provider: 'anthropic', sealed: anthropic },
      ];
      const sorted = (secrets: StoredSealedSecret[]) =>
        secrets.sort((a, b) => byName(a).localeCompare(byName(b)));
      expect(sorted(ours)).toEqual(sorted(expected));
    });

    it('replaces a secret still as read, and the proxy reads the new one', async () => {
      const subject = createSubject();
      const { accountId, digest, metrionKey, openai } = await accountWithKeys(subject);
      const [nextOpenai, nextMetrionKey] = [sealed(2), sealed(2)];

      const replacedProviderKey = await subject.secrets.replaceSealedSecret(
        { accountId, provider: 'openai', sealed: openai },
        nextOpenai,
      );
      const replacedMetrionKey = await subject.secrets.replaceSealedSecret(
        { accountId, sealed: metrionKey },
        nextMetrionKey,
      );

      expect([replacedProviderKey, replacedMetrionKey]).toEqual([true, true]);
      expect((await subject.providerKeys.listProviderKeys(accountId))[0]?.sealed).toEqual(
        nextOpenai,
      );
      expect((await subject.metrionKeys.getMetrionKey(accountId))?.sealed).toEqual(nextMetrionKey);
      expect((await proxyViewOf(subject.admission, digest))?.providerKey?.sealed).toEqual(
        nextOpenai,
      );
    });

    it('never overwrites a key saved again or deleted since it was read', async () => {
      const subject = createSubject();
      const { accountId, digest, openai } = await accountWithKeys(subject);
      const saved = sealed(2);
      await subject.providerKeys.putProviderKey({
        accountId,
        provider: 'openai',
        sealed: saved,
        createdAt: '2026-11-24T13:00:00.000Z',
      });
      const other = await accountWithKeys(subject);
      await subject.providerKeys.deleteProviderKey(other.accountId, 'openai');

      const overSaved = await subject.secrets.replaceSealedSecret(
        { accountId, provider: 'openai', sealed: openai },
        sealed(2),
      );
      const overDeleted = await subject.secrets.replaceSealedSecret(
        { accountId: other.accountId, provider: 'openai', sealed: other.openai },
        sealed(2),
      );

      expect([overSaved, overDeleted]).toEqual([false, false]);
      expect((await proxyViewOf(subject.admission, digest))?.providerKey?.sealed).toEqual(saved);
      expect(await subject.providerKeys.listProviderKeys(other.accountId)).toEqual([]);
    });
  });
}
