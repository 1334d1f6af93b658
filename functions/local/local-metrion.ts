import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonLogger } from '#adapters/system/json-logger.ts';
import { STRIPE_WEBHOOK_ROUTE } from '#contracts/billing-api.ts';
import { ROUTE_NOT_FOUND_RESPONSE } from '#contracts/gateway-responses.ts';
import type { MonotonicClock } from '#core/ports/clock.ts';
import type { UpstreamClient } from '#core/ports/upstream-client.ts';
import type { ProviderId } from '#core/providers/provider-registry.ts';
import { PROXY_PATH_PREFIX, sdkBaseUrls } from '#core/providers/routes.ts';
import { createDashboardApiHandler } from '#handlers/dashboard-api.ts';
import { createLogsExportHandler } from '#handlers/logs-export.ts';
import { createProxyHandler } from '#handlers/proxy.ts';
import { createStripeWebhookHandler } from '#handlers/stripe-webhook.ts';
import { buildAggregateUsageDeps } from '#lambda/aggregate-usage.deps.ts';
import { buildDashboardApiDeps, type CognitoPoolConfig } from '#lambda/dashboard-api.deps.ts';
import { buildLogsExportDeps } from '#lambda/logs-export.deps.ts';
import { buildProxyDeps } from '#lambda/proxy.deps.ts';
import { buildStripeWebhookDeps, type StripeConfig } from '#lambda/stripe-webhook.deps.ts';
import { type LocalRoute, startApiGatewayServer } from './api-gateway-server.ts';
import { startCognito } from './cognito-stand-in.ts';
import { FeedingUsageStore } from './feeding-usage-store.ts';
import { type LocalData, localDocumentClient, openLocalData } from './local-data.ts';
import { type LocalJobs, startLocalJobs } from './local-jobs.ts';
import { localRoutes } from './local-routes.ts';
import { startDynalite, startSesLocal } from './stand-ins.ts';
import { serveStaticFiles } from './static-files.ts';
import { type RunningStripeStandIn, startStripeStandIn } from './stripe-stand-in.ts';
import { UsageFeed } from './usage-feed.ts';

/**
 * Where billing goes locally: the Stripe stand-in (default; no Stripe account needed), or real
 * Stripe in test mode with the keys of a Stripe account.
 */
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

export interface LocalMetrionOptions {
  /** Port for the API (0 = any free port). @default 0 */
  readonly port?: number;
  /** Folder for DynamoDB data and local keys; without it everything lives in memory. */
  readonly dataDir?: string;
  /** Per-provider upstream origins (tests point these at local fakes). */
  readonly upstreamOrigins?: Partial<Record<ProviderId, string>>;
  /** Where log lines go; stdout by default. */
  readonly logWrite?: (line: string) => void;
  readonly upstream?: UpstreamClient;
  readonly headerTimeoutMs?: number;
  readonly idleTimeoutMs?: number;
  /**
   * Pins the proxy's time (limit windows, cache expiry, phase timing) in tests.
   * @default - the system clock
   */
  readonly clock?: MonotonicClock;
  /** Built dashboard to serve for every non-API path (CloudFront + S3 in AWS). */
  readonly staticDir?: string;
  /** Browser origins allowed to call the proxy directly (CORS). @default [] */
  readonly corsAllowedOrigins?: readonly string[];
  /**
   * Port of cognito-local (0 = any free port). Its tokens name it in `iss`, so `npm start`
   * fixes it to keep browser sessions valid across restarts. @default 0
   */
  readonly cognitoPort?: number;
  /** Where the fx-rates job reads the ECB XML (tests use a fake). @default - the ECB */
  readonly fxRatesUrl?: string;
  /** Run the seal, fx-rates and alerts jobs on timers (`npm start`; tests call `jobs`). @default false */
  readonly scheduleJobs?: boolean;
  /** Port of aws-ses-v2-local (0 = any free port). @default 0 */
  readonly sesPort?: number;
  /** Alert evaluator interval when jobs are scheduled. @default 60 s */
  readonly alertsIntervalMs?: number;
  /** Stripe or its stand-in. @default - the stand-in on a free port */
  readonly billing?: LocalBillingOptions;
  /**
   * The dashboard's origin: alert email links, and where Checkout and the billing portal
   * return. @default - this server's URL
   */
  readonly dashboardUrl?: string;
  /** Where dynalite runs (dynalite-thread.ts); `main` only to measure the difference. @default 'worker' */
  readonly dynaliteThread?: 'worker' | 'main';
  /** Connections to dynalite (local-data.ts says why). @default LOCAL_DYNAMO_MAX_SOCKETS */
  readonly dynamoMaxSockets?: number;
}

