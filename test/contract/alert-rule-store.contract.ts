import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AlertRule } from '#core/alerts/alert-rule.ts';
import type { AlertRuleStore } from '#core/ports/alert-rule-store.ts';
import type { AlertSweepStore } from '#core/ports/alert-sweep-store.ts';
import { type AlertPorts, newRule as rule } from '../fixtures/alert-stores.ts';

function accountRulesSuite(createPorts: () => Promise<AlertPorts>): void {
  let store: AlertRuleStore;
  let sweep: AlertSweepStore;
  let accountId: string;

  beforeEach(async () => {
    ({ rules: store, sweep } = await createPorts());
    accountId = `acct-${randomUUID()}`;
  });

  describe('rules of one account', () => {
    it('stores rules and lists them oldest first, every field as given', async () => {
      const budget = rule(accountId, {
        name: 'Monthly budget',
        period: { kind: 'since', since: '2026-03-01T00:00:00.000Z' },
        providers: ['openai', 'anthropic'],
      });
      const rate = rule(accountId, {
        type: 'error_rate',
        threshold: 5,
        unit: 'count',
        period: undefined,
        paused: true,
        lastFired: { warning: '2026-03-09T10:00:00.000Z' },
        lastTestedAt: '2026-03-09T11:00:00.000Z',
        state: 'warning',
      });
      const { period: _none, ...rateWithoutPeriod } = rate;
      expect(await store.create(rateWithoutPeriod, 50)).toBe(true);
      expect(await store.create(budget, 50)).toBe(true);
      expect(await store.get(accountId, budget.ruleId)).toEqual(budget);
      expect(await store.list(accountId)).toEqual([budget, rateWithoutPeriod].sort(byCreation));
    });

    it("never reaches another account's rule", async () => {
      const mine = rule(accountId);
      await store.create(mine, 50);
      const other = `acct-${randomUUID()}`;
      expect(await store.get(other, mine.ruleId)).toBeUndefined();
      expect(await store.list(other)).toEqual([]);
      expect(await store.update(other, mine.ruleId, { threshold: 1 })).toBeUndefined();
      expect(await store.delete(other, mine.ruleId)).toBe(false);
      expect(await store.get(accountId, mine.ruleId)).toEqual(mine);
    });

    it('updates fields, removes optional ones with null, and answers undefined for no rule', async () => {
      const original = rule(accountId, { name: 'Before', providers: ['openai'] });
      await store.create(original, 50);
      const updated = await store.update(accountId, original.ruleId, {
        name: null,
        providers: null,
        threshold: 25.5,
        period: { kind: 'since_creation' },
      });
      const { name: _name, providers: _providers, ...rest } = original;
      const expected = { ...rest, threshold: 25.5, period: { kind: 'since_creation' } };
      expect(updated).toEqual(expected);
      expect(await store.get(accountId, original.ruleId)).toEqual(expected);
      expect(await store.update(accountId, 'rule_missing', { threshold: 1 })).toBeUndefined();
    });

    it('lists by creation time whatever the ids, rules created at the same moment by id', async () => {
      const at = (second: number) => `2026-03-10T12:00:0${second}.000Z`;
      for (const [ruleId, second] of [
        ['rule_a', 2],
        ['rule_c', 1],
        ['rule_b', 1],
      ] as const) {
        await store.create(rule(accountId, { ruleId, createdAt: at(second) }), 50);
      }
      expect((await store.list(accountId)).map((r) => r.ruleId)).toEqual([
        'rule_b',
        'rule_c',
        'rule_a',
      ]);
    });

    it('keeps what the changes leave undefined, and answers the rule for no changes', async () => {
      const original = rule(accountId, { name: 'Kept', providers: ['openai'] });
      await store.create(original, 50);
      expect(await store.update(accountId, original.ruleId, {})).toEqual(original);
      expect(await store.update(accountId, 'rule_missing', {})).toBeUndefined();
      const updated = await store.update(accountId, original.ruleId, {
        threshold: 7,
        name: undefined,
        providers: undefined,
      });
      expect(updated).toEqual({ ...original, threshold: 7 });
      expect(await store.get(accountId, original.ruleId)).toEqual({ ...original, threshold: 7 });
    });

    it('removes optional fields with nothing else changed', async () => {
      const original = rule(accountId, {
        type: 'request_volume',
        name: 'Gone',
        period: { kind: 'month' },
        minimum: 20,
        scope: { kind: 'provider', provider: 'openai' },
      });
      await store.create(original, 50);
      const removed = { name: null, period: null, minimum: null, scope: null };
      const { name: _n, period: _p, minimum: _m, scope: _s, ...rest } = original;
      expect(await store.update(accountId, original.ruleId, removed)).toEqual(rest);
      expect(await store.get(accountId, original.ruleId)).toEqual(rest);
    });

    it('takes a paused rule out of the sweep and puts it back when resumed', async () => {
      const watched = rule(accountId);
      await store.create(watched, 50);
      const paused = await store.update(accountId, watched.ruleId, { paused: true });
      expect(paused).toEqual({ ...watched, paused: true });
      expect(await activeRuleIds(sweep, accountId)).toEqual([]);
      const resumed = await store.update(accountId, watched.ruleId, { paused: false });
      expect(resumed).toEqual(watched);
      expect(await activeRuleIds(sweep, accountId)).toEqual([watched.ruleId]);
    });

    it('deletes a rule once', async () => {
      const doomed = rule(accountId);
      await store.create(doomed, 50);
      expect(await store.delete(accountId, doomed.ruleId)).toBe(true);
      expect(await store.delete(accountId, doomed.ruleId)).toBe(false);
      expect(await store.get(accountId, doomed.ruleId)).toBeUndefined();
    });
  });
}

