import type { BillingEvent } from '#core/billing/billing-event.ts';
import { InvalidWebhookSignatureError } from '#core/errors.ts';
import type {
  BillingGateway,
  CreateCheckoutSessionInput,
  CreateCustomerInput,
  CreatePortalSessionInput,
} from '#core/ports/billing-gateway.ts';

/** The signature header FakeBillingGateway accepts. */
export const FAKE_VALID_SIGNATURE = 't=1,v1=fake-valid';

/**
 * BillingGateway without Stripe: customers honour the idempotency key (like Stripe), sessions
 * are recorded, and a webhook body is a BillingEvent as JSON, accepted only with
 * {@link FAKE_VALID_SIGNATURE}. Signature checking itself is covered by the Stripe adapter tests.
 */
export class FakeBillingGateway implements BillingGateway {
  readonly customersCreated: CreateCustomerInput[] = [];
  readonly checkoutSessions: CreateCheckoutSessionInput[] = [];
  readonly portalSessions: CreatePortalSessionInput[] = [];
  /** Customers whose open Checkout Sessions were expired, in call order. */
  readonly expiredCheckoutsOf: string[] = [];
  /** Subscriptions canceled with a full refund, in call order (repeats kept). */
  readonly canceledWithRefund: string[] = [];
  /** What `listOpenSubscriptions` answers, by customer (tests set it). */
  readonly openSubscriptions = new Map<string, string[]>();
  /** When set, `cancelWithFullRefund` rejects with it (Stripe unavailable). */
  cancelFailure: Error | undefined;
  /**
   * False: every `createCustomer` call makes a new customer, as when Stripe no longer remembers
   * the idempotency key; the caller's set-once write must then keep one customer.
   */
  honoursIdempotencyKeys = true;
  readonly #customersByKey = new Map<string, string>();

  async createCustomer(input: CreateCustomerInput): Promise<string> {
    const existing = this.#customersByKey.get(input.idempotencyKey);
    if (existing !== undefined && this.honoursIdempotencyKeys) return existing;
    this.customersCreated.push(input);
    const id = `cus_fake${this.customersCreated.length}`;
    this.#customersByKey.set(input.idempotencyKey, id);
    return id;
  }

  async createCheckoutSession(input: CreateCheckoutSessionInput): Promise<{ url: string }> {
    this.checkoutSessions.push(input);
    return { url: `https://checkout.example/cs_fake${this.checkoutSessions.length}` };
  }

  async createPortalSession(input: CreatePortalSessionInput): Promise<{ url: string }> {
    this.portalSessions.push(input);
    return { url: `https://billing.example/bps_fake${this.portalSessions.length}` };
  }

  async expireOpenCheckoutSessions(customerId: string): Promise<void> {
    this.expiredCheckoutsOf.push(customerId);
  }

  async listOpenSubscriptions(customerId: string): Promise<readonly string[]> {
    return [...(this.openSubscriptions.get(customerId) ?? [])];
  }

  async cancelWithFullRefund(subscriptionId: string): Promise<void> {
    if (this.cancelFailure !== undefined) throw this.cancelFailure;
    this.canceledWithRefund.push(subscriptionId);
  }

  async verifyWebhook(rawBody: string, signatureHeader: string | undefined): Promise<BillingEvent> {
    if (signatureHeader !== FAKE_VALID_SIGNATURE) {
      throw new InvalidWebhookSignatureError('The webhook signature does not match.');
    }
    return JSON.parse(rawBody) as BillingEvent;
  }
}
