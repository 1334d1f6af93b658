import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AlertDelivery, DeliveryKey } from '#core/alerts/channels/alert-delivery.ts';
import type { AlertNotice } from '#core/alerts/channels/alert-notice.ts';
import type { AlertDeliveryStore } from '#core/ports/alert-delivery-store.ts';
import type { FakeClock } from '../fakes/fake-clock.ts';

const LEASE = 60_000;

const NOTICE: AlertNotice = {
  ruleId: 'rule_1',
  ruleName: 'Monthly spend',
  ruleType: 'budget',
  scope: { kind: 'account' },
  scopeText: 'all requests',
  level: 'alert',
  headline: 'Alert: Monthly spend',
  value: '430.00 EUR',
  threshold: '400.00 EUR',
  period: { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z', text: 'November' },
  details: [['Crosses on', '2026-11-27']],
  dashboardUrl: 'https://app.example.com/dashboard',
  firedAt: '2026-11-12T10:00:00.000Z',
};

/**
 * The AlertDeliveryStore contract: enqueue is a claim (one creator among concurrent ones), a
 * lease admits one attempt at a time, settle moves a delivery out of the queue or back into it,
 * and the log is per account and channel.
 */
export function alertDeliveryStoreContract(
  create: () => Promise<{ store: AlertDeliveryStore; clock: FakeClock }>,
): void {
  let store: AlertDeliveryStore;
  let clock: FakeClock;
  let accountId: string;

  beforeEach(async () => {
    ({ store, clock } = await create());
    accountId = `acct-${randomUUID()}`;
  });

  const delivery = (overrides: Partial<AlertDelivery> = {}): AlertDelivery => ({
    accountId,
    channelId: 'ch_1',
    deliveryId: `dlv_${randomUUID().slice(0, 12)}`,
    notice: NOTICE,
    createdAt: new Date(clock.nowMs()).toISOString(),
    status: 'pending',
    attempts: 0,
    ...overrides,
  });
  const keyOf = ({ accountId: a, channelId, deliveryId }: DeliveryKey) => ({
    accountId: a,
    channelId,
    deliveryId,
  });
  const lease = (key: DeliveryKey, token: string = randomUUID()) =>
    store.lease(key, { nowMs: clock.nowMs(), leaseMs: LEASE, token });

  describe('enqueue', () => {
    it('of one id creates it once, also under concurrency, keeping the first content', async () => {
      const first = delivery();
      const results = await Promise.all(
        [1, 2, 3, 4, 5].map((i) => store.enqueue({ ...first, to: `user${i}@example.com` })),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const log = await store.listForChannel(accountId, 'ch_1', 10);
      expect(log).toHaveLength(1);
      expect(log[0]).toMatchObject({ status: 'pending', attempts: 0, notice: NOTICE });
    });

    it('is due at once', async () => {
      const item = delivery();
      await store.enqueue(item);
      expect(await store.listDue(clock.nowMs(), 100)).toContainEqual(keyOf(item));
    });
  });

  describe('lease and settle', () => {
    it('admits one attempt among concurrent lessees', async () => {
      const item = delivery();
      await store.enqueue(item);
      const leases = await Promise.all([1, 2, 3, 4].map(() => lease(item)));
      expect(leases.filter((leased) => leased !== undefined)).toHaveLength(1);
      expect(leases.find((leased) => leased !== undefined)).toMatchObject({ notice: NOTICE });
    });

    it('a lease that ran out can be taken again', async () => {
      const item = delivery();
      await store.enqueue(item);
      expect(await lease(item)).toBeDefined();
      clock.advance(LEASE - 1);
      expect(await lease(item)).toBeUndefined();
      clock.advance(1);
      expect(await lease(item)).toBeDefined();
    });

    it('delivered leaves the queue for good, with its result in the log', async () => {
      const item = delivery();
      await store.enqueue(item);
      await lease(item, 'tok');
      await store.settle(item, 'tok', {
        status: 'delivered',
        attemptAt: new Date(clock.nowMs()).toISOString(),
        result: { kind: 'answered', status: 204 },
      });
      expect(await store.listDue(clock.nowMs() + 86_400_000, 100)).not.toContainEqual(keyOf(item));
      expect(await lease(item)).toBeUndefined();
      const [logged] = await store.listForChannel(accountId, 'ch_1', 10);
      expect(logged).toMatchObject({
        status: 'delivered',
        attempts: 1,
        lastResult: { kind: 'answered', status: 204 },
      });
    });

    it('pending comes back due at the next attempt time, not before', async () => {
      const item = delivery();
      await store.enqueue(item);
      await lease(item, 'tok');
      const nextMs = clock.nowMs() + 120_000;
      await store.settle(item, 'tok', {
        status: 'pending',
        attemptAt: new Date(clock.nowMs()).toISOString(),
        result: { kind: 'answered', status: 500 },
        nextAttemptMs: nextMs,
      });
      expect(await store.listDue(nextMs - 1, 100)).not.toContainEqual(keyOf(item));
      expect(await lease(item)).toBeUndefined();
      expect(await store.listDue(nextMs, 100)).toContainEqual(keyOf(item));
      clock.advance(120_000);
      expect(await lease(item)).toMatchObject({ attempts: 1, status: 'pending' });
    });

    it('a settle with a lease that is not (or no longer) its own changes nothing', async () => {
      const item = delivery();
      await store.enqueue(item);
      await lease(item, 'old');
      clock.advance(LEASE);
      await lease(item, 'new');
      await store.settle(item, 'old', {
        status: 'delivered',
        attemptAt: new Date(clock.nowMs()).toISOString(),
        result: { kind: 'answered', status: 200 },
      });
      const [logged] = await store.listForChannel(accountId, 'ch_1', 10);
      expect(logged).toMatchObject({ status: 'pending', attempts: 0 });
    });
  });

  describe('listDue and listForChannel', () => {
    it('lists due deliveries earliest first, up to the limit', async () => {
      const first = delivery();
      await store.enqueue(first);
      clock.advance(1000);
      const second = delivery();
      await store.enqueue(second);
      const due = (await store.listDue(clock.nowMs(), 1000)).filter(
        (key) => key.accountId === accountId,
      );
      expect(due).toEqual([keyOf(first), keyOf(second)]);
      expect(await store.listDue(clock.nowMs(), 1)).toHaveLength(1);
    });

    it("keeps each channel's log to itself, newest first", async () => {
      const a = delivery({ channelId: 'ch_a' });
      await store.enqueue(a);
      clock.advance(1000);
      const b = delivery({ channelId: 'ch_a' });
      await store.enqueue(b);
      await store.enqueue(delivery({ channelId: 'ch_b' }));
      await store.enqueue(delivery({ channelId: 'ch_a', accountId: `${accountId}-other` }));
      const log = await store.listForChannel(accountId, 'ch_a', 10);
      expect(log.map((d) => d.deliveryId)).toEqual([b.deliveryId, a.deliveryId]);
    });
  });
}
