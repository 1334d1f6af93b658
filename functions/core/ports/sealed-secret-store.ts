import type { ProviderId } from '../providers/provider-registry.ts';
import type { SealedSecret } from '../vault/sealed-secret.ts';

/** One stored secret: a provider key, or (without `provider`) the viewable Metrion Key copy. */
export interface StoredSealedSecret {
  readonly accountId: string;
  /** Whose key it is; absent for the account's Metrion Key copy. */
  readonly provider?: ProviderId;
  readonly sealed: SealedSecret;
}

export interface SealedSecretPage {
  readonly secrets: readonly StoredSealedSecret[];
  /** Pass to the next call; absent on the last page. */
  readonly cursor?: string | undefined;
}

/** Every sealed secret of every account, for operator jobs that rewrite them (re-sealing). */
export interface SealedSecretStore {
  /** One page of stored secrets, in no particular order; every secret appears once over all pages. */
  listSealedSecrets(cursor?: string): Promise<SealedSecretPage>;

  /**
   * Replaces `secret.sealed` by `next` if the record still holds `secret.sealed` (same
   * ciphertext): a key saved or deleted meanwhile is never overwritten. Once it returns true the
   * proxy reads `next`.
   * @returns false when the record changed or is gone.
   */
  replaceSealedSecret(secret: StoredSealedSecret, next: SealedSecret): Promise<boolean>;
}
