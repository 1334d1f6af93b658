import { createServer } from 'node:net';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe } from 'vitest';
import { SesMailer } from '#adapters/ses/ses-mailer.ts';
import type { EmailMessage } from '#core/ports/mailer.ts';
import { type RunningSesLocal, startSesLocal } from '#local/stand-ins.ts';
import { FakeMailer } from '../fakes/fake-mailer.ts';
import { mailerContract } from './mailer.contract.ts';

describe('FakeMailer', () => {
  mailerContract(async () => {
    const mailer = new FakeMailer();
    const refusing = new FakeMailer();
    refusing.failNext();
    return {
      mailer,
      refusing,
      delivered: async (to) => mailer.sent.filter((message) => message.to === to),
    };
  });
});

/** A localhost port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function sesMailer(endpoint: string): SesMailer {
  return new SesMailer({
    client: new SESv2Client({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    }),
    from: 'Metrion <alerts@example.com>',
  });
}

interface StoredEmail {
  readonly subject: string;
  readonly destination: { readonly to: readonly string[] };
  readonly body: { readonly text?: string; readonly html?: string };
}

describe('SesMailer on aws-ses-v2-local', () => {
  let ses: RunningSesLocal;
  let refusingEndpoint: string;
  beforeAll(async () => {
    ses = await startSesLocal();
    refusingEndpoint = `http://127.0.0.1:${await closedPort()}`;
  });
  afterAll(async () => {
    await ses.close();
  });

  mailerContract(async () => ({
    mailer: sesMailer(ses.endpoint),
    refusing: sesMailer(refusingEndpoint),
    delivered: async (to) => {
      const store = (await (await fetch(`${ses.endpoint}/store`)).json()) as {
        emails: StoredEmail[];
      };
      return store.emails
        .filter((email) => email.destination.to.includes(to))
        .map(
          (email): EmailMessage => ({
            to,
            subject: email.subject,
            text: email.body.text ?? '',
            html: email.body.html ?? '',
          }),
        );
    },
  }));
});
