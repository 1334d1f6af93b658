/** Who is calling the dashboard API, as proven by a verified sign-in token. */
export interface SignedInUser {
  /** The identity provider's stable user id (Cognito `sub`); it is the account id. */
  readonly accountId: string;
  /** The sign-in email; becomes the account's email when the account is created. */
  readonly email: string;
}
