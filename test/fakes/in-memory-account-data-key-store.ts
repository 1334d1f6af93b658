import type { AccountDataKeyStore } from '#core/ports/account-data-key-store.ts';

/** AccountDataKeyStore fake; passes the same contract suite as the DynamoDB adapter. */
export class InMemoryAccountDataKeyStore implements AccountDataKeyStore {
  readonly #keys = new Map<string, string>();

  async getAccountDataKey(accountId: string): Promise<string | undefined> {
    return this.#keys.get(accountId);
  }

  async putAccountDataKeyIfAbsent(accountId: string, encryptedDataKey: string): Promise<string> {
    const existing = this.#keys.get(accountId);
    if (existing !== undefined) return existing;
    this.#keys.set(accountId, encryptedDataKey);
    return encryptedDataKey;
  }
}
