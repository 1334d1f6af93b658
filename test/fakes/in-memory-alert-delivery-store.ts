import type { AttemptResult } from '#core/alerts/channels/alert-channel.ts';
import {
  type AlertDelivery,
  DELIVERY_LOG_DAYS,
  type DeliveryKey,
} from '#core/alerts/channels/alert-delivery.ts';
import type { AlertDeliveryStore } from '#core/ports/alert-delivery-store.ts';
import type { Clock } from '#core/ports/clock.ts';

const copy = <T>(value: T): T => structuredClone(value);
const keyOf = (key: DeliveryKey) => `${key.accountId}#${key.channelId}#${key.deliveryId}`;

interface Entry {
  delivery: AlertDelivery;
  lease?: { readonly token: string; readonly untilMs: number };
}

/**
 * AlertDeliveryStore in memory, passing the same contract suite as DynamoAlertDeliveryStore.
 * Each method checks and writes without awaiting in between, so it is as atomic as the
 * conditional writes it stands for.
 */
export class InMemoryAlertDeliveryStore implements AlertDeliveryStore {
  readonly #entries = new Map<string, Entry>();
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Every delivery stored (for tests). */
  all(): AlertDelivery[] {
    return [...this.#entries.values()].map((entry) => copy(entry.delivery));
  }

  async enqueue(delivery: AlertDelivery): Promise<boolean> {
    if (this.#entries.has(keyOf(delivery))) return false;
    this.#entries.set(keyOf(delivery), {
      delivery: copy({
        ...delivery,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: delivery.createdAt,
      }),
    });
    return true;
  }

  async lease(
    key: DeliveryKey,
    options: { readonly nowMs: number; readonly leaseMs: number; readonly token: string },
  ): Promise<AlertDelivery | undefined> {
    const entry = this.#entries.get(keyOf(key));
    if (
      entry === undefined ||
      entry.delivery.status !== 'pending' ||
      Date.parse(entry.delivery.nextAttemptAt ?? '') > options.nowMs ||
      (entry.lease !== undefined && entry.lease.untilMs > options.nowMs)
    ) {
      return undefined;
    }
    entry.lease = { token: options.token, untilMs: options.nowMs + options.leaseMs };
    return copy(entry.delivery);
  }

  async settle(
    key: DeliveryKey,
    token: string,
    outcome: {
      readonly status: AlertDelivery['status'];
      readonly attemptAt: string;
      readonly result: AttemptResult;
      readonly nextAttemptMs?: number | undefined;
    },
  ): Promise<void> {
    const entry = this.#entries.get(keyOf(key));
    if (entry?.lease?.token !== token) return;
    const { nextAttemptAt: _dropped, ...rest } = entry.delivery;
    const pending = outcome.status === 'pending' && outcome.nextAttemptMs !== undefined;
    entry.delivery = {
      ...rest,
      status: outcome.status,
      attempts: entry.delivery.attempts + 1,
      lastAttemptAt: outcome.attemptAt,
      lastResult: copy(outcome.result),
      ...(pending ? { nextAttemptAt: new Date(outcome.nextAttemptMs ?? 0).toISOString() } : {}),
    };
    delete entry.lease;
  }

  async listDue(nowMs: number, limit: number): Promise<DeliveryKey[]> {
    return [...this.#entries.values()]
      .map((entry) => entry.delivery)
      .filter((d) => d.status === 'pending' && Date.parse(d.nextAttemptAt ?? '') <= nowMs)
      .sort((a, b) => (a.nextAttemptAt ?? '').localeCompare(b.nextAttemptAt ?? ''))
      .slice(0, limit)
      .map(({ accountId, channelId, deliveryId }) => ({ accountId, channelId, deliveryId }));
  }

  async listForChannel(accountId: string, channelId: string, limit: number) {
    const oldestMs = this.#clock.nowMs() - DELIVERY_LOG_DAYS * 86_400_000;
    return [...this.#entries.values()]
      .map((entry) => entry.delivery)
      .filter(
        (d) =>
          d.accountId === accountId &&
          d.channelId === channelId &&
          Date.parse(d.createdAt) > oldestMs,
      )
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .slice(0, limit)
      .map(copy);
  }
}
