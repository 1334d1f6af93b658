import type { BillingGateway } from '../ports/billing-gateway.ts';
import type { BillingStore } from '../ports/billing-store.ts';
import type { Clock } from '../ports/clock.ts';
import {
  type AppliableBillingEvent,
  applyBillingEvent,
  billingEventTarget,
  checkEventCustomer,
  type IgnoredReason,
} from './apply-billing-event.ts';
import { type BillingState, duplicateSubscriptions, planFromBilling } from './billing-state.ts';

/** How a verified webhook was handled; every outcome is a 200 for Stripe. */
export type WebhookOutcome =
  | {
      readonly outcome: 'applied' | 'unchanged';
      readonly eventId: string;
      readonly accountId: string;
      /** Second subscriptions canceled and refunded while handling this delivery. */
      readonly canceledDuplicates: readonly string[];
    }
  | { readonly outcome: 'duplicate'; readonly eventId: string }
  | { readonly outcome: 'ignored'; readonly eventId: string; readonly reason: IgnoredReason };

/** Optimistic-write attempts before giving up (then Stripe redelivers later). */
const SAVE_ATTEMPTS = 5;

/** Thrown when concurrent writers kept winning; a 5xx, so Stripe retries the delivery. */
export class BillingWriteContentionError extends Error {
  constructor() {
    super('The billing state kept changing during the update; the delivery should be retried.');
    this.name = 'BillingWriteContentionError';
  }
}

export interface WebhookDeliveryDeps {
  readonly billingRecords: BillingStore;
  readonly gateway: BillingGateway;
  readonly clock: Clock;
  /** How long a processed event id is remembered. */
  readonly processedEventTtlSeconds: number;
}

type Saved =
  | { readonly saved: BillingState; readonly changed: boolean }
  | { readonly ignored: IgnoredReason };

/**
 * Reads, applies and saves with an optimistic version check, retried on contention. Saved even
 * when unchanged: the save also refreshes what the proxy reads, which a crash after an earlier
 * delivery's save may have left stale (Stripe then retries).
 * @throws BillingWriteContentionError when every attempt lost.
 */
async function saveApplied(
  deps: WebhookDeliveryDeps,
  accountId: string,
  event: AppliableBillingEvent,
): Promise<Saved> {
  for (let attempt = 1; attempt <= SAVE_ATTEMPTS; attempt += 1) {
    const record = await deps.billingRecords.getBillingRecord(accountId);
    if (record === undefined) return { ignored: 'unknown_account' };
    const mismatch = checkEventCustomer(event, record.billing.stripeCustomerId);
    if (mismatch !== undefined) return { ignored: mismatch };
    const next = applyBillingEvent(record.billing, event);
    const plan = planFromBilling(next, deps.clock.nowMs());
    if (
      await deps.billingRecords.saveBillingState(accountId, { billing: next, plan }, record.version)
    ) {
      return { saved: next, changed: next !== record.billing };
    }
  }
  throw new BillingWriteContentionError();
}

/**
 * Verifies, deduplicates and applies one Stripe webhook delivery.
 * 1. signature check (nothing is read or written before it passes);
 * 2. the one account the event names ({@link billingEventTarget}), cross-checked with its stored
 *    customer; 3. skip if the event id was processed; 4. apply the pure state machine and save
 *    ({@link saveApplied}); 5. cancel and refund every second live subscription the saved state
 *    shows ({@link duplicateSubscriptions}); 6. record the id.
 * The id is recorded only after 4 and 5 succeeded, so a delivery that failed is never skipped
 * as processed; a crash between them only means a redelivery does them again, which the state
 * machine and the idempotent cancellation make harmless.
 * @throws InvalidWebhookSignatureError (→ 400); store errors, BillingUnavailableError and
 * BillingWriteContentionError (→ 5xx, so Stripe retries).
 */
export async function handleWebhookDelivery(
  deps: WebhookDeliveryDeps,
  rawBody: string,
  signatureHeader: string | undefined,
): Promise<WebhookOutcome> {
  const event = await deps.gateway.verifyWebhook(rawBody, signatureHeader);
  const { eventId } = event;
  const target = billingEventTarget(event);
  if ('ignored' in target) return { outcome: 'ignored', eventId, reason: target.ignored };
  if (await deps.billingRecords.isBillingEventProcessed(eventId, deps.clock.nowMs())) {
    return { outcome: 'duplicate', eventId };
  }
  const result = await saveApplied(deps, target.accountId, target.event);
  if ('ignored' in result) return { outcome: 'ignored', eventId, reason: result.ignored };
  const canceledDuplicates = duplicateSubscriptions(result.saved);
  for (const subscriptionId of canceledDuplicates) {
    await deps.gateway.cancelWithFullRefund(subscriptionId);
  }
  const nowMs = deps.clock.nowMs();
  const expiresAtEpochSeconds = Math.floor(nowMs / 1000) + deps.processedEventTtlSeconds;
  await deps.billingRecords.recordBillingEventProcessed(eventId, nowMs, expiresAtEpochSeconds);
  return {
    outcome: result.changed ? 'applied' : 'unchanged',
    eventId,
    accountId: target.accountId,
    canceledDuplicates,
  };
}
