// Local stand-in for Stripe (never bundled into a Lambda): a node:http server answering the API
// calls StripeBillingGateway makes (form-encoded, as the `stripe` SDK sends them, answered with
// JSON shaped like Stripe's objects), plus two plain HTML pages standing in for hosted Checkout
// and the billing portal. Completing them delivers signed webhooks, like Stripe does.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

export interface StartStripeStandInOptions {
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Where webhooks are POSTed (the `stripe-webhook` route); change later with `setWebhookUrl`. */
  readonly webhookUrl: string;
  /** Signing secret shared with the webhook handler (`whsec_…`). */
  readonly webhookSecret: string;
  /** Origin the browser uses for the Checkout and portal pages. @default - the server's own URL */
  readonly publicBaseUrl?: string;
  /** Time source for `created` and periods (ms). @default Date.now */
  readonly nowMs?: () => number;
}

/** A webhook the stand-in sent, kept so tests can replay it byte for byte. */
export interface SentStripeEvent {
  readonly id: string;
  readonly type: string;
  /** The exact JSON body that was signed and POSTed. */
  readonly payload: string;
  /** HTTP status of the delivery, or 0 when the webhook URL could not be reached. */
  readonly deliveryStatus: number;
}

export interface RunningStripeStandIn {
  /** `http://host:port`: the API base. */
  readonly url: string;
  /** For `new Stripe(key, { host, port, protocol: 'http' })`. */
  readonly host: string;
  readonly port: number;
  /** Every webhook sent so far, oldest first. */
  readonly events: readonly SentStripeEvent[];
  setWebhookUrl(url: string): void;
  /** The subscription as the API would return it, or undefined. */
  getSubscription(subscriptionId: string): StripeSubscriptionObject | undefined;
  /**
   * Moves a subscription to `status` (e.g. `past_due` after a failed renewal) and sends
   * `customer.subscription.updated`, preceded by `invoice.payment_failed` for `past_due` and
   * followed by `invoice.paid` when it returns to `active`.
   */
  setSubscriptionStatus(subscriptionId: string, status: string): Promise<void>;
  /** Ends a subscription now (as at the end of a canceled period): `customer.subscription.deleted`. */
  deleteSubscription(subscriptionId: string): Promise<void>;
  /** POSTs an already-sent event again, freshly signed (what a Stripe retry looks like). */
  redeliver(eventId: string): Promise<number>;
  stop(): Promise<void>;
}

type Params = { [key: string]: string | Params };

interface StripeCustomerObject {
  id: string;
  object: 'customer';
  email: string | null;
  metadata: Record<string, string>;
  created: number;
  livemode: false;
}

interface CheckoutSessionObject {
  id: string;
  object: 'checkout.session';
  mode: string;
  customer: string | null;
  client_reference_id: string | null;
  metadata: Record<string, string>;
  subscription: string | null;
  status: 'open' | 'complete';
  payment_status: 'paid' | 'unpaid';
  success_url: string;
  cancel_url: string | null;
  url: string | null;
  created: number;
  livemode: false;
  /** Not part of Stripe's object; kept to build the subscription. */
  subscriptionMetadata: Record<string, string>;
  priceId: string;
}

export interface StripeSubscriptionObject {
  id: string;
  object: 'subscription';
  customer: string;
  status: string;
  cancel_at_period_end: boolean;
  cancel_at: number | null;
  canceled_at: number | null;
  ended_at: number | null;
  created: number;
  metadata: Record<string, string>;
  items: {
    object: 'list';
    data: {
      id: string;
      object: 'subscription_item';
      price: { id: string; object: 'price' };
      quantity: number;
      current_period_start: number;
      current_period_end: number;
      subscription: string;
    }[];
    has_more: false;
    url: string;
  };
  livemode: false;
}

interface PortalSessionObject {
  id: string;
  object: 'billing_portal.session';
  customer: string;
  return_url: string | null;
  url: string;
  created: number;
  livemode: false;
}

const PERIOD_SECONDS = 30 * 86_400;

const newId = (prefix: string): string => `${prefix}_${randomBytes(12).toString('hex')}`;

/** `a[b][0][c]=v` form fields into nested objects (arrays stay objects keyed by index). */
function parseForm(body: string): Params {
  const root: Params = {};
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const path = rawKey.split(/\[|\]\[|\]/).filter((part) => part !== '');
    let node = root;
    path.forEach((part, index) => {
      if (index === path.length - 1) {
        node[part] = value;
      } else {
        const existing = node[part];
        const child: Params = typeof existing === 'object' ? existing : {};
        node[part] = child;
        node = child;
      }
    });
  }
  return root;
}

