// Reduces a verified Stripe event to a BillingEvent, checking the shape of every field it reads:
// a validly signed event of an unexpected shape is a malformed delivery, never a crash.
import * as z from 'zod';
import {
  type BillingEvent,
  INVOICE_EVENT_TYPES,
  SUBSCRIPTION_EVENT_TYPES,
  SUBSCRIPTION_STATUSES,
  type SubscriptionStatus,
} from '#core/billing/billing-event.ts';
import { MalformedWebhookError } from '#core/errors.ts';

/** The event types the webhook endpoint should subscribe to (Stripe dashboard or CDK). */
export const STRIPE_WEBHOOK_EVENT_TYPES = [
  'checkout.session.completed',
  ...SUBSCRIPTION_EVENT_TYPES,
  ...INVOICE_EVENT_TYPES,
] as const;

/** An expandable reference: an id, or the object with its id. */
const reference = z
  .union([z.string(), z.object({ id: z.string() }).loose()])
  .nullable()
  .optional()
  .transform((ref) =>
    ref === null || ref === undefined ? null : typeof ref === 'string' ? ref : ref.id,
  );

const accountIdOf = z
  .record(z.string(), z.unknown())
  .nullable()
  .optional()
  .transform((metadata) => {
    const accountId = metadata?.accountId;
    return typeof accountId === 'string' ? accountId : null;
  });

const envelopeSchema = z.object({
  id: z.string().min(1),
  created: z.number().int(),
  type: z.string(),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});

const checkoutSessionSchema = z.object({
  mode: z.string(),
  client_reference_id: z.string().nullable().optional(),
  metadata: accountIdOf,
  customer: reference,
  subscription: reference,
  payment_status: z.string(),
});

const subscriptionSchema = z.object({
  id: z.string().min(1),
  customer: reference,
  created: z.number().int(),
  status: z.string(),
  cancel_at_period_end: z.boolean(),
  metadata: accountIdOf,
  items: z
    .object({ data: z.array(z.object({ current_period_end: z.number() }).loose()) })
    .optional(),
});

const invoiceSchema = z.object({
  customer: reference,
  parent: z
    .object({
      subscription_details: z
        .object({ metadata: accountIdOf, subscription: reference })
        .nullable()
        .optional(),
    })
    .nullable()
    .optional(),
});

type Base = { readonly eventId: string; readonly createdEpochSeconds: number };

function subscriptionStatus(status: string): SubscriptionStatus {
  // A status this code does not know grants nothing: fail closed rather than give Pro away.
  return (SUBSCRIPTION_STATUSES as readonly string[]).includes(status)
    ? (status as SubscriptionStatus)
    : 'unpaid';
}

/** Parses `object` with `schema`, or throws MalformedWebhookError naming the event type. */
function parsed<T extends z.ZodType>(schema: T, object: unknown, type: string): z.output<T> {
  const result = schema.safeParse(object);
  if (result.success) return result.data;
  const where = result.error.issues[0]?.path.join('.') ?? '';
  throw new MalformedWebhookError(
    `The ${type} event's data.object is malformed${where === '' ? '' : ` at ${where}`}.`,
  );
}

function checkoutEvent(base: Base, object: unknown): BillingEvent {
  const type = 'checkout.session.completed';
  const { mode } = parsed(checkoutSessionSchema.pick({ mode: true }), object, type);
  if (mode !== 'subscription') {
    return { ...base, type: 'unhandled', stripeType: `${type} (mode ${mode})` };
  }
  const session = parsed(checkoutSessionSchema, object, type);
  return {
    ...base,
    type: 'checkout.session.completed',
    clientReferenceId: session.client_reference_id ?? null,
    metadataAccountId: session.metadata,
    customerId: session.customer,
    subscriptionId: session.subscription,
    paid: session.payment_status !== 'unpaid',
  };
}

function subscriptionEvent(
  base: Base,
  type: (typeof SUBSCRIPTION_EVENT_TYPES)[number],
  object: unknown,
): BillingEvent {
  const subscription = parsed(subscriptionSchema, object, type);
  // Stripe moved `current_period_end` onto subscription items (API 2025-03-31); take the latest.
  const ends = (subscription.items?.data ?? []).map((item) => item.current_period_end);
  return {
    ...base,
    type,
    metadataAccountId: subscription.metadata,
    customerId: subscription.customer ?? '',
    subscriptionId: subscription.id,
    subscriptionCreatedEpochSeconds: subscription.created,
    status: subscriptionStatus(subscription.status),
    currentPeriodEndAt: ends.length === 0 ? null : new Date(Math.max(...ends) * 1000).toISOString(),
    cancelAtPeriodEnd: subscription.cancel_at_period_end,
  };
}

function invoiceEvent(
  base: Base,
  type: (typeof INVOICE_EVENT_TYPES)[number],
  object: unknown,
): BillingEvent {
  const invoice = parsed(invoiceSchema, object, type);
  const details = invoice.parent?.subscription_details ?? null;
  return {
    ...base,
    type,
    metadataAccountId: details?.metadata ?? null,
    customerId: invoice.customer,
    subscriptionId: details === null ? null : details.subscription,
  };
}

const isOneOf = <T extends string>(list: readonly T[], value: string): value is T =>
  (list as readonly string[]).includes(value);

/**
 * Reduces a verified Stripe event (parsed JSON) to the fields billing uses.
 * @throws MalformedWebhookError when the event or a handled event's object has another shape.
 */
export function toBillingEvent(event: unknown): BillingEvent {
  const envelope = parsed(envelopeSchema, event, 'Stripe');
  const base = { eventId: envelope.id, createdEpochSeconds: envelope.created };
  const { type, data } = envelope;
  if (type === 'checkout.session.completed') return checkoutEvent(base, data.object);
  if (isOneOf(SUBSCRIPTION_EVENT_TYPES, type)) return subscriptionEvent(base, type, data.object);
  if (isOneOf(INVOICE_EVENT_TYPES, type)) return invoiceEvent(base, type, data.object);
  return { ...base, type: 'unhandled', stripeType: type };
}
