// Billing in local mode: the Stripe stand-in (default; no Stripe account needed), or real Stripe
// in test mode with the keys of a Stripe account. Either way the real `stripe` SDK is used.
import { STRIPE_WEBHOOK_ROUTE } from '#contracts/billing-api.ts';
import type { Clock } from '#core/ports/clock.ts';
import type { StripeConfig } from '#lambda/stripe-webhook.deps.ts';
import { listenAs } from './local-ports.ts';
import { type RunningStripeStandIn, startStripeStandIn } from './stripe-stand-in.ts';

/** Where billing goes locally. */
export type LocalBillingOptions =
  | {
      readonly kind: 'stand-in';
      /** The stand-in's port (0 = any free port). @default 0 */
      readonly port?: number;
    }
  | {
      readonly kind: 'stripe';
      /** `sk_test_…` */
      readonly secretKey: string;
      /** `whsec_…` of the endpoint (`stripe listen` prints one). */
      readonly webhookSecret: string;
      /** `price_…` of the Pro plan in that account. */
      readonly proPriceId: string;
    };

const LOCAL_PRO_PRICE_ID = 'price_metrion_pro_local';
/** The Plan page's Pro price locally, unless configured (`PRO_MONTHLY_PRICE_USD`). */
export const DEFAULT_PRO_MONTHLY_PRICE_USD = '29.00';

/** Stripe as each local function sees it, as in AWS. */
export interface LocalBilling {
  /** For the dashboard API (Checkout, portal): the secret key, never the signing secret. */
  readonly api: StripeConfig;
  /** For the webhook function: both secrets. */
  readonly webhook: StripeConfig;
  /** The stand-in, unless real Stripe is configured. */
  readonly standIn?: RunningStripeStandIn;
}

/** Starts the stand-in when configured, and splits the Stripe configuration per function. */
export async function startLocalBilling(options: {
  readonly billing: LocalBillingOptions;
  /** @default DEFAULT_PRO_MONTHLY_PRICE_USD */
  readonly proMonthlyPriceUsd: string | undefined;
  /** This server's URL: the stand-in delivers webhooks to it. */
  readonly serverUrl: string;
  readonly dashboardUrl: string;
  readonly clock?: Clock;
}): Promise<LocalBilling> {
  const { billing, dashboardUrl, clock } = options;
  const proMonthlyPriceUsd = options.proMonthlyPriceUsd ?? DEFAULT_PRO_MONTHLY_PRICE_USD;
  if (billing.kind === 'stripe') {
    const { kind: _kind, ...keys } = billing;
    return splitPerFunction({ ...keys, proMonthlyPriceUsd, dashboardUrl });
  }
  const port = billing.port ?? 0;
  const standIn = await listenAs('stripe', port, () =>
    startStripeStandIn({
      port,
      webhookUrl: `${options.serverUrl}${STRIPE_WEBHOOK_ROUTE.path}`,
      nowMs: clock ? () => clock.nowMs() : undefined,
    }),
  );
  return {
    ...splitPerFunction({
      secretKey: 'sk_test_metrion_local',
      // New on every start: it signs, the local webhook function verifies.
      webhookSecret: standIn.webhookSecret,
      proPriceId: LOCAL_PRO_PRICE_ID,
      proMonthlyPriceUsd,
      dashboardUrl,
      endpoint: { host: standIn.host, port: standIn.port, protocol: 'http' },
    }),
    standIn,
  };
}

function splitPerFunction(stripe: StripeConfig): LocalBilling {
  const { webhookSecret: _webhookSecret, ...api } = stripe;
  return { api, webhook: stripe };
}
