import { MetrionKeyConflictError, NotFoundError } from '../errors.ts';
import type { MetrionKeyStore } from '../ports/metrion-key-store.ts';
import type { Random } from '../ports/random.ts';
import { metrionKeyContext, type SecretVault } from '../vault/secret-vault.ts';
import type { StoredMetrionKey } from './account.ts';
import { generateMetrionKey, metrionKeyDigest } from './metrion-key.ts';

export interface MetrionKeyServiceDeps {
  readonly metrionKeys: MetrionKeyStore;
  readonly vault: SecretVault;
  readonly random: Random;
  readonly pepper: Uint8Array;
}

/** The stored form of a Metrion Key: its lookup digest and a sealed, viewable copy. */
export async function sealMetrionKey(
  deps: Pick<MetrionKeyServiceDeps, 'vault' | 'pepper'>,
  accountId: string,
  key: string,
): Promise<StoredMetrionKey> {
  return {
    digest: metrionKeyDigest(key, deps.pepper),
    sealed: await deps.vault.seal(key, metrionKeyContext(accountId)),
  };
}

/** The Metrion Key use cases: show the key, issue a new one. */
export function createMetrionKeyService(deps: MetrionKeyServiceDeps) {
  /** The current Metrion Key in plain text, decrypted on demand. */
  async function revealMetrionKey(accountId: string): Promise<string> {
    const stored = await deps.metrionKeys.getMetrionKey(accountId);
    if (stored === undefined) throw new NotFoundError('This account has no Metrion Key.');
    return deps.vault.open(stored.sealed, metrionKeyContext(accountId));
  }

  return {
    revealMetrionKey,

    /**
     * Issues a new key; the old one stops working on the very next request. When another
     * regeneration wins the race (a double click, two tabs), this caller gets the winner's key:
     * exactly one key is valid afterwards, and every caller holds it.
     */
    async regenerateMetrionKey(accountId: string): Promise<string> {
      const metrionKey = generateMetrionKey(deps.random);
      try {
        await deps.metrionKeys.replaceMetrionKey(
          accountId,
          await sealMetrionKey(deps, accountId, metrionKey),
        );
      } catch (error) {
        if (!(error instanceof MetrionKeyConflictError)) throw error;
        return revealMetrionKey(accountId);
      }
      return metrionKey;
    },
  };
}
