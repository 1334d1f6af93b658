import {
  type EvaluateAlertsDeps,
  type EvaluateAlertsOptions,
  type EvaluateAlertsReport,
  evaluateAlerts,
} from '#core/alerts/evaluate-alerts.ts';

export interface AlertsHandlerDeps extends EvaluateAlertsDeps {
  readonly options?: EvaluateAlertsOptions;
}

/**
 * The scheduled alert evaluator (EventBridge, every minute). Every account is evaluated in
 * isolation; when any failed, the run still finishes and then throws, so the Lambda's Errors
 * metric (and its alarm) and the on-failure destination see it. A failed email is not an error:
 * its claim is released and the next run retries it.
 */
export function createAlertsHandler(deps: AlertsHandlerDeps) {
  return async (_event?: unknown): Promise<EvaluateAlertsReport> => {
    const startedMs = deps.clock.nowMs();
    const report = await evaluateAlerts(deps, deps.options);
    deps.logger.info('alert evaluation run', {
      ...report,
      durationMs: deps.clock.nowMs() - startedMs,
    });
    if (report.failures > 0) {
      throw new Error(
        `Alert evaluation failed for ${report.failures} account(s) or rule(s); see the log.`,
      );
    }
    return report;
  };
}
