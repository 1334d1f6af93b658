import type { AlertChannelStore } from '../../ports/alert-channel-store.ts';
import type { AlertDeliveryStore } from '../../ports/alert-delivery-store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Mailer } from '../../ports/mailer.ts';
import type { Random } from '../../ports/random.ts';
import type { WebhookClient } from '../../ports/webhook-client.ts';
import type { SecretVault } from '../../vault/secret-vault.ts';
import { type AttemptResult, channelSecretContext, EMAIL_CHANNEL_ID } from './alert-channel.ts';
import {
  type AlertDelivery,
  afterAttempt,
  DELIVERY_LEASE_MS,
  type DeliveryKey,
} from './alert-delivery.ts';
import { noticeEmail } from './render-email.ts';
import { slackBody, webhookBody } from './render-webhook.ts';
import { DELIVERY_ID_HEADER, SIGNATURE_HEADER, signWebhook } from './webhook-signature.ts';

export interface DeliverDeps {
  readonly deliveries: AlertDeliveryStore;
  readonly channels: Pick<AlertChannelStore, 'get' | 'recordLastDelivery'>;
  readonly vault: Pick<SecretVault, 'open'>;
  readonly webhooks: WebhookClient;
  readonly mailer: Mailer;
  readonly clock: Clock;
  readonly random: Pick<Random, 'bytes'>;
  readonly logger: Logger;
}

export type AttemptOutcome = 'delivered' | 'retrying' | 'failed' | 'skipped';

function leaseToken(random: Pick<Random, 'bytes'>): string {
  return Buffer.from(random.bytes(12)).toString('hex');
}

/** Sends one delivery once, by its channel's kind; never throws for the receiver's failures. */
async function send(deps: DeliverDeps, delivery: AlertDelivery): Promise<AttemptResult> {
  if (delivery.channelId === EMAIL_CHANNEL_ID) {
    try {
      await deps.mailer.send(noticeEmail(delivery.notice, delivery.to ?? ''));
      return { kind: 'answered', status: 250 };
    } catch {
      return { kind: 'failed', reason: 'network' };
    }
  }
  const channel = await deps.channels.get(delivery.accountId, delivery.channelId);
  if (channel === undefined) return { kind: 'refused', reason: 'The channel was deleted.' };
  const secret = await deps.vault.open(
    channel.sealed,
    channelSecretContext(channel.accountId, channel.channelId),
  );
  const json = { 'content-type': 'application/json', 'user-agent': 'Metrion-Alerts/1' };
  if (channel.kind === 'slack') return deps.webhooks.post(secret, json, slackBody(delivery.notice));
  const body = webhookBody(delivery.deliveryId, delivery.notice);
  const timestamp = Math.floor(deps.clock.nowMs() / 1000);
  return deps.webhooks.post(
    channel.url ?? '',
    {
      ...json,
      [DELIVERY_ID_HEADER]: delivery.deliveryId,
      [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
    },
    body,
  );
}

/**
 * One attempt at a due delivery: lease it (so no other sender attempts it at the same time),
 * send it, record the result (delivered on a 2xx; retried with backoff for 24 h otherwise; a URL
 * refused by the policy is not retried) and the channel's last status. Skipped when it is not
 * due or another sender holds it. A sender that dies after the receiver accepted and before the
 * result is recorded leaves the delivery to be sent again after the lease: the one way a receiver
 * can get a delivery twice, with the same `x-metrion-delivery` id to deduplicate on.
 */
export async function attemptDelivery(
  deps: DeliverDeps,
  key: DeliveryKey,
): Promise<AttemptOutcome> {
  const token = leaseToken(deps.random);
  const nowMs = deps.clock.nowMs();
  const delivery = await deps.deliveries.lease(key, { nowMs, leaseMs: DELIVERY_LEASE_MS, token });
  if (delivery === undefined) return 'skipped';
  const result = await send(deps, delivery);
  const attemptMs = deps.clock.nowMs();
  const next = afterAttempt(delivery, result, attemptMs);
  const attemptAt = new Date(attemptMs).toISOString();
  await deps.deliveries.settle(key, token, {
    status: next.status,
    attemptAt,
    result,
    nextAttemptMs: next.nextAttemptMs,
  });
  const outcome = next.status === 'pending' ? 'retrying' : next.status;
  if (key.channelId !== EMAIL_CHANNEL_ID) {
    await deps.channels.recordLastDelivery(key.accountId, key.channelId, {
      at: attemptAt,
      deliveryId: key.deliveryId,
      outcome,
      result,
    });
  }
  const fields = { ...key, outcome, result: result.kind };
  if (outcome === 'delivered') deps.logger.info('alert delivered', fields);
  else deps.logger.warn('alert delivery attempt failed', fields);
  return outcome;
}

/** Counts of one retry run. */
export interface DeliverDueReport {
  readonly attempted: number;
  readonly delivered: number;
  readonly retrying: number;
  readonly failed: number;
}

/** Attempts in flight at once in a retry run (each waits at most the 5 s send timeout). */
const RETRY_CONCURRENCY = 8;

/**
 * The retry run (its own schedule, every minute): attempts the deliveries that are due, earliest
 * first, at most `limit` of them, {@link RETRY_CONCURRENCY} at a time, starting no new group
 * after `budgetMs`.
 */
export async function deliverDue(
  deps: DeliverDeps,
  options: { readonly limit?: number; readonly budgetMs?: number } = {},
): Promise<DeliverDueReport> {
  const startedMs = deps.clock.nowMs();
  const due = await deps.deliveries.listDue(startedMs, options.limit ?? 200);
  const report = { attempted: 0, delivered: 0, retrying: 0, failed: 0 };
  for (let i = 0; i < due.length; i += RETRY_CONCURRENCY) {
    if (deps.clock.nowMs() - startedMs >= (options.budgetMs ?? 40_000)) break;
    const group = due.slice(i, i + RETRY_CONCURRENCY);
    for (const outcome of await Promise.all(group.map((key) => attemptDelivery(deps, key)))) {
      if (outcome === 'skipped') continue;
      report.attempted += 1;
      report[outcome] += 1;
    }
  }
  return report;
}
