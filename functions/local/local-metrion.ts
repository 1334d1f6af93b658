import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { JsonLogger } from '#adapters/system/json-logger.ts';
import { ROUTE_NOT_FOUND_RESPONSE } from '#contracts/gateway-responses.ts';
import type { MonotonicClock, WaitingClock } from '#core/ports/clock.ts';
import type { Logger } from '#core/ports/logger.ts';
import type { UpstreamClient } from '#core/ports/upstream-client.ts';
import type { ProviderId } from '#core/providers/provider-registry.ts';
import { PROXY_PATH_PREFIX, sdkBaseUrls } from '#core/providers/routes.ts';
import { buildAggregateUsageDeps } from '#lambda/aggregate-usage.deps.ts';
import type { CognitoPoolConfig } from '#lambda/dashboard-api.deps.ts';
import { type LocalRoute, startApiGatewayServer } from './api-gateway-server.ts';
import { Closers } from './closers.ts';
import { type DataDirLock, lockDataDir } from './data-dir-lock.ts';
import type { LocalFaults } from './fault-injection.ts';
import { type LocalBillingOptions, startLocalBilling } from './local-billing.ts';
import { startLocalCognito } from './local-cognito.ts';
import { type LocalData, localDocumentClient, openLocalData } from './local-data.ts';
import { buildLocalFunctions, type LocalProxyOptions } from './local-functions.ts';
import { type LocalJobs, startLocalJobs } from './local-jobs.ts';
import { listenAs } from './local-ports.ts';
import { localRoutes } from './local-routes.ts';
import { registerRunningInstance } from './running-instances.ts';
import { startDynalite, startSesLocal } from './stand-ins.ts';
import { serveStaticFiles } from './static-files.ts';
import type { RunningStripeStandIn } from './stripe-stand-in.ts';
import { UsageFeed } from './usage-feed.ts';

export {
  DEFAULT_PRO_MONTHLY_PRICE_USD,
  type LocalBillingOptions,
} from './local-billing.ts';

export interface LocalMetrionOptions {
  /** Port for the API (0 = any free port). @default 0 */
  readonly port?: number;
  /** Folder for DynamoDB data and local keys; without it everything lives in memory. */
  readonly dataDir?: string;
  /**
   * What Pro costs per month in USD, as the Plan page shows it (`"29.00"`).
   * @default DEFAULT_PRO_MONTHLY_PRICE_USD
   */
  readonly proMonthlyPriceUsd?: string;
  /** Per-provider upstream origins (tests point these at local fakes). */
  readonly upstreamOrigins?: Partial<Record<ProviderId, string>>;
  /** Where log lines go; stdout by default. */
  readonly logWrite?: (line: string) => void;
  readonly upstream?: UpstreamClient;
  readonly headerTimeoutMs?: number;
  readonly idleTimeoutMs?: number;
  /**
   * Pins time in tests (limit windows, cache expiry, phase timing, the key-replacement lease,
   * and which stored records have expired).
   * @default - the system clock
   */
  readonly clock?: MonotonicClock & WaitingClock;
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
  /** Where the price refresh reads the genai-prices data (tests use a fake). @default - its repo */
  readonly pricesUrl?: string;
  /** How often the proxy looks for a new price version. @default 5 minutes, as in AWS */
  readonly priceCheckIntervalMs?: number;
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
  /**
   * How this process's DynamoDB clients reach dynalite: `hand-off` through its thread's port
   * (dynalite-hand-off.ts), `http` over loopback only to measure the difference. @default 'hand-off'
   */
  readonly dynamoTransport?: 'hand-off' | 'http';
  /**
   * With `dataDir`: where this process registers for `npm run admin` to find
   * (running-instances.ts). @default RUNNING_INSTANCES_DIR
   */
  readonly runningInstancesDir?: string;
  /**
   * Test-only: DynamoDB and KMS faults a request names in its `x-metrion-test-fault` header
   * (fault-injection.ts), for the soak and the process-kill tests. `npm start` never sets it.
   * @default - no fault injection
   */
  readonly faults?: LocalFaults;
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
  /**
   * Resolves once no API request is running, with the work each does after its answer (the
   * proxy writes its usage record then): every record of a request that ended has landed.
   */
  idle(): Promise<void>;
  /** aws-ses-v2-local: alert emails land here (web inbox at `/`, JSON at `/store`). */
  readonly sesEndpoint: string;
  /** The Stripe stand-in, unless real Stripe is configured. */
  readonly stripeStandIn?: RunningStripeStandIn;
  close(): Promise<void>;
}

/**
 * The local composition root: embedded stand-ins, the same adapters as in AWS (other
 * endpoints), the local key wrapper instead of KMS, and the same handler modules behind the
 * API Gateway emulation. With a data folder it holds that folder's lock (data-dir-lock.ts).
 * @throws DataDirInUseError when another process holds the data folder
 * @throws PortUnavailableError when a server cannot listen on its port
 */
export async function startLocalMetrion(options: LocalMetrionOptions = {}): Promise<LocalMetrion> {
  const closers = new Closers();
  try {
    return await start(options, closers);
  } catch (error) {
    // A later step failed (a port in use): stop what already runs, then report the cause.
    await closers.closeAll().catch(() => undefined);
    throw error;
  }
}