export interface LocalMetrion {
  readonly url: string;
  readonly dynamoEndpoint: string;
  /** The base URL a customer's SDK uses, per provider (`sdkBaseUrl`, core/providers/routes.ts). */
  readonly proxyBaseUrls: Readonly<Record<ProviderId, string>>;
  readonly data: LocalData;
  /** cognito-local and the dashboard's pool and client (what `GET /api/config` reports). */
  readonly cognito: Required<CognitoPoolConfig>;
  /** The scheduled jobs (seal rollups, fx rates, alerts), callable on demand. */
  readonly jobs: LocalJobs;
  /**
   * The in-process feed of appended usage records into the usage aggregator (AWS: the usage
   * table's stream): live rollups land within its batching window, or at once after `drain()`.
   */
  readonly usageFeed: Pick<UsageFeed, 'drain' | 'pending'>;
  /** aws-ses-v2-local: alert emails land here (web inbox at `/`, JSON at `/store`). */
  readonly sesEndpoint: string;
  /** The Stripe stand-in, unless real Stripe is configured. */
  readonly stripeStandIn?: RunningStripeStandIn;
  close(): Promise<void>;
}

/** Where running local mode says where it is, so the admin CLI can join it. */
export const RUNTIME_FILE = 'runtime.json';

/**
 * The local composition root: embedded stand-ins, the same adapters as in AWS (other
 * endpoints), the local key wrapper instead of KMS, and the same handler modules behind the
 * API Gateway emulation.
 */