const str = (value: Params[string] | undefined): string | null =>
  typeof value === 'string' ? value : null;

const record = (value: Params[string] | undefined): Record<string, string> =>
  typeof value === 'object'
    ? Object.fromEntries(
        Object.entries(value).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string',
        ),
      )
    : {};

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'request-id': newId('req'),
  });
  response.end(JSON.stringify(body));
}

function stripeError(response: ServerResponse, status: number, message: string): void {
  sendJson(response, status, { error: { type: 'invalid_request_error', message } });
}

function sendHtml(response: ServerResponse, html: string): void {
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  response.end(html);
}

function redirect(response: ServerResponse, location: string): void {
  response.writeHead(303, { location });
  response.end();
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

/** Starts the stand-in on `host:port` (a free port by default). */
export async function startStripeStandIn(
  options: StartStripeStandInOptions,
): Promise<RunningStripeStandIn> {
  const host = options.host ?? '127.0.0.1';
  const nowSeconds = () => Math.floor((options.nowMs ?? Date.now)() / 1000);
  let webhookUrl = options.webhookUrl;
  let publicBaseUrl = options.publicBaseUrl ?? '';

  const customers = new Map<string, StripeCustomerObject>();
  const checkoutSessions = new Map<string, CheckoutSessionObject>();
  const subscriptions = new Map<string, StripeSubscriptionObject>();
  const portalSessions = new Map<string, PortalSessionObject>();
  const idempotentAnswers = new Map<string, { status: number; body: unknown }>();
  const events: SentStripeEvent[] = [];
  let eventSequence = 0;

  async function post(payload: string): Promise<number> {
    const signature = Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: options.webhookSecret,
      timestamp: nowSeconds(),
    });
    try {
      const response = await fetch(webhookUrl, {
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
  async function sendEvent(type: string, object: unknown): Promise<void> {
    eventSequence += 1;
    // Increasing ids: same-second events tie-break in the order they happened.
    const id = `evt_${String(eventSequence).padStart(8, '0')}${randomBytes(6).toString('hex')}`;
    const payload = JSON.stringify({
      id,
      object: 'event',
      api_version: Stripe.API_VERSION,
      created: nowSeconds(),
      data: { object: structuredClone(object) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    });
    const deliveryStatus = await post(payload);
    events.push({ id, type, payload, deliveryStatus });
  }

  function invoiceFor(subscription: StripeSubscriptionObject, status: 'paid' | 'open') {
    return {
      id: newId('in'),
      object: 'invoice',
      customer: subscription.customer,
      status,
      created: nowSeconds(),
      parent: {
        type: 'subscription_details',
        quote_details: null,
        subscription_details: { metadata: subscription.metadata, subscription: subscription.id },
      },
      livemode: false,
    };
  }

  function createSubscription(session: CheckoutSessionObject): StripeSubscriptionObject {
    const id = newId('sub');
    const start = nowSeconds();
    const subscription: StripeSubscriptionObject = {
      id,
      object: 'subscription',
      customer: session.customer ?? '',
      status: 'active',
      cancel_at_period_end: false,
      cancel_at: null,
      canceled_at: null,
      ended_at: null,
      created: start,
      metadata: session.subscriptionMetadata,
      items: {
        object: 'list',
        data: [
          {
            id: newId('si'),
            object: 'subscription_item',
            price: { id: session.priceId, object: 'price' },
            quantity: 1,
            current_period_start: start,
            current_period_end: start + PERIOD_SECONDS,
            subscription: id,
          },
        ],
        has_more: false,
        url: `/v1/subscription_items?subscription=${id}`,
      },
      livemode: false,
    };
    subscriptions.set(id, subscription);
    return subscription;
  }

  async function endSubscription(subscription: StripeSubscriptionObject): Promise<void> {
    subscription.status = 'canceled';
    subscription.ended_at = nowSeconds();
    subscription.canceled_at ??= nowSeconds();
    await sendEvent('customer.subscription.deleted', subscription);
  }

  function requireSubscription(subscriptionId: string): StripeSubscriptionObject {
    const subscription = subscriptions.get(subscriptionId);
    if (subscription === undefined) throw new Error(`No subscription ${subscriptionId}.`);
    return subscription;
  }

  // --- API (what StripeBillingGateway calls) -------------------------------------------------

  function createCustomer(params: Params): { status: number; body: unknown } {
    const customer: StripeCustomerObject = {
      id: newId('cus'),
      object: 'customer',
      email: str(params.email),
      metadata: record(params.metadata),
      created: nowSeconds(),
      livemode: false,
    };
    customers.set(customer.id, customer);
    return { status: 200, body: customer };
  }

  function createCheckoutSession(params: Params): { status: number; body: unknown } {
    const customer = str(params.customer);
    if (customer !== null && !customers.has(customer)) {
      return { status: 400, body: { error: { message: `No such customer: '${customer}'` } } };
    }
    const lineItems = typeof params.line_items === 'object' ? params.line_items : {};
    const firstItem = lineItems['0'];
    const id = newId('cs_test');
    const session: CheckoutSessionObject = {
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
      url: `${publicBaseUrl}/checkout/${id}`,
      created: nowSeconds(),
      livemode: false,
      subscriptionMetadata: record(
        typeof params.subscription_data === 'object'
          ? params.subscription_data.metadata
          : undefined,
      ),
      priceId: typeof firstItem === 'object' ? (str(firstItem.price) ?? '') : '',
    };
    checkoutSessions.set(id, session);
    return { status: 200, body: publicSession(session) };
  }

  function publicSession(
    session: CheckoutSessionObject,
  ): Omit<CheckoutSessionObject, 'subscriptionMetadata' | 'priceId'> {
    const { subscriptionMetadata: _metadata, priceId: _price, ...rest } = session;
    return rest;
  }

  function createPortalSession(params: Params): { status: number; body: unknown } {
    const customer = str(params.customer);
    if (customer === null || !customers.has(customer)) {
      return { status: 400, body: { error: { message: `No such customer: '${customer}'` } } };
    }
    const id = newId('bps');
    const session: PortalSessionObject = {
      id,
      object: 'billing_portal.session',
      customer,
      return_url: str(params.return_url),
      url: `${publicBaseUrl}/portal/${id}`,
      created: nowSeconds(),
      livemode: false,
    };
    portalSessions.set(id, session);
    return { status: 200, body: session };
  }

  async function handleApi(request: IncomingMessage, response: ServerResponse, path: string) {
    const method = request.method ?? 'GET';
    const subscriptionMatch = /^\/v1\/subscriptions\/([^/]+)$/.exec(path);
    if (method === 'GET' && subscriptionMatch !== null) {
      const subscription = subscriptions.get(decodeURIComponent(subscriptionMatch[1] ?? ''));
      if (subscription === undefined) return stripeError(response, 404, 'No such subscription');
      return sendJson(response, 200, subscription);
    }
    if (method !== 'POST') return stripeError(response, 404, `Unrecognized request URL (${path})`);
    const routes: Record<string, (params: Params) => { status: number; body: unknown }> = {
      '/v1/customers': createCustomer,
      '/v1/checkout/sessions': createCheckoutSession,
      '/v1/billing_portal/sessions': createPortalSession,
    };
    const route = routes[path];
    if (route === undefined)
      return stripeError(response, 404, `Unrecognized request URL (${path})`);
    const params = parseForm(await readBody(request));
    const key = request.headers['idempotency-key'];
    const idempotencyKey = typeof key === 'string' ? `${path} ${key}` : undefined;
    const answer =
      (idempotencyKey === undefined ? undefined : idempotentAnswers.get(idempotencyKey)) ??
      route(params);
    if (idempotencyKey !== undefined) idempotentAnswers.set(idempotencyKey, answer);
    return sendJson(response, answer.status, answer.body);
  }

  // --- Pages (what the browser sees) ---------------------------------------------------------

  async function handleCheckoutPage(
    request: IncomingMessage,
    response: ServerResponse,
    sessionId: string,
  ) {
    const session = checkoutSessions.get(sessionId);
    if (session === undefined) return stripeError(response, 404, 'No such checkout session');
    if (request.method === 'POST') {
      await readBody(request);
      if (session.status === 'open') {
        const subscription = createSubscription(session);
        session.status = 'complete';
        session.payment_status = 'paid';
        session.subscription = subscription.id;
        await sendEvent('checkout.session.completed', publicSession(session));
        await sendEvent('customer.subscription.created', subscription);
        await sendEvent('invoice.paid', invoiceFor(subscription, 'paid'));
      }
      return redirect(response, session.success_url);
    }
    const cancel =
      session.cancel_url === null
        ? ''
        : `<p><a href="${escapeHtml(session.cancel_url)}">Back</a></p>`;
    return sendHtml(
      response,
      page(
        'Metrion Pro (local Stripe Checkout)',
        `<p>Subscribe to Metrion Pro. This is the local stand-in: no card is charged.</p>
<form method="post" action="/checkout/${escapeHtml(session.id)}"><button type="submit">Subscribe</button></form>${cancel}`,
      ),
    );
  }

  async function handlePortalPage(
    request: IncomingMessage,
    response: ServerResponse,
    sessionId: string,
  ) {
    const session = portalSessions.get(sessionId);
    if (session === undefined) return stripeError(response, 404, 'No such portal session');
    const owned = [...subscriptions.values()].filter(
      (subscription) =>
        subscription.customer === session.customer && subscription.status !== 'canceled',
    );
    if (request.method === 'POST') {
      const action = new URLSearchParams(await readBody(request)).get('action');
      for (const subscription of owned) {
        if (action === 'cancel' && !subscription.cancel_at_period_end) {
          subscription.cancel_at_period_end = true;
          subscription.cancel_at = subscription.items.data[0]?.current_period_end ?? null;
          subscription.canceled_at = nowSeconds();
          await sendEvent('customer.subscription.updated', subscription);
        } else if (action === 'resume' && subscription.cancel_at_period_end) {
          subscription.cancel_at_period_end = false;
          subscription.cancel_at = null;
          subscription.canceled_at = null;
          await sendEvent('customer.subscription.updated', subscription);
        } else if (action === 'cancel_now') {
          await endSubscription(subscription);
        }
      }
      return redirect(response, session.return_url ?? publicBaseUrl);
    }
    const form = (action: string, label: string) =>
      `<form method="post" action="/portal/${escapeHtml(session.id)}"><input type="hidden" name="action" value="${action}"><button type="submit">${label}</button></form>`;
    const rows = owned
      .map((subscription) => {
        const end = subscription.items.data[0]?.current_period_end ?? 0;
        const until = new Date(end * 1000).toISOString().slice(0, 10);
        const state = subscription.cancel_at_period_end
          ? `Pro, ends on ${until}`
          : `Pro (${subscription.status}), renews on ${until}`;
        const actions = subscription.cancel_at_period_end
          ? form('resume', 'Renew plan')
          : form('cancel', 'Cancel plan');
        return `<p>${escapeHtml(state)}</p>${actions}${form('cancel_now', 'Cancel now')}`;
      })
      .join('');
    const back =
      session.return_url === null
        ? ''
        : `<p><a href="${escapeHtml(session.return_url)}">Return to Metrion</a></p>`;
    return sendHtml(
      response,
      page(
        'Billing (local Stripe portal)',
        `${rows === '' ? '<p>No active subscription.</p>' : rows}${back}`,
      ),
    );
  }

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://stand-in').pathname;
    const checkout = /^\/checkout\/([^/]+)$/.exec(path);
    const portal = /^\/portal\/([^/]+)$/.exec(path);
    const handled = path.startsWith('/v1/')
      ? handleApi(request, response, path)
      : checkout !== null
        ? handleCheckoutPage(request, response, decodeURIComponent(checkout[1] ?? ''))
        : portal !== null
          ? handlePortalPage(request, response, decodeURIComponent(portal[1] ?? ''))
          : Promise.resolve(stripeError(response, 404, 'Not found'));
    handled.catch((error: unknown) => {
      if (!response.headersSent) {
        stripeError(response, 500, error instanceof Error ? error.message : 'stand-in failure');
      } else {
        response.destroy();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;
  if (publicBaseUrl === '') publicBaseUrl = url;

  return {
    url,
    host,
    port,
    events,
    setWebhookUrl(next: string) {
      webhookUrl = next;
    },
    getSubscription(subscriptionId: string) {
      const subscription = subscriptions.get(subscriptionId);
      return subscription === undefined ? undefined : structuredClone(subscription);
    },
    async setSubscriptionStatus(subscriptionId: string, status: string) {
      const subscription = requireSubscription(subscriptionId);
      const previous = subscription.status;
      subscription.status = status;
      if (status === 'past_due') {
        await sendEvent('invoice.payment_failed', invoiceFor(subscription, 'open'));
      }
      await sendEvent('customer.subscription.updated', subscription);
      if (status === 'active' && previous !== 'active') {
        await sendEvent('invoice.paid', invoiceFor(subscription, 'paid'));
      }
    },
    async deleteSubscription(subscriptionId: string) {
      await endSubscription(requireSubscription(subscriptionId));
    },
    async redeliver(eventId: string) {
      const event = events.find((sent) => sent.id === eventId);
      if (event === undefined) throw new Error(`No event ${eventId} was sent.`);
      return post(event.payload);
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}
