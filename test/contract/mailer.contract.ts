import { randomUUID } from 'node:crypto';
import { beforeEach, expect, it } from 'vitest';
import type { EmailMessage, Mailer } from '#core/ports/mailer.ts';

export interface MailerFixture {
  readonly mailer: Mailer;
  /** What reached `to`'s inbox, oldest first. */
  delivered(to: string): Promise<EmailMessage[]>;
  /** A mailer of the same kind whose service does not accept the message. */
  readonly refusing: Mailer;
}

function message(to: string, overrides: Partial<EmailMessage> = {}): EmailMessage {
  return {
    to,
    subject: '[Metrion] Alert: Monthly budget reached 100%',
    text: 'Spent 12.00 USD of 10.00 USD.\nhttps://app.example.com/?range=30d',
    html: '<p>Spent <strong>12.00 USD</strong> of 10.00 USD.</p>',
    ...overrides,
  };
}

/** The Mailer contract: what the alert evaluator and the Test action rely on. */
export function mailerContract(createFixture: () => Promise<MailerFixture>): void {
  let fixture: MailerFixture;
  let to: string;

  beforeEach(async () => {
    fixture = await createFixture();
    to = `owner-${randomUUID()}@example.com`;
  });

  it('delivers the subject, text and HTML bodies to the address', async () => {
    const sent = message(to);
    await fixture.mailer.send(sent);
    expect(await fixture.delivered(to)).toEqual([sent]);
  });

  it('keeps non-ASCII text intact', async () => {
    const sent = message(to, {
      subject: '[Metrion] Warnung: Budget « Zürich » bei 90 % — 9.00 CHF',
      text: 'Ausgaben 9.00 CHF ≥ 90 % von 10.00 CHF ✓',
      html: '<p>Ausgaben 9.00 CHF ≥ 90 % von 10.00 CHF ✓</p>',
    });
    await fixture.mailer.send(sent);
    expect(await fixture.delivered(to)).toEqual([sent]);
  });

  it('delivers each message once, to its own address only', async () => {
    const other = `other-${randomUUID()}@example.com`;
    await fixture.mailer.send(message(to, { subject: 'first' }));
    await fixture.mailer.send(message(other, { subject: 'second' }));
    await fixture.mailer.send(message(to, { subject: 'third' }));
    expect((await fixture.delivered(to)).map((m) => m.subject)).toEqual(['first', 'third']);
    expect((await fixture.delivered(other)).map((m) => m.subject)).toEqual(['second']);
  });

  it('throws when the message was not accepted, and delivers nothing', async () => {
    await expect(fixture.refusing.send(message(to))).rejects.toThrow();
    expect(await fixture.delivered(to)).toEqual([]);
  });
}
