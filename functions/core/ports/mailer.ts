/** An email with a plain text and an HTML body. */
export interface EmailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** Sends email (SES in AWS, aws-ses-v2-local locally). Throws when the message was not accepted. */
export interface Mailer {
  send(message: EmailMessage): Promise<void>;
}
