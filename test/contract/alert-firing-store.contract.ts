import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AlertFiringStore } from '#core/ports/alert-firing-store.ts';
import type { AlertRuleStore } from '#core/ports/alert-rule-store.ts';
import {
  type AlertPorts,
  HOUR_MS,
  RULES_NOW_MS as NOW_MS,
  newRule as rule,
} from '../fixtures/alert-stores.ts';
import { freshForEachTest } from '../fixtures/each-test.ts';

const LEVEL = { cooldownMs: 24 * HOUR_MS, leaseMs: 5 * 60_000 } as const;

function levelClaimsSuite(createPorts: () => Promise<AlertPorts>): void {
  describe('level claims', () => {
    const ports = freshForEachTest(async () => {
      const { rules, firing } = await createPorts();
      const claimed = rule(`acct-${randomUUID()}`);
      await rules.create(claimed, 50);
      return { rules, firing, accountId: claimed.accountId, ruleId: claimed.ruleId };
    });
    const claim = (token: string, nowMs: number) =>
      ports.firing.claimLevel(ports.accountId, ports.ruleId, 'alert', { ...LEVEL, nowMs, token });

    it('grants one claim at a time until its lease ends', async () => {
      expect(await claim('a', NOW_MS)).toBe(true);
      expect(await claim('b', NOW_MS + LEVEL.leaseMs - 1)).toBe(false);
      expect(await claim('b', NOW_MS + LEVEL.leaseMs)).toBe(true);
    });

    it('gives exactly one of many concurrent claimers the level', async () => {
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, (_, i) => claim(`token-${i}`, NOW_MS)),
      );
      expect(outcomes.filter(Boolean)).toHaveLength(1);
    });

    it('records a confirmed firing and holds the level for the cooldown', async () => {
      const firedAt = new Date(NOW_MS).toISOString();
      expect(await claim('a', NOW_MS)).toBe(true);
      await ports.firing.confirmLevel(ports.accountId, ports.ruleId, 'alert', 'a', firedAt);
      expect((await ports.rules.get(ports.accountId, ports.ruleId))?.lastFired).toEqual({
        alert: firedAt,
      });
      expect(await claim('b', NOW_MS + LEVEL.cooldownMs - 1)).toBe(false);
      expect(await claim('b', NOW_MS + LEVEL.cooldownMs)).toBe(true);
    });

    it('keeps the levels apart', async () => {
      expect(await claim('a', NOW_MS)).toBe(true);
      expect(
        await ports.firing.claimLevel(ports.accountId, ports.ruleId, 'warning', {
          ...LEVEL,
          nowMs: NOW_MS,
          token: 'w',
        }),
      ).toBe(true);
    });

    it('frees the level on release (only with the holder token), leaving it unfired', async () => {
      expect(await claim('a', NOW_MS)).toBe(true);
      await ports.firing.releaseLevel(ports.accountId, ports.ruleId, 'alert', 'not-a');
      expect(await claim('b', NOW_MS + 1)).toBe(false);
      await ports.firing.releaseLevel(ports.accountId, ports.ruleId, 'alert', 'a');
      expect((await ports.rules.get(ports.accountId, ports.ruleId))?.lastFired).toEqual({});
      expect(await claim('b', NOW_MS + 1)).toBe(true);
    });

    it('still records the firing when the lease ran out and another claim holds the level', async () => {
      expect(await claim('a', NOW_MS)).toBe(true);
      expect(await claim('b', NOW_MS + LEVEL.leaseMs)).toBe(true);
      const firedAt = new Date(NOW_MS + LEVEL.leaseMs + 1).toISOString();
      await ports.firing.confirmLevel(ports.accountId, ports.ruleId, 'alert', 'a', firedAt);
      expect((await ports.rules.get(ports.accountId, ports.ruleId))?.lastFired.alert).toBe(firedAt);
      expect(await claim('c', NOW_MS + 2 * LEVEL.leaseMs)).toBe(false); // within the cooldown
    });
  });
}

/**
 * The AlertFiringStore contract: level claims (one winner among concurrent claimers, held for
 * the lease, then for the cooldown once confirmed) and the evaluated state, scoped by account.
 * Rules are written and read through the paired AlertRuleStore.
 */
export function alertFiringStoreContract(createPorts: () => Promise<AlertPorts>): void {
  let rules: AlertRuleStore;
  let store: AlertFiringStore;
  let accountId: string;

  beforeEach(async () => {
    ({ rules, firing: store } = await createPorts());
    accountId = `acct-${randomUUID()}`;
  });

  it("never claims another account's rule", async () => {
    const mine = rule(accountId);
    await rules.create(mine, 50);
    const other = `acct-${randomUUID()}`;

    expect(
      await store.claimLevel(other, mine.ruleId, 'alert', { ...LEVEL, nowMs: NOW_MS, token: 't' }),
    ).toBe(false);
    expect(await rules.get(accountId, mine.ruleId)).toEqual(mine);
  });

  it('records the evaluated state', async () => {
    const watched = rule(accountId);
    await rules.create(watched, 50);
    await store.setState(accountId, watched.ruleId, 'alert');
    expect((await rules.get(accountId, watched.ruleId))?.state).toBe('alert');
    await store.setState(accountId, 'rule_missing', 'alert');
    expect(await rules.list(accountId)).toHaveLength(1);
  });

  levelClaimsSuite(createPorts);
}
