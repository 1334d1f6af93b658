// Signs and POSTs webhook events the way Stripe does, and keeps each one for tests to replay.
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';

/** A webhook the stand-in sent, kept so tests can replay it byte for byte. */
export interface SentStripeEvent {
  readonly id: string;
  readonly type: string;
  /** The exact JSON body that was signed and POSTed. */
  readonly payload: string;
  /** HTTP status of the delivery, or 0 when the webhook URL could not be reached. */
  readonly deliveryStatus: number;
}

/** A fresh signing secret: nothing in the source can sign a webhook this stand-in accepts. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(24).toString('base64url')}`;

export class WebhookSender {
  /** Every webhook sent so far, in the order their deliveries finished. */
  readonly events: SentStripeEvent[] = [];
  url: string;
  readonly #secret: string;
  readonly #nowSeconds: () => number;
  #sequence = 0;

  constructor(options: { url: string; secret: string; nowSeconds: () => number }) {
    this.url = options.url;
    this.#secret = options.secret;
    this.#nowSeconds = options.nowSeconds;
  }

  /** POSTs a signed payload; the delivery's status, or 0 when the URL could not be reached. */
  async post(payload: string): Promise<number> {
    const signature = Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: this.#secret,
      timestamp: this.#nowSeconds(),
    });
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': signature },
        body: payload,
      });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 0;
    }
  }

  /** Sends one event and waits for the answer, so pages redirect after the state changed. */
  async send(type: string, object: unknown): Promise<void> {
    this.#sequence += 1;
    // Increasing ids: same-second events tie-break in the order they happened.
    const id = `evt_${String(this.#sequence).padStart(8, '0')}${randomBytes(6).toString('hex')}`;
    const payload = JSON.stringify({
      id,
      object: 'event',
      api_version: Stripe.API_VERSION,
      created: this.#nowSeconds(),
      data: { object: structuredClone(object) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    });
    const deliveryStatus = await this.post(payload);
    this.events.push({ id, type, payload, deliveryStatus });
  }

  /** POSTs an already-sent event again, freshly signed (what a Stripe retry looks like). */
  redeliver(eventId: string): Promise<number> {
    const event = this.events.find((sent) => sent.id === eventId);
    if (event === undefined) throw new Error(`No event ${eventId} was sent.`);
    return this.post(event.payload);
  }
}