async function start(options: LocalMetrionOptions, closers: Closers): Promise<LocalMetrion> {
  const { dataDir, clock } = options;
  const lock = dataDir ? await holdDataDir(dataDir, closers) : undefined;
  const logger = new JsonLogger({ service: 'metrion-local', write: options.logWrite });
  const store = await openStore(options, logger, closers);
  const cognito = await startLocalCognito({ dataDir, port: options.cognitoPort ?? 0, logger });
  closers.add(() => cognito.close());
  // Routes attach once the server listens: Checkout's return URLs need its URL.
  const routes: LocalRoute[] = [];
  const server = await startApi(options, routes, closers);
  const dashboardUrl = options.dashboardUrl ?? server.url;
  const billing = await startLocalBilling({
    billing: options.billing ?? { kind: 'stand-in' },
    proMonthlyPriceUsd: options.proMonthlyPriceUsd,
    serverUrl: server.url,
    dashboardUrl,
    clock,
  });
  closers.add(() => billing.standIn?.stop());
  const inbox = await startMailInbox(options.sesPort ?? 0, closers);
  const mail = { region: 'local', endpoint: inbox.endpoint, sender: 'alerts@metrion.local' };
  const { faults } = options;
  const data = faults ? faults.wrapData(store.data) : store.data;
  const context = {
    ...store,
    data,
    logger,
    clock,
    cognito: cognito.pool,
    mail,
    dashboardUrl,
    billing,
  };
  const functions = buildLocalFunctions(context, proxyOptions(options));
  routes.push(...localRoutes(faults ? faults.wrapHandlers(functions) : functions));
  const jobs = startLocalJobs({
    ...context,
    fxRatesUrl: options.fxRatesUrl,
    pricesUrl: options.pricesUrl,
    schedule: options.scheduleJobs ?? false,
    alertsIntervalMs: options.alertsIntervalMs,
  });
  closers.add(() => jobs.stop());
  if (dataDir && lock) {
    await lock.announce({ url: server.url, dynamoEndpoint: store.dynamoEndpoint });
    const instance = { dataDir, url: server.url };
    closers.add(await registerRunningInstance(instance, options.runningInstancesDir));
  }
  return {
    url: server.url,
    dynamoEndpoint: store.dynamoEndpoint,
    proxyBaseUrls: sdkBaseUrls(`${server.url}${PROXY_PATH_PREFIX}`),
    data: store.data,
    cognito: cognito.pool,
    jobs,
    usageFeed: store.usageFeed,
    idle: () => server.idle(),
    sesEndpoint: inbox.endpoint,
    stripeStandIn: billing.standIn,
    close: () => closers.closeAll(),
  };
}

/** dynalite, the tables on it, and the feed into the usage aggregator. */
async function openStore(options: LocalMetrionOptions, logger: Logger, closers: Closers) {
  const dynalite = await startDynalite({
    dataDir: options.dataDir ? join(options.dataDir, 'dynamodb') : undefined,
  });
  closers.add(() => dynalite.close());
  const handOff = options.dynamoTransport === 'http' ? undefined : dynalite.handOff;
  const data = await openLocalData({
    dynamoEndpoint: dynalite.endpoint,
    dynamoHandOff: handOff,
    dataDir: options.dataDir,
    clock: options.clock,
  });
  // No DynamoDB Streams in dynalite: the proxy's store publishes each appended record to a feed
  // that batches them into the same aggregator the stream Lambda runs in AWS. Its own client,
  // as the aggregator is a function of its own in AWS, whose calls dynalite runs in the
  // background: one at a time, never in front of a request's own.
  const usageFeed = new UsageFeed({
    aggregator: buildAggregateUsageDeps({
      documentClient: localDocumentClient(dynalite.endpoint, handOff?.background),
      usageTable: data.usageTable,
      accountsTable: data.accountsTable,
      logger,
      clock: options.clock,
    }),
    logger,
    clock: options.clock,
  });
  // Closed after the server (closers run newest first): records of requests that just ended
  // reach the rollups before dynalite goes.
  closers.add(() => usageFeed.close());
  return { dynamoEndpoint: dynalite.endpoint, data, usageFeed };
}

/** The API Gateway emulation: the API, the proxy and (with `staticDir`) the dashboard. */
async function startApi(options: LocalMetrionOptions, routes: LocalRoute[], closers: Closers) {
  const port = options.port ?? 0;
  const server = await listenAs('api', port, () =>
    startApiGatewayServer({
      port,
      fallback: options.staticDir ? serveStaticFiles(options.staticDir) : undefined,
      routes,
      routeNotFound: { pathPrefix: '/api', response: ROUTE_NOT_FOUND_RESPONSE },
    }),
  );
  closers.add(() => server.close());
  return server;
}

/** aws-ses-v2-local: where alert emails go (web inbox at its root). */
async function startMailInbox(port: number, closers: Closers) {
  const inbox = await listenAs('ses', port, () => startSesLocal({ port }));
  closers.add(() => inbox.close());
  return inbox;
}

function proxyOptions(options: LocalMetrionOptions): LocalProxyOptions {
  return {
    upstreamOrigins: options.upstreamOrigins ?? {},
    upstream: options.upstream,
    headerTimeoutMs: options.headerTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs,
    corsAllowedOrigins: options.corsAllowedOrigins,
    priceCheckIntervalMs: options.priceCheckIntervalMs,
  };
}

/** Takes the data folder's lock (created if missing), released on close. */
async function holdDataDir(dataDir: string, closers: Closers): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const lock = await lockDataDir(dataDir, 'server');
  closers.add(() => lock.release());
  return lock;
}
