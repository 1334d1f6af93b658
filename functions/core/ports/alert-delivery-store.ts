import type { AttemptResult } from '../alerts/channels/alert-channel.ts';
import type { AlertDelivery, DeliveryKey } from '../alerts/channels/alert-delivery.ts';

/**
 * The delivery log and retry queue of alert notices: one item per (channel, delivery id).
 * Ids are derived from what fired, so storing a delivery is also the claim that it is sent at
 * most once: of any number of evaluators storing the same id, one creates it.
 */
export interface AlertDeliveryStore {
  /**
   * Stores a new pending delivery, due now, unless one with its key exists (then nothing is
   * written). Answers whether this call created it.
   */
  enqueue(delivery: AlertDelivery): Promise<boolean>;
  /**
   * Takes a pending delivery whose attempt is due at `nowMs` for one attempt: succeeds only when
   * no unexpired lease is held, so two senders never attempt it together. Answers the delivery,
   * or undefined when it is not pending, not due, or leased.
   */
  lease(
    key: DeliveryKey,
    options: { readonly nowMs: number; readonly leaseMs: number; readonly token: string },
  ): Promise<AlertDelivery | undefined>;
  /**
   * Records an attempt and drops the lease (only while the lease is still `token`'s): delivered
   * and failed deliveries leave the queue; pending ones are due again at `nextAttemptMs`.
   */
  settle(
    key: DeliveryKey,
    token: string,
    outcome: {
      readonly status: AlertDelivery['status'];
      readonly attemptAt: string;
      readonly result: AttemptResult;
      readonly nextAttemptMs?: number | undefined;
    },
  ): Promise<void>;
  /** Pending deliveries of every account due at `nowMs`, earliest first, at most `limit`. */
  listDue(nowMs: number, limit: number): Promise<DeliveryKey[]>;
  /** A channel's deliveries of the last days, newest first, at most `limit`. */
  listForChannel(accountId: string, channelId: string, limit: number): Promise<AlertDelivery[]>;
}
