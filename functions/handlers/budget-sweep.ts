import {
  type SweepBudgetsDeps,
  type SweepBudgetsReport,
  sweepBudgets,
} from '#core/budgets/sweep-budgets.ts';

/**
 * The scheduled budget sweep (EventBridge, every 5 minutes): releases reservations lost
 * requests left behind, prunes old ledger periods, follows new reference rates and emails the
 * 90% and 100% levels. Every account is swept in isolation; when any failed, the run still
 * finishes and then throws, so the Lambda's Errors metric and its on-failure queue see it.
 */
export function createBudgetSweepHandler(deps: SweepBudgetsDeps) {
  return async (_event?: unknown): Promise<SweepBudgetsReport> => {
    const startedMs = deps.clock.nowMs();
    const report = await sweepBudgets(deps);
    deps.logger.info('budget sweep run', { ...report, durationMs: deps.clock.nowMs() - startedMs });
    if (report.failures > 0) {
      throw new Error(`The budget sweep failed for ${report.failures} account(s); see the log.`);
    }
    return report;
  };
}