export async function startLocalMetrion(options: LocalMetrionOptions = {}): Promise<LocalMetrion> {
  const { dataDir } = options;
  if (dataDir) await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const dynalite = await startDynalite({
    ...(dataDir ? { dataDir: join(dataDir, 'dynamodb') } : {}),
    ...(options.dynaliteThread ? { thread: options.dynaliteThread } : {}),
  });
  const data = await openLocalData({
    dynamoEndpoint: dynalite.endpoint,
    ...(dataDir ? { dataDir } : {}),
    ...(options.dynamoMaxSockets ? { maxSockets: options.dynamoMaxSockets } : {}),
  });
  const logger = new JsonLogger({
    service: 'metrion-local',
    ...(options.logWrite ? { write: options.logWrite } : {}),
  });

  // Users and pools persist under the data folder; without one, in a temporary folder.
  const cognitoDir = dataDir
    ? join(dataDir, 'cognito')
    : await mkdtemp(join(tmpdir(), 'metrion-cognito-'));
  const cognitoLocal = await startCognito({
    dataDir: cognitoDir,
    port: options.cognitoPort ?? 0,
    logger,
  });
  const cognito: Required<CognitoPoolConfig> = {
    region: cognitoLocal.region,
    userPoolId: cognitoLocal.userPoolId,
    clientId: cognitoLocal.clientId,
    issuer: cognitoLocal.issuer,
    endpoint: cognitoLocal.endpoint,
  };
  // Routes attach once the server listens: Checkout's return URLs need its URL.
  const routes: LocalRoute[] = [];
  const server = await startApiGatewayServer({
    port: options.port ?? 0,
    ...(options.staticDir ? { fallback: serveStaticFiles(options.staticDir) } : {}),
    routes,
    routeNotFound: { pathPrefix: '/api', response: ROUTE_NOT_FOUND_RESPONSE },
  });
  const billingOptions = options.billing ?? { kind: 'stand-in' };
  const dashboardUrl = options.dashboardUrl ?? server.url;
  let stripeStandIn: RunningStripeStandIn | undefined;
  let stripe: StripeConfig;
  if (billingOptions.kind === 'stripe') {
    const { kind: _kind, ...keys } = billingOptions;
    stripe = { ...keys, dashboardUrl };
  } else {
    const { clock } = options;
    stripeStandIn = await startStripeStandIn({
      ...(billingOptions.port === undefined ? {} : { port: billingOptions.port }),
      webhookUrl: `${server.url}${STRIPE_WEBHOOK_ROUTE.path}`,
      ...(clock ? { nowMs: () => clock.nowMs() } : {}),
    });
    // The real `stripe` SDK, pointed at the stand-in.
    stripe = {
      secretKey: 'sk_test_metrion_local',
      // New on every start: it signs, the local webhook function verifies.
      webhookSecret: stripeStandIn.webhookSecret,
      proPriceId: LOCAL_PRO_PRICE_ID,
      dashboardUrl,
      endpoint: { host: stripeStandIn.host, port: stripeStandIn.port, protocol: 'http' },
    };
  }
  // As in AWS: the dashboard API never gets the signing secret; the webhook function gets both.
  const { webhookSecret: _webhookSecret, ...stripeApi } = stripe;
  const stripeWebhook = stripe;
  const ses = await startSesLocal({ port: options.sesPort ?? 0 });
  const mail = { region: 'local', endpoint: ses.endpoint, sender: 'alerts@metrion.local' };

  const dashboardApiHandler = createDashboardApiHandler(
    buildDashboardApiDeps({
      documentClient: data.documentClient,
      accountsTable: data.accountsTable,
      usageTable: data.usageTable,
      fxRatesTable: data.fxRatesTable,
      pepper: data.pepper,
      dataKeyProvider: data.dataKeyProvider,
      logger,
      cognito,
      mail,
      dashboardUrl,
      stripe: stripeApi,
      ...(options.clock ? { clock: options.clock } : {}),
    }),
  );

  const stripeWebhookHandler = createStripeWebhookHandler(
    buildStripeWebhookDeps({
      documentClient: data.documentClient,
      accountsTable: data.accountsTable,
      stripe: stripeWebhook,
      logger,
      ...(options.clock ? { clock: options.clock } : {}),
    }),
  );

  // The CSV export streams, so in AWS it is a function of its own behind a STREAM integration.
  const logsExportHandler = createLogsExportHandler(
    buildLogsExportDeps({
      documentClient: data.documentClient,
      usageTable: data.usageTable,
      accountsTable: data.accountsTable,
      fxRatesTable: data.fxRatesTable,
      logger,
      cognito,
      ...(options.clock ? { clock: options.clock } : {}),
    }),
  );

  // No DynamoDB Streams in dynalite: the proxy's store publishes each appended record to a feed
  // that batches them into the same aggregator the stream Lambda runs in AWS.
  const usageFeed = new UsageFeed({
    aggregator: buildAggregateUsageDeps({
      documentClient: localDocumentClient(dynalite.endpoint),
      usageTable: data.usageTable,
      accountsTable: data.accountsTable,
      logger,
      ...(options.clock ? { clock: options.clock } : {}),
    }),
    logger,
  });
  const proxyHandler = createProxyHandler(
    buildProxyDeps({
      documentClient: data.documentClient,
      accountsTable: data.accountsTable,
      usageTable: data.usageTable,
      responseCacheTable: data.responseCacheTable,
      upstreamOrigins: options.upstreamOrigins ?? {},
      pepper: data.pepper,
      dataKeyProvider: data.dataKeyProvider,
      logger,
      ...(options.upstream ? { upstream: options.upstream } : {}),
      ...(options.headerTimeoutMs ? { headerTimeoutMs: options.headerTimeoutMs } : {}),
      ...(options.idleTimeoutMs ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.corsAllowedOrigins ? { corsAllowedOrigins: options.corsAllowedOrigins } : {}),
      wrapUsage: (inner) => new FeedingUsageStore({ inner, feed: usageFeed }),
    }),
  );
  const jobs = startLocalJobs({
    data,
    logger,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.fxRatesUrl ? { fxRatesUrl: options.fxRatesUrl } : {}),
    schedule: options.scheduleJobs ?? false,
    mail,
    dashboardUrl,
    ...(options.alertsIntervalMs ? { alertsIntervalMs: options.alertsIntervalMs } : {}),
  });
  routes.push(
    ...localRoutes({
      proxy: proxyHandler,
      dashboardApi: dashboardApiHandler,
      logsExport: logsExportHandler,
      stripeWebhook: stripeWebhookHandler,
    }),
  );

  const runtimeFile = dataDir ? join(dataDir, RUNTIME_FILE) : undefined;
  if (runtimeFile) {
    await writeFile(
      runtimeFile,
      JSON.stringify({
        pid: process.pid,
        url: server.url,
        dynamoEndpoint: dynalite.endpoint,
        cognito,
      }),
    );
  }
  return {
    url: server.url,
    dynamoEndpoint: dynalite.endpoint,
    proxyBaseUrls: sdkBaseUrls(`${server.url}${PROXY_PATH_PREFIX}`),
    data,
    cognito,
    jobs,
    usageFeed,
    sesEndpoint: ses.endpoint,
    ...(stripeStandIn ? { stripeStandIn } : {}),
    async close() {
      jobs.stop();
      await server.close();
      // Records of requests that just ended reach the rollups before dynalite goes.
      await usageFeed.close();
      await stripeStandIn?.stop();
      await ses.close();
      await cognitoLocal.close();
      if (!dataDir) await rm(cognitoDir, { recursive: true, force: true });
      await dynalite.close();
      if (runtimeFile) await rm(runtimeFile, { force: true });
    },
  };
}
