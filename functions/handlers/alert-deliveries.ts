import {
  type DeliverDeps,
  type DeliverDueReport,
  deliverDue,
} from '#core/alerts/channels/deliver.ts';

/**
 * The delivery retry run (EventBridge, every minute): attempts the alert deliveries that are due
 * (a first attempt that failed, retried with backoff for 24 h). A failed attempt is not an
 * error of the run: it is recorded and retried; only a failure to read or record throws.
 */
export function createAlertDeliveriesHandler(deps: DeliverDeps) {
  return async (_event?: unknown): Promise<DeliverDueReport> => {
    const report = await deliverDue(deps);
    deps.logger.info('alert delivery run', { ...report });
    return report;
  };
}
