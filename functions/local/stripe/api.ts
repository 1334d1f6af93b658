// The stand-in's Stripe API: the calls StripeBillingGateway makes (form-encoded, as the `stripe`
// SDK sends them), answered with JSON shaped like Stripe's objects, plus the list calls tests use
// to see what Stripe would bill.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Params, parseForm, record, str } from './form.ts';
import { type ApiAnswer, readBody, sendJson, stripeError } from './http.ts';
import { endSubscription, type StandIn } from './lifecycle.ts';
import {
  type CheckoutSessionRecord,
  listOf,
  newId,
  type PortalSessionObject,
  type StripeCustomerObject,
} from './objects.ts';

/** What one API call sees: its path parameter, query and form parameters. */
interface ApiCall {
  readonly id: string;
  readonly query: URLSearchParams;
  readonly params: Params;
}

type ApiAction = (standIn: StandIn, call: ApiCall) => ApiAnswer | Promise<ApiAnswer>;

const ok = (body: unknown): ApiAnswer => ({ status: 200, body });

function createCustomer({ store }: StandIn, { params }: ApiCall): ApiAnswer {
  const customer: StripeCustomerObject = {
    id: newId('cus'),
    object: 'customer',
    email: str(params.email),
    metadata: record(params.metadata),
    created: store.nowSeconds(),
    livemode: false,
  };
  store.customers.set(customer.id, customer);
  return ok(customer);
}

function createCheckoutSession({ store }: StandIn, { params }: ApiCall, baseUrl: string) {
  const customer = str(params.customer);
  if (customer !== null && !store.customers.has(customer)) {
    return stripeError(400, `No such customer: '${customer}'`);
  }
  const lineItems = typeof params.line_items === 'object' ? params.line_items : {};
  const firstItem = lineItems['0'];
  const id = newId('cs_test');
  const entry: CheckoutSessionRecord = {
    session: {
      id,
      object: 'checkout.session',
      mode: str(params.mode) ?? 'payment',
      customer,
      client_reference_id: str(params.client_reference_id),
      metadata: record(params.metadata),
      subscription: null,
      status: 'open',
      payment_status: 'unpaid',
      success_url: str(params.success_url) ?? '',
      cancel_url: str(params.cancel_url),
      url: `${baseUrl}/checkout/${id}`,
      created: store.nowSeconds(),
      livemode: false,
    },
    subscriptionMetadata: record(
      typeof params.subscription_data === 'object' ? params.subscription_data.metadata : undefined,
    ),
    priceId: typeof firstItem === 'object' ? (str(firstItem.price) ?? '') : '',
  };
  store.checkoutSessions.set(id, entry);
  return ok(entry.session);
}

function listCheckoutSessions({ store }: StandIn, { query }: ApiCall): ApiAnswer {
  const sessions = [...store.checkoutSessions.values()]
    .map((entry) => entry.session)
    .filter(
      (session) =>
        (!query.has('customer') || session.customer === query.get('customer')) &&
        (!query.has('status') || session.status === query.get('status')),
    );
  return ok(listOf('/v1/checkout/sessions', sessions));
}

/** Stripe expires only open sessions; a paid one answers 400 and stays complete. */
async function expireCheckoutSession(standIn: StandIn, { id }: ApiCall): Promise<ApiAnswer> {
  const session = standIn.store.checkoutSessions.get(id)?.session;
  if (session === undefined) return stripeError(404, `No such checkout.session: '${id}'`);
  if (session.status !== 'open') {
    return stripeError(400, `Only Checkout Sessions with a status in ["open"] can be expired.`);
  }
  session.status = 'expired';
  session.url = null;
  await standIn.webhooks.send('checkout.session.expired', session);
  return ok(session);
}

function createPortalSession({ store }: StandIn, { params }: ApiCall, baseUrl: string) {
  const customer = str(params.customer);
  if (customer === null || !store.customers.has(customer)) {
    return stripeError(400, `No such customer: '${customer}'`);
  }
  const id = newId('bps');
  const session: PortalSessionObject = {
    id,
    object: 'billing_portal.session',
    customer,
    return_url: str(params.return_url),
    url: `${baseUrl}/portal/${id}`,
    created: store.nowSeconds(),
    livemode: false,
  };
  store.portalSessions.set(id, session);
  return ok(session);
}

function getSubscription({ store }: StandIn, { id }: ApiCall): ApiAnswer {
  const subscription = store.subscriptions.get(id);
  return subscription === undefined
    ? stripeError(404, `No such subscription: '${id}'`, 'resource_missing')
    : ok(subscription);
}

const ENDED = new Set(['canceled', 'incomplete_expired']);

/** Stripe's `status` filter: none = every subscription not canceled; `all`; `ended`; or one. */
function statusMatches(status: string, filter: string | null): boolean {
  if (filter === null) return status !== 'canceled';
  if (filter === 'all') return true;
  if (filter === 'ended') return ENDED.has(status);
  return status === filter;
}

function listSubscriptions({ store }: StandIn, { query }: ApiCall): ApiAnswer {
  const subscriptions = [...store.subscriptions.values()].filter(
    (subscription) =>
      (!query.has('customer') || subscription.customer === query.get('customer')) &&
      statusMatches(subscription.status, query.get('status')),
  );
  return ok(listOf('/v1/subscriptions', subscriptions));
}

