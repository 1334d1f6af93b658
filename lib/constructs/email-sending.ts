/** The SES identity (the sender's domain, in the email stack) and how to send through it. */
export interface EmailSending {
  /** The From address. */
  readonly sender: string;
  /** The sender's domain: the SES identity. */
  readonly domain: string;
  /** The configuration set every send goes through (the identity's default). */
  readonly configurationSetName: string;
}
