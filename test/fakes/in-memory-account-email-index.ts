import type { AccountEmailIndex, EmailClaim } from '#core/ports/account-email-index.ts';

const normalized = (email: string) => email.trim().toLowerCase();

/** AccountEmailIndex in memory, passing the same contract suite as DynamoAccountEmailIndex. */
export class InMemoryAccountEmailIndex implements AccountEmailIndex {
  readonly #claims = new Map<string, EmailClaim>();

  async claimEmail(email: string, accountId: string, claimedAt: string): Promise<EmailClaim> {
    const holder = this.#claims.get(normalized(email));
    if (holder !== undefined && holder.accountId !== accountId) return holder;
    const claim = { accountId, claimedAt };
    this.#claims.set(normalized(email), claim);
    return claim;
  }

  async findEmail(email: string): Promise<EmailClaim | undefined> {
    return this.#claims.get(normalized(email));
  }

  async releaseEmail(email: string, accountId: string): Promise<boolean> {
    if (this.#claims.get(normalized(email))?.accountId !== accountId) return false;
    return this.#claims.delete(normalized(email));
  }
}
