/** An email address's claim: the account it belongs to, and since when. */
export interface EmailClaim {
  readonly accountId: string;
  /** ISO instant of the claim. */
  readonly claimedAt: string;
}

/**
 * One account per email address: an address (compared case-insensitively, surrounding spaces
 * ignored) names the account that claimed it first. Every read is strongly consistent.
 */
export interface AccountEmailIndex {
  /**
   * Claims `email` for `accountId` unless another account holds it (a conditional write; the
   * holder claiming again keeps its claim). Returns the claim that holds the address afterwards.
   */
  claimEmail(email: string, accountId: string, claimedAt: string): Promise<EmailClaim>;

  /** The claim on `email`, or undefined. */
  findEmail(email: string): Promise<EmailClaim | undefined>;

  /** Removes the claim if it names `accountId`; returns whether it did. */
  releaseEmail(email: string, accountId: string): Promise<boolean>;
}
