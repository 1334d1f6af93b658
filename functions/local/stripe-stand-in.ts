// Local stand-in for Stripe (never bundled into a Lambda): a node:http server answering the API
// calls StripeBillingGateway makes (`stripe/api.ts`), plus two plain HTML pages standing in for
// hosted Checkout and the billing portal. Completing them delivers signed webhooks, like Stripe.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiHandler } from './stripe/api.ts';
import { handleCheckoutPage } from './stripe/checkout-page.ts';
import { sendJson, stripeError } from './stripe/http.ts';
import { endSubscription, type StandIn, setSubscriptionStatus } from './stripe/lifecycle.ts';
import type { StripeSubscriptionObject } from './stripe/objects.ts';
import { handlePortalPage } from './stripe/portal-page.ts';
import { StandInStore } from './stripe/store.ts';
import { newWebhookSecret, type SentStripeEvent, WebhookSender } from './stripe/webhooks.ts';

export type { StripeSubscriptionObject } from './stripe/objects.ts';
export type { SentStripeEvent } from './stripe/webhooks.ts';

export interface StartStripeStandInOptions {
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Where webhooks are POSTed (the `stripe-webhook` route); change later with `setWebhookUrl`. */
  readonly webhookUrl: string;
  /** Signing secret shared with the webhook handler (`whsec_…`). @default - a new random one */
  readonly webhookSecret?: string;
  /** Origin the browser uses for the Checkout and portal pages. @default - the server's own URL */
  readonly publicBaseUrl?: string;
  /** Time source for `created` and periods (ms). @default Date.now */
  readonly nowMs?: (() => number) | undefined;
}

export interface RunningStripeStandIn {
  /** `http://host:port`: the API base. */
  readonly url: string;
  /** For `new Stripe(key, { host, port, protocol: 'http' })`. */
  readonly host: string;
  readonly port: number;
  /** The secret every webhook is signed with: give it to the webhook handler. */
  readonly webhookSecret: string;
  /** Every webhook sent so far, in the order their deliveries finished. */
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

type Route = (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void>;

/** `/v1/*` to the API, `/checkout/{id}` and `/portal/{id}` to the pages, else 404. */
function router(standIn: StandIn, baseUrl: () => string): Route {
  const api = createApiHandler(standIn, baseUrl);
  return async (request, response, url) => {
    if (url.pathname.startsWith('/v1/')) return api(request, response, url);
    const [, kind, id, ...rest] = url.pathname.split('/');
    const sessionId = decodeURIComponent(id ?? '');
    if (rest.length === 0 && kind === 'checkout') {
      return handleCheckoutPage(standIn, request, response, sessionId);
    }
    if (rest.length === 0 && kind === 'portal') {
      return handlePortalPage(standIn, request, response, sessionId, baseUrl());
    }
    return sendJson(response, stripeError(404, 'Not found'));
  };
}

async function listen(route: Route, port: number, host: string) {
  const server = createServer((request, response) => {
    route(request, response, new URL(request.url ?? '/', 'http://stand-in')).catch(
      (error: unknown) => {
        if (response.headersSent) return response.destroy();
        const message = error instanceof Error ? error.message : 'stand-in failure';
        sendJson(response, stripeError(500, message));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}

/** Starts the stand-in on `host:port` (a free port by default). */
export async function startStripeStandIn(
  options: StartStripeStandInOptions,
): Promise<RunningStripeStandIn> {
  const host = options.host ?? '127.0.0.1';
  const store = new StandInStore(options.nowMs ?? Date.now);
  const webhookSecret = options.webhookSecret ?? newWebhookSecret();
  const webhooks = new WebhookSender({
    url: options.webhookUrl,
    secret: webhookSecret,
    nowSeconds: () => store.nowSeconds(),
  });
  const standIn: StandIn = { store, webhooks };
  let baseUrl = options.publicBaseUrl ?? '';
  const { server, port } = await listen(
    router(standIn, () => baseUrl),
    options.port ?? 0,
    host,
  );
  const url = `http://${host}:${port}`;
  if (baseUrl === '') baseUrl = url;

  return {
    url,
    host,
    port,
    webhookSecret,
    events: webhooks.events,
    setWebhookUrl: (next) => {
      webhooks.url = next;
    },
    getSubscription: (subscriptionId) => {
      const subscription = store.subscriptions.get(subscriptionId);
      return subscription === undefined ? undefined : structuredClone(subscription);
    },
    setSubscriptionStatus: (subscriptionId, status) =>
      setSubscriptionStatus(standIn, store.requireSubscription(subscriptionId), status),
    deleteSubscription: (subscriptionId) =>
      endSubscription(standIn, store.requireSubscription(subscriptionId)),
    redeliver: (eventId) => webhooks.redeliver(eventId),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}
