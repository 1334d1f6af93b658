import { LOCAL_WEBHOOK_POLICY } from '#adapters/http/url-policy.ts';
import { CryptoRandom } from '#adapters/system/crypto-random.ts';
import { SystemClock } from '#adapters/system/system-clock.ts';
import type { DeliverDueReport } from '#core/alerts/channels/deliver.ts';
import type { EvaluateAlertsReport } from '#core/alerts/evaluate-alerts.ts';
import type { SweepBudgetsReport } from '#core/budgets/sweep-budgets.ts';
import type { FxQuote } from '#core/currency/fx.ts';
import type { Clock } from '#core/ports/clock.ts';
import type { Logger } from '#core/ports/logger.ts';
import type { PriceRefreshReport } from '#core/pricing/refresh-prices.ts';
import { HOUR_MS } from '#core/rollups/buckets.ts';
import {
  type SealReport,
  type SealRollupsOptions,
  SWEEP_LOOKBACK_MS,
  sealRollups,
} from '#core/rollups/seal-rollups.ts';
import type { SweepTracesOptions, SweepTracesReport } from '#core/traces/sweep-traces.ts';
import { sweepTraces } from '#core/traces/sweep-traces.ts';
import { createAlertDeliveriesHandler } from '#handlers/alert-deliveries.ts';
import { createAlertsHandler } from '#handlers/alerts.ts';
import { createBudgetSweepHandler } from '#handlers/budget-sweep.ts';
import { createFxRatesHandler } from '#handlers/fx-rates.ts';
import { createPriceRefreshHandler } from '#handlers/price-refresh.ts';
import { buildAlertDeliveryDeps } from '#lambda/alert-delivery.deps.ts';
import type { AlertMailConfig } from '#lambda/alert-mailer.ts';
import { buildAlertsDeps } from '#lambda/alerts.deps.ts';
import { buildBudgetSweepDeps } from '#lambda/budget-sweep.deps.ts';
import { buildFxRatesDeps } from '#lambda/fx-rates.deps.ts';
import { buildPriceRefreshDeps } from '#lambda/price-refresh.deps.ts';
import { buildSealRollupsDeps } from '#lambda/seal-rollups.deps.ts';
import { buildSweepTracesDeps } from '#lambda/sweep-traces.deps.ts';
import { FeedingUsageStore } from './feeding-usage-store.ts';
import type { LocalData } from './local-data.ts';
import { forgettingClearedMarkers } from './marker-forgetting-seal-store.ts';
import { type ScheduledJob, startScheduler } from './scheduler.ts';
import type { UsageFeed } from './usage-feed.ts';

/** The scheduled jobs of local mode, callable on demand (tests) and on timers (`npm start`). */
export interface LocalJobs {
  /** Runs the seal job now (options as in AWS unless given). */
  sealRollups(options?: SealRollupsOptions): Promise<SealReport>;
  /** Fetches and stores the day's reference rates now. */
  refreshFxRates(): Promise<FxQuote>;
  /** Fetches the maintained price data and stores it as a new price version now. */
  refreshPrices(): Promise<PriceRefreshReport>;
  /** Runs the alert evaluator now (the handler EventBridge invokes every minute in AWS). */
  evaluateAlerts(): Promise<EvaluateAlertsReport>;
  /** Runs the budget sweep now (every 5 minutes in AWS). */
  sweepBudgets(): Promise<SweepBudgetsReport>;
  /** Records the requests whose traces outlived them now (options as in AWS unless given). */
  sweepTraces(options?: SweepTracesOptions): Promise<SweepTracesReport>;
  /** Runs the alert delivery retries now (their own schedule in AWS). */
  deliverAlerts(): Promise<DeliverDueReport>;
  stop(): void;
}

/**
 * Seal every 5 minutes, FX and prices every 24 hours (and once at start), as the EventBridge
 * rules do.
 */
export const LOCAL_SEAL_INTERVAL_MS = 5 * 60_000;
/** The budget sweep's interval, as in AWS. */
export const LOCAL_BUDGET_SWEEP_INTERVAL_MS = 5 * 60_000;
/** The trace sweeper's interval, as its EventBridge rule (and once at start). */
export const LOCAL_TRACE_SWEEP_INTERVAL_MS = 5 * 60_000;
/** The alert evaluator's default interval (`METRION_ALERTS_INTERVAL_S`), as in AWS. */
export const LOCAL_ALERTS_INTERVAL_MS = 60_000;

export interface LocalJobsOptions {
  readonly data: LocalData;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** @default - the ECB's daily XML */
  readonly fxRatesUrl?: string | undefined;
  /** @default - the genai-prices repository's maintained data file */
  readonly pricesUrl?: string | undefined;
  /** Start the timers. @default true */
  readonly schedule?: boolean;
  /** How alert emails go out (aws-ses-v2-local). */
  readonly mail: AlertMailConfig;
  /** The Dashboard's base URL, for links in alert emails. */
  readonly dashboardUrl: string;
  /** @default {@link LOCAL_ALERTS_INTERVAL_MS} */
  readonly alertsIntervalMs?: number;
  /** The aggregator's feed: records the trace sweeper writes reach the rollups through it. */
  readonly usageFeed: UsageFeed;
}

export function startLocalJobs(options: LocalJobsOptions): LocalJobs {
  const jobs = { ...alertJobs(options), ...dataJobs(options) };
  const stop =
    options.schedule === false
      ? () => undefined
      : startScheduler(scheduledJobs(jobs, options.alertsIntervalMs), options.logger);
  return { ...jobs, stop };
}

