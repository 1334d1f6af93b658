import type { EmailMessage, Mailer } from '#core/ports/mailer.ts';

/**
 * A Mailer that keeps what it accepted (in order), passing the Mailer contract suite. Tests make
 * sends fail with `failNext` (the next N throw) or slow them with `delayMs` (widens races).
 */
export class FakeMailer implements Mailer {
  readonly sent: EmailMessage[] = [];
  #failures = 0;
  readonly #delayMs: number;

  constructor(options: { readonly delayMs?: number } = {}) {
    this.#delayMs = options.delayMs ?? 0;
  }

  /** The next `count` sends throw (not accepted). */
  failNext(count = 1): void {
    this.#failures += count;
  }

  async send(message: EmailMessage): Promise<void> {
    if (this.#delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.#delayMs));
    if (this.#failures > 0) {
      this.#failures -= 1;
      throw new Error('FakeMailer: the message was not accepted.');
    }
    this.sent.push(structuredClone(message));
  }
}
