import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SesMailer } from '#adapters/ses/ses-mailer.ts';
import type { Mailer } from '#core/ports/mailer.ts';

/** How alert emails go out: SES (`region`, optional `endpoint` for aws-ses-v2-local), or a mailer. */
export type AlertMailConfig =
  | { readonly region: string; readonly endpoint?: string; readonly sender: string }
  | { readonly mailer: Mailer };

/** Builds the SES mailer (or passes a given one through). Shared with the dashboard API. */
export function alertMailer(config: AlertMailConfig): Mailer {
  if ('mailer' in config) return config.mailer;
  return new SesMailer({
    client: new SESv2Client({
      region: config.region,
      ...(config.endpoint === undefined
        ? {}
        : {
            endpoint: config.endpoint,
            // aws-ses-v2-local accepts any credentials.
            credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          }),
    }),
    from: config.sender,
  });
}
