import { randomUUID } from 'node:crypto';
import { beforeEach, expect, it } from 'vitest';
import type { AlertChannel, LastDelivery } from '#core/alerts/channels/alert-channel.ts';
import type { AlertChannelStore } from '#core/ports/alert-channel-store.ts';

const SEALED = {
  version: 1,
  encryptedDataKey: 'a2V5',
  iv: 'aXY=',
  ciphertext: 'c2VjcmV0',
  authTag: 'dGFn',
} as const;

/** The AlertChannelStore contract: account scoping, rename, delete, the last delivery's order. */
export function alertChannelStoreContract(createStore: () => Promise<AlertChannelStore>): void {
  let store: AlertChannelStore;
  let accountId: string;
  let sequence = 0;

  beforeEach(async () => {
    store = await createStore();
    accountId = `acct-${randomUUID()}`;
  });

  const channel = (overrides: Partial<AlertChannel> = {}): AlertChannel => {
    sequence += 1;
    return {
      accountId,
      channelId: `ch_${randomUUID().slice(0, 12)}`,
      kind: 'webhook',
      name: `Hook ${sequence}`,
      displayUrl: 'https://hooks.example.com/metrion',
      url: 'https://hooks.example.com/metrion',
      sealed: SEALED,
      createdAt: new Date(Date.UTC(2026, 10, 12, 10, 0, sequence)).toISOString(),
      ...overrides,
    };
  };
  const last = (at: string, outcome: LastDelivery['outcome']): LastDelivery => ({
    at,
    deliveryId: 'dlv_1',
    outcome,
    result: { kind: 'answered', status: outcome === 'delivered' ? 200 : 500 },
  });

  it('lists an account’s channels oldest first and never another account’s', async () => {
    const first = channel();
    const second = channel({
      kind: 'slack',
      url: undefined,
      displayUrl: 'https://hooks.slack.com/services/T0…',
    });
    const { url: _none, ...slack } = second;
    await store.create(first);
    await store.create(slack);
    await store.create(channel({ accountId: `${accountId}-other` }));
    expect(await store.list(accountId)).toEqual([first, slack]);
    expect(await store.get(`${accountId}-other`, first.channelId)).toBeUndefined();
  });

  it('refuses an id that is taken', async () => {
    const taken = channel();
    await store.create(taken);
    await expect(store.create({ ...taken, name: 'Again' })).rejects.toThrow();
  });

  it('renames and deletes only the account’s own channel', async () => {
    const own = channel();
    await store.create(own);
    expect(await store.rename(`${accountId}-other`, own.channelId, 'x')).toBeUndefined();
    expect(await store.rename(accountId, own.channelId, 'Pager')).toMatchObject({ name: 'Pager' });
    expect(await store.delete(`${accountId}-other`, own.channelId)).toBe(false);
    expect(await store.delete(accountId, own.channelId)).toBe(true);
    expect(await store.get(accountId, own.channelId)).toBeUndefined();
    expect(await store.delete(accountId, own.channelId)).toBe(false);
  });

  it('keeps the latest attempt as the last delivery, whatever order they are recorded in', async () => {
    const own = channel();
    await store.create(own);
    await store.recordLastDelivery(
      accountId,
      own.channelId,
      last('2026-11-12T10:05:00.000Z', 'delivered'),
    );
    await store.recordLastDelivery(
      accountId,
      own.channelId,
      last('2026-11-12T10:01:00.000Z', 'retrying'),
    );
    expect((await store.get(accountId, own.channelId))?.lastDelivery).toEqual(
      last('2026-11-12T10:05:00.000Z', 'delivered'),
    );
  });

  it('records nothing for a deleted channel', async () => {
    const gone = channel();
    await store.create(gone);
    await store.delete(accountId, gone.channelId);
    await store.recordLastDelivery(
      accountId,
      gone.channelId,
      last('2026-11-12T10:05:00.000Z', 'failed'),
    );
    expect(await store.get(accountId, gone.channelId)).toBeUndefined();
  });
}
