import type { EvaluateAlertsReport } from '#core/alerts/evaluate-alerts.ts';
import type { SweepBudgetsReport } from '#core/budgets/sweep-budgets.ts';
import type { FxQuote } from '#core/currency/fx.ts';
import type { Clock } from '#core/ports/clock.ts';
import type { Logger } from '#core/ports/logger.ts';
import { HOUR_MS } from '#core/rollups/buckets.ts';
import {
  type SealReport,
  type SealRollupsOptions,
  SWEEP_LOOKBACK_MS,
  sealRollups,
} from '#core/rollups/seal-rollups.ts';
import { createAlertsHandler } from '#handlers/alerts.ts';
import { createBudgetSweepHandler } from '#handlers/budget-sweep.ts';
import { createFxRatesHandler } from '#handlers/fx-rates.ts';
import { type AlertMailConfig, buildAlertsDeps } from '#lambda/alerts.deps.ts';
import { buildBudgetSweepDeps } from '#lambda/budget-sweep.deps.ts';
import { buildFxRatesDeps } from '#lambda/fx-rates.deps.ts';
import { buildSealRollupsDeps } from '#lambda/seal-rollups.deps.ts';
import type { LocalData } from './local-data.ts';
import { startScheduler } from './scheduler.ts';

/** The scheduled jobs of local mode, callable on demand (tests) and on timers (`npm start`). */
export interface LocalJobs {
  /** Runs the seal job now (options as in AWS unless given). */
  sealRollups(options?: SealRollupsOptions): Promise<SealReport>;
  /** Fetches and stores the day's reference rates now. */
  refreshFxRates(): Promise<FxQuote>;
  /** Runs the alert evaluator now (the handler EventBridge invokes every minute in AWS). */
  evaluateAlerts(): Promise<EvaluateAlertsReport>;
  /** Runs the budget sweep now (every 5 minutes in AWS). */
  sweepBudgets(): Promise<SweepBudgetsReport>;
  stop(): void;
}

/** Seal every 5 minutes, FX every 24 hours (and once at start), as the EventBridge rules do. */
export const LOCAL_SEAL_INTERVAL_MS = 5 * 60_000;
/** The budget sweep's interval, as in AWS. */
export const LOCAL_BUDGET_SWEEP_INTERVAL_MS = 5 * 60_000;
/** The alert evaluator's default interval (`METRION_ALERTS_INTERVAL_S`), as in AWS. */
export const LOCAL_ALERTS_INTERVAL_MS = 60_000;

export function startLocalJobs(options: {
  readonly data: LocalData;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** @default - the ECB's daily XML */
  readonly fxRatesUrl?: string;
  /** Start the timers. @default true */
  readonly schedule?: boolean;
  /** How alert emails go out (aws-ses-v2-local). */
  readonly mail: AlertMailConfig;
  /** The Dashboard's base URL, for links in alert emails. */
  readonly dashboardUrl: string;
  /** @default {@link LOCAL_ALERTS_INTERVAL_MS} */
  readonly alertsIntervalMs?: number;
}): LocalJobs {
  const alertsHandler = createAlertsHandler(
    buildAlertsDeps({
      documentClient: options.data.documentClient,
      accountsTable: options.data.accountsTable,
      usageTable: options.data.usageTable,
      fxRatesTable: options.data.fxRatesTable,
      mail: options.mail,
      dashboardUrl: options.dashboardUrl,
      logger: options.logger,
      ...(options.clock ? { clock: options.clock } : {}),
    }),
  );
  const budgetSweep = createBudgetSweepHandler(
    buildBudgetSweepDeps({
      documentClient: options.data.documentClient,
      accountsTable: options.data.accountsTable,
      fxRatesTable: options.data.fxRatesTable,
      mail: options.mail,
      dashboardUrl: options.dashboardUrl,
      logger: options.logger,
      ...(options.clock ? { clock: options.clock } : {}),
    }),
  );
  const sealDeps = buildSealRollupsDeps({
    documentClient: options.data.documentClient,
    usageTable: options.data.usageTable,
    logger: options.logger,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const fxHandler = createFxRatesHandler(
    buildFxRatesDeps({
      documentClient: options.data.documentClient,
      fxRatesTable: options.data.fxRatesTable,
      ...(options.fxRatesUrl ? { fxRatesUrl: options.fxRatesUrl } : {}),
      logger: options.logger,
    }),
  );
  const stop =
    options.schedule === false
      ? () => undefined
      : startScheduler(
          [
            {
              name: 'seal-rollups',
              intervalMs: LOCAL_SEAL_INTERVAL_MS,
              run: () => sealRollups(sealDeps),
            },
            {
              // At start too: a laptop that slept for days has hours older than 48 h to seal.
              name: 'seal-rollups-sweep',
              intervalMs: 24 * HOUR_MS,
              runAtStart: true,
              run: () => sealRollups(sealDeps, { lookbackMs: SWEEP_LOOKBACK_MS }),
            },
            { name: 'fx-rates', intervalMs: 24 * HOUR_MS, runAtStart: true, run: fxHandler },
            {
              name: 'alerts',
              intervalMs: options.alertsIntervalMs ?? LOCAL_ALERTS_INTERVAL_MS,
              run: alertsHandler,
            },
            {
              name: 'budget-sweep',
              intervalMs: LOCAL_BUDGET_SWEEP_INTERVAL_MS,
              run: budgetSweep,
            },
          ],
          options.logger,
        );
  return {
    sealRollups: (sealOptions) => sealRollups(sealDeps, sealOptions),
    refreshFxRates: () => fxHandler(),
    evaluateAlerts: () => alertsHandler(),
    sweepBudgets: () => budgetSweep(),
    stop,
  };
}