/** `DELETE /v1/subscriptions/{id}`: canceled now (`customer.subscription.deleted`). */
async function cancelSubscription(standIn: StandIn, { id }: ApiCall): Promise<ApiAnswer> {
  const subscription = standIn.store.subscriptions.get(id);
  if (subscription === undefined) return stripeError(404, `No such subscription: '${id}'`);
  if (subscription.status === 'canceled') {
    return stripeError(400, `The subscription ${id} is already canceled.`);
  }
  await endSubscription(standIn, subscription);
  return ok(subscription);
}

function listInvoices({ store }: StandIn, { query }: ApiCall): ApiAnswer {
  const invoices = [...store.invoices.values()].filter(
    (invoice) =>
      (!query.has('subscription') ||
        invoice.parent.subscription_details.subscription === query.get('subscription')) &&
      (!query.has('status') || invoice.status === query.get('status')),
  );
  return ok(listOf('/v1/invoices', invoices));
}

function listInvoicePayments({ store }: StandIn, { query }: ApiCall): ApiAnswer {
  const payments = [...store.invoicePayments.values()].filter(
    (payment) =>
      (!query.has('invoice') || payment.invoice === query.get('invoice')) &&
      (!query.has('status') || payment.status === query.get('status')),
  );
  return ok(listOf('/v1/invoice_payments', payments));
}

/** A refund of what is left of the payment intent (all of it unless `amount` is given). */
function createRefund({ store }: StandIn, { params }: ApiCall): ApiAnswer {
  const paymentIntent = str(params.payment_intent);
  if (paymentIntent === null) return stripeError(400, 'Missing payment_intent.');
  const refundable = store.refundableCents(paymentIntent);
  if (refundable <= 0) {
    return stripeError(
      400,
      `Charge for ${paymentIntent} has already been refunded.`,
      'charge_already_refunded',
    );
  }
  const amount = Math.min(Number(str(params.amount) ?? refundable), refundable);
  const refund = {
    id: newId('re'),
    object: 'refund',
    payment_intent: paymentIntent,
    amount,
    currency: 'usd',
    status: 'succeeded',
    created: store.nowSeconds(),
  } as const;
  store.refunds.set(refund.id, refund);
  return ok(refund);
}

function listRefunds({ store }: StandIn, { query }: ApiCall): ApiAnswer {
  const refunds = [...store.refunds.values()].filter(
    (refund) =>
      !query.has('payment_intent') || refund.payment_intent === query.get('payment_intent'),
  );
  return ok(listOf('/v1/refunds', refunds));
}

/** `METHOD /v1/path` with `{id}` for one path segment. */
function routes(baseUrl: () => string): Record<string, ApiAction> {
  return {
    'POST /v1/customers': createCustomer,
    'POST /v1/checkout/sessions': (standIn, call) =>
      createCheckoutSession(standIn, call, baseUrl()),
    'GET /v1/checkout/sessions': listCheckoutSessions,
    'POST /v1/checkout/sessions/{id}/expire': expireCheckoutSession,
    'POST /v1/billing_portal/sessions': (standIn, call) =>
      createPortalSession(standIn, call, baseUrl()),
    'GET /v1/subscriptions': listSubscriptions,
    'GET /v1/subscriptions/{id}': getSubscription,
    'DELETE /v1/subscriptions/{id}': cancelSubscription,
    'GET /v1/invoices': listInvoices,
    'GET /v1/invoice_payments': listInvoicePayments,
    'POST /v1/refunds': createRefund,
    'GET /v1/refunds': listRefunds,
  };
}

/** The route key of a request (`POST /v1/checkout/sessions/{id}/expire`) and its id. */
function routeKey(method: string, path: string): { key: string; id: string } {
  const segments = path.split('/');
  // Ids are the segments that start like Stripe ids: `cs_test_…`, `sub_…`.
  const index = segments.findIndex((segment, at) => at > 2 && /^[a-z]+_/.test(segment));
  if (index === -1) return { key: `${method} ${path}`, id: '' };
  const id = decodeURIComponent(segments[index] ?? '');
  segments[index] = '{id}';
  return { key: `${method} ${segments.join('/')}`, id };
}

/**
 * Serves `/v1/*`. A repeated `Idempotency-Key` on a POST replays the first answer, as Stripe
 * does (concurrent checkouts share one customer through it).
 */
export function createApiHandler(standIn: StandIn, baseUrl: () => string) {
  const table = routes(baseUrl);
  return async (request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> => {
    const method = request.method ?? 'GET';
    const { key, id } = routeKey(method, url.pathname);
    const action = table[key];
    if (action === undefined) {
      return sendJson(
        response,
        stripeError(404, `Unrecognized request URL (${method} ${url.pathname})`),
      );
    }
    const body = await readBody(request);
    const call: ApiCall = { id, query: url.searchParams, params: parseForm(body) };
    const header = request.headers['idempotency-key'];
    const idempotencyKey = typeof header === 'string' ? `${key} ${id} ${header}` : undefined;
    const replay =
      idempotencyKey === undefined
        ? undefined
        : standIn.store.idempotentAnswers.get(idempotencyKey);
    const answer = replay ?? (await action(standIn, call));
    if (idempotencyKey !== undefined) standIn.store.idempotentAnswers.set(idempotencyKey, answer);
    return sendJson(response, answer);
  };
}
