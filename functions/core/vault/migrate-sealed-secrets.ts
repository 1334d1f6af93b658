import { SecretIntegrityError } from '../errors.ts';
import type { SealedSecretStore, StoredSealedSecret } from '../ports/sealed-secret-store.ts';
import { CURRENT_SEALED_VERSION } from './sealed-secret.ts';
import { metrionKeyContext, providerKeyContext, type SecretVault } from './secret-vault.ts';

export interface MigrateSealedSecretsDeps {
  readonly secrets: SealedSecretStore;
  readonly vault: SecretVault;
}

/** What one run did; re-running is safe and finds the rest. */
export interface SealedSecretMigration {
  /** Secrets looked at. */
  readonly considered: number;
  /** Re-sealed under their account's data key. */
  readonly migrated: number;
  /** Saved, replaced or deleted by their owner while this run held them: left as they are. */
  readonly changedMeanwhile: number;
  /** Secrets that do not open (tampered, or sealed under another key): left for their owner. */
  readonly unreadable: ReadonlyArray<{ readonly accountId: string; readonly secret: string }>;
}

function contextOf(secret: StoredSealedSecret) {
  return secret.provider === undefined
    ? metrionKeyContext(secret.accountId)
    : providerKeyContext(secret.accountId, secret.provider);
}

/**
 * Re-seals every secret stored in an older sealed version (a data key per secret) under its
 * account's data key, each with a conditional write so a concurrent save always wins. Saving a
 * key migrates it too; this is for the keys nobody saves again. A KMS or store outage stops the
 * run (re-run it); a secret that does not open is reported and skipped.
 */
export async function migrateSealedSecrets(
  deps: MigrateSealedSecretsDeps,
): Promise<SealedSecretMigration> {
  let considered = 0;
  let migrated = 0;
  let changedMeanwhile = 0;
  const unreadable: Array<{ accountId: string; secret: string }> = [];
  let cursor: string | undefined;
  do {
    const page = await deps.secrets.listSealedSecrets(cursor);
    for (const secret of page.secrets) {
      considered += 1;
      if (secret.sealed.version === CURRENT_SEALED_VERSION) continue;
      const context = contextOf(secret);
      let plaintext: string;
      try {
        plaintext = await deps.vault.open(secret.sealed, context);
      } catch (error) {
        if (!(error instanceof SecretIntegrityError)) throw error;
        unreadable.push({ accountId: secret.accountId, secret: secret.provider ?? 'metrion-key' });
        continue;
      }
      const next = await deps.vault.seal(plaintext, context);
      if (await deps.secrets.replaceSealedSecret(secret, next)) migrated += 1;
      else changedMeanwhile += 1;
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  return { considered, migrated, changedMeanwhile, unreadable };
}
