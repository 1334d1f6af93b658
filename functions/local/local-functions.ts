// The Lambda functions behind the local API, built by the same deps builders as in AWS from
// local data, local Cognito, the local mail inbox and local billing.
import { LOCAL_WEBHOOK_POLICY } from '#adapters/http/url-policy.ts';
import type { MonotonicClock, WaitingClock } from '#core/ports/clock.ts';
import type { Logger } from '#core/ports/logger.ts';
import type { UpstreamClient } from '#core/ports/upstream-client.ts';
import type { ProviderId } from '#core/providers/provider-registry.ts';
import { createDashboardApiHandler } from '#handlers/dashboard-api.ts';
import { createLogsExportHandler } from '#handlers/logs-export.ts';
import { createProxyHandler } from '#handlers/proxy.ts';
import { createStripeWebhookHandler } from '#handlers/stripe-webhook.ts';
import type { AlertMailConfig } from '#lambda/alert-mailer.ts';
import { buildDashboardApiDeps, type CognitoPoolConfig } from '#lambda/dashboard-api.deps.ts';
import { buildLogsExportDeps } from '#lambda/logs-export.deps.ts';
import { buildProxyDeps } from '#lambda/proxy.deps.ts';
import { buildStripeWebhookDeps } from '#lambda/stripe-webhook.deps.ts';
import { FeedingUsageStore } from './feeding-usage-store.ts';
import type { LocalBilling } from './local-billing.ts';
import type { LocalData } from './local-data.ts';
import type { LocalHandlers } from './local-routes.ts';
import type { UsageFeed } from './usage-feed.ts';

/** How the proxy reaches providers and what it allows (tests pin these). */
export interface LocalProxyOptions {
  readonly upstreamOrigins: Partial<Record<ProviderId, string>>;
  readonly upstream: UpstreamClient | undefined;
  readonly headerTimeoutMs: number | undefined;
  readonly idleTimeoutMs: number | undefined;
  readonly corsAllowedOrigins: readonly string[] | undefined;
  /** How often the proxy looks for a new price version. @default - the Lambda's */
  readonly priceCheckIntervalMs: number | undefined;
}

/** What every local function shares. */
export interface LocalFunctionContext {
  readonly data: LocalData;
  readonly logger: Logger;
  readonly clock: (MonotonicClock & WaitingClock) | undefined;
  readonly cognito: CognitoPoolConfig;
  readonly mail: AlertMailConfig;
  readonly dashboardUrl: string;
  readonly billing: LocalBilling;
  /** The aggregator's feed (AWS: the usage table's stream), fed by the proxy's usage store. */
  readonly usageFeed: UsageFeed;
}

export function buildLocalFunctions(
  context: LocalFunctionContext,
  proxy: LocalProxyOptions,
): LocalHandlers {
  const { data, logger, clock } = context;
  const tables = {
    documentClient: data.documentClient,
    accountsTable: data.accountsTable,
    usageTable: data.usageTable,
  };
  return {
    dashboardApi: createDashboardApiHandler(
      buildDashboardApiDeps({
        ...tables,
        fxRatesTable: data.fxRatesTable,
        pepper: data.pepper,
        dataKeyProvider: data.dataKeyProvider,
        logger,
        cognito: context.cognito,
        mail: context.mail,
        webhookPolicy: LOCAL_WEBHOOK_POLICY,
        dashboardUrl: context.dashboardUrl,
        stripe: context.billing.api,
        clock,
      }),
    ),
    stripeWebhook: createStripeWebhookHandler(
      buildStripeWebhookDeps({ ...tables, stripe: context.billing.webhook, logger, clock }),
    ),
    // The CSV export streams, so in AWS it is a function of its own behind a STREAM integration.
    logsExport: createLogsExportHandler(
      buildLogsExportDeps({
        ...tables,
        fxRatesTable: data.fxRatesTable,
        logger,
        cognito: context.cognito,
        clock,
      }),
    ),
    proxy: createProxyHandler(
      buildProxyDeps({
        ...tables,
        ...proxy,
        responseCacheTable: data.responseCacheTable,
        pricesTable: data.pricesTable,
        pepper: data.pepper,
        dataKeyProvider: data.dataKeyProvider,
        logger,
        clock,
        // No DynamoDB Streams in dynalite: each appended record goes to the in-process feed.
        wrapUsage: (inner) => new FeedingUsageStore({ inner, feed: context.usageFeed }),
      }),
    ),
  };
}
