import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AlertRuleStore } from '#core/ports/alert-rule-store.ts';
import type { AlertTestClaimStore } from '#core/ports/alert-test-claim-store.ts';
import {
  type AlertPorts,
  HOUR_MS,
  RULES_NOW_MS as NOW_MS,
  newRule as rule,
} from '../fixtures/alert-stores.ts';

/**
 * The AlertTestClaimStore contract: one Test per cooldown (one winner among concurrent Tests),
 * release of its own claim only, scoped by account. Rules are written and read through the
 * paired AlertRuleStore.
 */
export function alertTestClaimStoreContract(createPorts: () => Promise<AlertPorts>): void {
  let rules: AlertRuleStore;
  let store: AlertTestClaimStore;
  let accountId: string;

  beforeEach(async () => {
    ({ rules, testClaims: store } = await createPorts());
    accountId = `acct-${randomUUID()}`;
  });

  it("never claims a Test on another account's rule", async () => {
    const mine = rule(accountId);
    await rules.create(mine, 50);

    expect(
      await store.claimTest(`acct-${randomUUID()}`, mine.ruleId, NOW_MS, HOUR_MS),
    ).toBeUndefined();
    expect(await rules.get(accountId, mine.ruleId)).toEqual(mine);
  });

  describe('Test claims', () => {
    it('allows one Test per cooldown and puts the previous time back on release', async () => {
      const r = rule(accountId);
      await rules.create(r, 50);
      expect(await store.claimTest(accountId, r.ruleId, NOW_MS, 12 * HOUR_MS)).toEqual({
        claimed: true,
      });
      const first = new Date(NOW_MS).toISOString();
      expect(await store.claimTest(accountId, r.ruleId, NOW_MS + HOUR_MS, 12 * HOUR_MS)).toEqual({
        claimed: false,
        lastTestedAt: first,
      });
      const laterMs = NOW_MS + 12 * HOUR_MS;
      expect(await store.claimTest(accountId, r.ruleId, laterMs, 12 * HOUR_MS)).toEqual({
        claimed: true,
        previous: first,
      });
      await store.releaseTest(accountId, r.ruleId, new Date(laterMs).toISOString(), first);
      expect((await rules.get(accountId, r.ruleId))?.lastTestedAt).toBe(first);
    });

    it('releases only its own claim, and removes the time when there was none before', async () => {
      const r = rule(accountId);
      await rules.create(r, 50);
      await store.claimTest(accountId, r.ruleId, NOW_MS, 12 * HOUR_MS);
      await store.releaseTest(accountId, r.ruleId, '2020-01-01T00:00:00.000Z', undefined);
      expect((await rules.get(accountId, r.ruleId))?.lastTestedAt).toBe(
        new Date(NOW_MS).toISOString(),
      );
      await store.releaseTest(accountId, r.ruleId, new Date(NOW_MS).toISOString(), undefined);
      expect((await rules.get(accountId, r.ruleId))?.lastTestedAt).toBeUndefined();
    });

    it('gives exactly one of many concurrent Tests the claim', async () => {
      const r = rule(accountId);
      await rules.create(r, 50);
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, () => store.claimTest(accountId, r.ruleId, NOW_MS, 12 * HOUR_MS)),
      );
      expect(outcomes.filter((o) => o?.claimed)).toHaveLength(1);
    });
  });
}
