import { HOUR_MS } from '../../rollups/buckets.ts';
import type { AttemptResult } from './alert-channel.ts';
import type { AlertNotice } from './alert-notice.ts';

/** A delivery is retried for this long after it was created, then given up. */
export const DELIVERY_RETRY_WINDOW_MS = 24 * HOUR_MS;
/** One attempt holds its delivery this long (the send's 5 s timeout, with room to record). */
export const DELIVERY_LEASE_MS = 60_000;
/** The send timeout of webhook and Slack deliveries. */
export const DELIVERY_TIMEOUT_MS = 5_000;
/**
 * Deliveries stay readable (the channel's log) this long; longer than any cooldown, so a
 * delivery id computed again within one firing always finds its delivery.
 */
export const DELIVERY_LOG_DAYS = 7;

/** Where a delivery lives: its account, channel and id. */
export interface DeliveryKey {
  readonly accountId: string;
  readonly channelId: string;
  readonly deliveryId: string;
}

/** One notice to one channel, and the state of getting it there. */
export interface AlertDelivery extends DeliveryKey {
  /** The email address for the email channel; absent for webhook and Slack. */
  readonly to?: string | undefined;
  readonly notice: AlertNotice;
  /** ISO instant. */
  readonly createdAt: string;
  /** `pending` until an attempt succeeds (`delivered`) or the retries end (`failed`). */
  readonly status: 'pending' | 'delivered' | 'failed';
  readonly attempts: number;
  /** ISO instant the next attempt is due (pending only). */
  readonly nextAttemptAt?: string;
  readonly lastAttemptAt?: string;
  readonly lastResult?: AttemptResult;
}

/**
 * The wait before attempt `attempts + 1` after `attempts` failed ones: 1, 2, 4 … minutes,
 * at most 2 hours, so 24 hours hold about 20 attempts.
 */
export function retryDelayMs(attempts: number): number {
  return Math.min(2 ** Math.max(0, attempts - 1) * 60_000, 2 * HOUR_MS);
}

/** Whether an attempt's result is a success: a 2xx answer. */
export function isDelivered(result: AttemptResult): boolean {
  return result.kind === 'answered' && result.status >= 200 && result.status < 300;
}

/**
 * What an attempt at `nowMs` leaves: delivered on a 2xx; failed for good when refused by the
 * URL policy, for a Test (its answer is shown at once), or when the next attempt would fall
 * after the retry window; else pending again, due after {@link retryDelayMs}.
 */
export function afterAttempt(
  delivery: Pick<AlertDelivery, 'createdAt' | 'attempts' | 'notice'>,
  result: AttemptResult,
  nowMs: number,
): { readonly status: AlertDelivery['status']; readonly nextAttemptMs?: number } {
  if (isDelivered(result)) return { status: 'delivered' };
  if (result.kind === 'refused' || delivery.notice.level === 'test') return { status: 'failed' };
  const nextAttemptMs = nowMs + retryDelayMs(delivery.attempts + 1);
  if (nextAttemptMs > Date.parse(delivery.createdAt) + DELIVERY_RETRY_WINDOW_MS) {
    return { status: 'failed' };
  }
  return { status: 'pending', nextAttemptMs };
}