/** The jobs that keep usage, rates and prices current. */
function dataJobs(
  options: LocalJobsOptions,
): Pick<LocalJobs, 'sealRollups' | 'sweepTraces' | 'refreshFxRates' | 'refreshPrices'> {
  const { data, logger, clock } = options;
  const storeDeps = buildSealRollupsDeps({
    documentClient: data.documentClient,
    usageTable: data.usageTable,
    logger,
    clock,
  });
  const sealDeps = {
    ...storeDeps,
    rollups: forgettingClearedMarkers(storeDeps.rollups, options.usageFeed),
  };
  const fxHandler = createFxRatesHandler(
    buildFxRatesDeps({
      documentClient: data.documentClient,
      fxRatesTable: data.fxRatesTable,
      fxRatesUrl: options.fxRatesUrl,
      logger,
    }),
  );
  const sweepDeps = buildSweepTracesDeps({
    documentClient: data.documentClient,
    usageTable: data.usageTable,
    logger,
    clock,
    wrapUsage: (inner) => new FeedingUsageStore({ inner, feed: options.usageFeed }),
  });
  const pricesHandler = createPriceRefreshHandler(
    buildPriceRefreshDeps({
      documentClient: data.documentClient,
      pricesTable: data.pricesTable,
      pricesUrl: options.pricesUrl,
      logger,
      clock,
    }),
  );
  return {
    sealRollups: (sealOptions?: SealRollupsOptions) => sealRollups(sealDeps, sealOptions),
    sweepTraces: (sweepOptions?: SweepTracesOptions) => sweepTraces(sweepDeps, sweepOptions),
    refreshFxRates: () => fxHandler(),
    refreshPrices: () => pricesHandler(),
  };
}

/** The jobs that evaluate alerts and budgets and deliver what they send. */
function alertJobs(
  options: LocalJobsOptions,
): Pick<LocalJobs, 'evaluateAlerts' | 'sweepBudgets' | 'deliverAlerts'> {
  const { data, logger, clock } = options;
  const alertsHandler = createAlertsHandler(
    buildAlertsDeps({
      documentClient: data.documentClient,
      accountsTable: data.accountsTable,
      usageTable: data.usageTable,
      fxRatesTable: data.fxRatesTable,
      mail: options.mail,
      dataKeyProvider: data.dataKeyProvider,
      webhookPolicy: LOCAL_WEBHOOK_POLICY,
      dashboardUrl: options.dashboardUrl,
      logger,
      clock,
    }),
  );
  const budgetSweep = createBudgetSweepHandler(
    buildBudgetSweepDeps({
      documentClient: data.documentClient,
      accountsTable: data.accountsTable,
      fxRatesTable: data.fxRatesTable,
      mail: options.mail,
      dashboardUrl: options.dashboardUrl,
      logger,
      clock,
    }),
  );
  const deliveriesHandler = createAlertDeliveriesHandler(
    buildAlertDeliveryDeps(
      {
        documentClient: data.documentClient,
        accountsTable: data.accountsTable,
        mail: options.mail,
        dataKeyProvider: data.dataKeyProvider,
        webhookPolicy: LOCAL_WEBHOOK_POLICY,
        logger,
      },
      { clock: clock ?? new SystemClock(), random: new CryptoRandom() },
    ),
  );
  return {
    evaluateAlerts: () => alertsHandler(),
    sweepBudgets: () => budgetSweep(),
    deliverAlerts: () => deliveriesHandler(),
  };
}

/** The EventBridge rules of AWS, as timers. */
function scheduledJobs(
  jobs: Omit<LocalJobs, 'stop'>,
  alertsIntervalMs = LOCAL_ALERTS_INTERVAL_MS,
): ScheduledJob[] {
  return [
    { name: 'seal-rollups', intervalMs: LOCAL_SEAL_INTERVAL_MS, run: () => jobs.sealRollups() },
    {
      // At start too: a laptop that slept for days has hours older than 48 h to seal.
      name: 'seal-rollups-sweep',
      intervalMs: 24 * HOUR_MS,
      runAtStart: true,
      run: () => jobs.sealRollups({ lookbackMs: SWEEP_LOOKBACK_MS }),
    },
    {
      name: 'fx-rates',
      intervalMs: 24 * HOUR_MS,
      runAtStart: true,
      // The handler logs its own failure (offline: one warning); the scheduler's would repeat it.
      run: () => jobs.refreshFxRates().catch(() => undefined),
    },
    { name: 'prices', intervalMs: 24 * HOUR_MS, runAtStart: true, run: () => jobs.refreshPrices() },
    { name: 'alerts', intervalMs: alertsIntervalMs, run: () => jobs.evaluateAlerts() },
    {
      name: 'budget-sweep',
      intervalMs: LOCAL_BUDGET_SWEEP_INTERVAL_MS,
      run: () => jobs.sweepBudgets(),
    },
    {
      // At start too: requests cut off by a crash of the previous run are recorded once old enough.
      name: 'sweep-traces',
      intervalMs: LOCAL_TRACE_SWEEP_INTERVAL_MS,
      runAtStart: true,
      run: () => jobs.sweepTraces(),
    },
    { name: 'alert-deliveries', intervalMs: alertsIntervalMs, run: () => jobs.deliverAlerts() },
  ];
}
