// Mailer on SES (SESv2 SendEmail): AWS in the cloud, aws-ses-v2-local in local mode.
import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { EmailMessage, Mailer } from '#core/ports/mailer.ts';

export interface SesMailerOptions {
  readonly client: SESv2Client;
  /** The verified sender (`alerts@example.com`, or `Metrion <alerts@example.com>`). */
  readonly from: string;
}

/** {@link Mailer} over SESv2 `SendEmail` with a simple text + HTML message. */
export class SesMailer implements Mailer {
  readonly #client: SESv2Client;
  readonly #from: string;

  constructor(options: SesMailerOptions) {
    this.#client = options.client;
    this.#from = options.from;
  }

  async send(message: EmailMessage): Promise<void> {
    await this.#client.send(
      new SendEmailCommand({
        FromEmailAddress: this.#from,
        Destination: { ToAddresses: [message.to] },
        Content: {
          Simple: {
            Subject: { Data: message.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: message.text, Charset: 'UTF-8' },
              Html: { Data: message.html, Charset: 'UTF-8' },
            },
          },
        },
      }),
    );
  }
}
