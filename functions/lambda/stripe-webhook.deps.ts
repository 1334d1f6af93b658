import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import Stripe from 'stripe';
import { DynamoAccountStore } from '#adapters/dynamodb/dynamo-account-store.ts';
import { DynamoBillingStore } from '#adapters/dynamodb/dynamo-billing-store.ts';
import { DynamoMetrionKeyStore } from '#adapters/dynamodb/dynamo-metrion-key-store.ts';
import { DynamoProxyAdmission } from '#adapters/dynamodb/dynamo-proxy-admission.ts';
import { StripeBillingGateway } from '#adapters/stripe/stripe-billing-gateway.ts';
import { SystemClock } from '#adapters/system/system-clock.ts';
import {
  CHECKOUT_RETURN_PARAM,
  CHECKOUT_SUCCESS_VALUE,
  PLAN_PAGE_PATH,
} from '#contracts/billing-api.ts';
import { type BillingService, createBillingService } from '#core/billing/billing-service.ts';
import type { AccountStore } from '#core/ports/account-store.ts';
import type { BillingStore } from '#core/ports/billing-store.ts';
import type { Clock } from '#core/ports/clock.ts';
import type { Logger } from '#core/ports/logger.ts';
import type { MetrionKeyStore } from '#core/ports/metrion-key-store.ts';
import type { ProxyAdmission } from '#core/ports/proxy-admission.ts';
import type { StripeWebhookHandlerDeps } from '#handlers/stripe-webhook.ts';

/** How a runtime reaches Stripe (or the local stand-in), already resolved. Never logged. */
export interface StripeConfig {
  /**
   * Secret API key (`sk_…`). Only functions that call the Stripe API get it; the webhook function
   * verifies signatures offline and goes without. @default - none (API calls then fail with 401)
   */
  readonly secretKey?: string | undefined;
  /** The endpoint's signing secret (`whsec_…`): only the webhook function gets it. @default - none */
  readonly webhookSecret?: string | undefined;
  /** Stripe price of the Pro plan (`price_…`). */
  readonly proPriceId: string;
  /** What `proPriceId` charges per month in USD (`"29.00"`), shown on the Plan page. */
  readonly proMonthlyPriceUsd: string;
  /** The dashboard's origin (`https://app.example.com`): Checkout and the portal return there. */
  readonly dashboardUrl: string;
  /** Another Stripe API server (the local stand-in). @default - api.stripe.com over HTTPS */
  readonly endpoint?: {
    readonly host: string;
    readonly port: number;
    readonly protocol: 'http' | 'https';
  };
}

/** Stands in for a missing secret key: `new Stripe()` requires one; no call is ever made with it. */
const NO_API_KEY = 'sk_none_webhook_verification_only';

/**
 * The billing service on the official `stripe` SDK. Shared by the dashboard API (Checkout,
 * portal, view) and the webhook function; each passes only the secrets it holds.
 */
export function buildBillingService(
  stripe: StripeConfig,
  deps: {
    readonly accounts: Pick<AccountStore, 'getAccount'>;
    readonly metrionKeys: Pick<MetrionKeyStore, 'getMetrionKey'>;
    readonly billingRecords: BillingStore;
    readonly requestCounts: Pick<ProxyAdmission, 'windowCount'>;
    readonly clock: Clock;
  },
): BillingService {
  const client = new Stripe(stripe.secretKey ?? NO_API_KEY, {
    // Two sequential calls (customer, session) must fit the dashboard API's 10 s timeout.
    timeout: 4_000,
    maxNetworkRetries: 1,
    ...(stripe.endpoint ?? {}),
  });
  const planPage = new URL(PLAN_PAGE_PATH, stripe.dashboardUrl).toString();
  return createBillingService({
    accounts: deps.accounts,
    metrionKeys: deps.metrionKeys,
    billingRecords: deps.billingRecords,
    requestCounts: deps.requestCounts,
    clock: deps.clock,
    gateway: new StripeBillingGateway({
      client,
      clock: deps.clock,
      webhookSecret: stripe.webhookSecret,
    }),
    config: {
      proPriceId: stripe.proPriceId,
      proMonthlyPriceUsd: stripe.proMonthlyPriceUsd,
      checkoutSuccessUrl: `${planPage}?${CHECKOUT_RETURN_PARAM}=${CHECKOUT_SUCCESS_VALUE}`,
      checkoutCancelUrl: planPage,
      portalReturnUrl: planPage,
    },
  });
}

/** Everything the webhook function needs that differs between runtimes. */
export interface StripeWebhookRuntimeConfig {
  readonly documentClient: DynamoDBDocumentClient;
  readonly accountsTable: string;
  readonly stripe: StripeConfig;
  readonly logger: Logger;
  /** Tests pin time (period ends, signature tolerance). @default - the system clock */
  readonly clock?: Clock;
}

/** Builds the webhook function's object graph. Shared by the Lambda root and the local root. */
export function buildStripeWebhookDeps(
  config: StripeWebhookRuntimeConfig,
): StripeWebhookHandlerDeps {
  const clock = config.clock ?? new SystemClock();
  const table = { client: config.documentClient, tableName: config.accountsTable };
  return {
    billing: buildBillingService(config.stripe, {
      accounts: new DynamoAccountStore(table),
      metrionKeys: new DynamoMetrionKeyStore(table),
      billingRecords: new DynamoBillingStore(table),
      requestCounts: new DynamoProxyAdmission(table),
      clock,
    }),
    logger: config.logger,
  };
}