function ruleLimitSuite(createPorts: () => Promise<AlertPorts>): void {
  let store: AlertRuleStore;
  let accountId: string;

  beforeEach(async () => {
    ({ rules: store } = await createPorts());
    accountId = `acct-${randomUUID()}`;
  });

  describe('the rule limit', () => {
    it('refuses a create past the limit and makes room again on delete', async () => {
      const rules = [rule(accountId), rule(accountId), rule(accountId)];
      for (const r of rules) expect(await store.create(r, 3)).toBe(true);
      const refused = rule(accountId);
      expect(await store.create(refused, 3)).toBe(false);
      expect(await store.get(accountId, refused.ruleId)).toBeUndefined();
      expect(await store.delete(accountId, rules[0]?.ruleId ?? '')).toBe(true);
      expect(await store.delete(accountId, rules[0]?.ruleId ?? '')).toBe(false); // no double refund
      expect(await store.create(rule(accountId), 3)).toBe(true);
      expect(await store.create(rule(accountId), 3)).toBe(false);
      expect(await store.list(accountId)).toHaveLength(3);
    });

    it('lets exactly as many concurrent creates through as there is room for', async () => {
      // Arrange: 45 of 50 taken; Act: 12 creates at once.
      for (let i = 0; i < 45; i += 1) await store.create(rule(accountId), 50);
      const outcomes = await Promise.all(
        Array.from({ length: 12 }, () => store.create(rule(accountId), 50)),
      );
      // Assert: 5 succeed, the account holds exactly 50, and the limit still holds afterwards.
      expect(outcomes.filter(Boolean)).toHaveLength(5);
      expect(await store.list(accountId)).toHaveLength(50);
      expect(await store.create(rule(accountId), 50)).toBe(false);
    });

    it('stays exact while creates and deletes interleave', async () => {
      const first = Array.from({ length: 4 }, () => rule(accountId));
      for (const r of first) await store.create(r, 5);
      const results = await Promise.all([
        ...first.map((r) => store.delete(accountId, r.ruleId)),
        ...Array.from({ length: 8 }, () => store.create(rule(accountId), 5)),
      ]);
      expect(results.slice(0, 4)).toEqual([true, true, true, true]);
      const created = results.slice(4).filter(Boolean).length;
      expect(created).toBeGreaterThanOrEqual(1);
      expect(created).toBeLessThanOrEqual(5);
      const held = (await store.list(accountId)).length;
      expect(held).toBe(created);
      // Whatever interleaving happened, the room left is exactly 5 - held.
      const fill = await Promise.all(
        Array.from({ length: 6 }, () => store.create(rule(accountId), 5)),
      );
      expect(fill.filter(Boolean)).toHaveLength(5 - held);
      expect(await store.list(accountId)).toHaveLength(5);
    });
  });
}

/**
 * The AlertRuleStore contract: account scoping, every field stored as given, and the exact rule
 * limit under concurrent creates and deletes.
 */
export function alertRuleStoreContract(createPorts: () => Promise<AlertPorts>): void {
  accountRulesSuite(createPorts);
  ruleLimitSuite(createPorts);
}

function byCreation(a: AlertRule, b: AlertRule): number {
  return a.createdAt.localeCompare(b.createdAt) || a.ruleId.localeCompare(b.ruleId);
}

/** The ids of the account's rules the evaluator's sweep reads, every page of it. */
async function activeRuleIds(sweep: AlertSweepStore, accountId: string): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined;
  do {
    const page = await sweep.listActive({ after, limit: 500 });
    for (const active of page.rules) if (active.accountId === accountId) ids.push(active.ruleId);
    after = page.next;
  } while (after !== undefined);
  return ids;
}
