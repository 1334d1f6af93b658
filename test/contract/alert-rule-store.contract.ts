import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AlertRule } from '#core/alerts/alert-rule.ts';
import type { AlertRuleStore } from '#core/ports/alert-rule-store.ts';

const HOUR_MS = 3_600_000;
const NOW_MS = Date.parse('2026-03-10T12:00:00.000Z');
const LEVEL = { cooldownMs: 24 * HOUR_MS, leaseMs: 5 * 60_000 } as const;

let sequence = 0;
function rule(accountId: string, overrides: Partial<AlertRule> = {}): AlertRule {
  sequence += 1;
  return {
    accountId,
    ruleId: `rule_${String(sequence).padStart(6, '0')}_${randomUUID().slice(0, 8)}`,
    type: 'budget',
    threshold: 10,
    period: { kind: 'month' },
    paused: false,
    createdAt: new Date(NOW_MS + sequence).toISOString(),
    lastFired: {},
    state: 'ok',
    ...overrides,
  };
}

/**
 * The AlertRuleStore contract: account scoping, the exact rule limit under concurrent creates,
 * the evaluator's paging, and the level and Test claims (one winner among concurrent claimers).
 */
export function alertRuleStoreContract(createStore: () => Promise<AlertRuleStore>): void {
  let store: AlertRuleStore;
  let accountId: string;

  beforeEach(async () => {
    store = await createStore();
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
      expect(
        await store.claimLevel(other, mine.ruleId, 'alert', {
          ...LEVEL,
          nowMs: NOW_MS,
          token: 't',
        }),
      ).toBe(false);
      expect(await store.claimTest(other, mine.ruleId, NOW_MS, HOUR_MS)).toBeUndefined();
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

    it('deletes a rule once', async () => {
      const doomed = rule(accountId);
      await store.create(doomed, 50);
      expect(await store.delete(accountId, doomed.ruleId)).toBe(true);
      expect(await store.delete(accountId, doomed.ruleId)).toBe(false);
      expect(await store.get(accountId, doomed.ruleId)).toBeUndefined();
    });

    it('records the evaluated state', async () => {
      const watched = rule(accountId);
      await store.create(watched, 50);
      await store.setState(accountId, watched.ruleId, 'alert');
      expect((await store.get(accountId, watched.ruleId))?.state).toBe('alert');
      await store.setState(accountId, 'rule_missing', 'alert');
      expect(await store.list(accountId)).toHaveLength(1);
    });
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

  describe("the evaluator's reads", () => {
    it('pages through the active rules of every account, each once, skipping paused ones', async () => {
      const accounts = [accountId, `acct-${randomUUID()}`, `acct-${randomUUID()}`];
      const active: string[] = [];
      for (const account of accounts) {
        for (let i = 0; i < 3; i += 1) {
          const r = rule(account, { paused: i === 1 });
          await store.create(r, 50);
          if (!r.paused) active.push(`${account}/${r.ruleId}`);
        }
      }
      const seen: string[] = [];
      let after: string | undefined;
      for (let pages = 0; pages < 100; pages += 1) {
        const page = await store.listActive({
          ...(after === undefined ? {} : { after }),
          limit: 2,
        });
        expect(page.rules.length).toBeLessThanOrEqual(2);
        seen.push(...page.rules.map((r) => `${r.accountId}/${r.ruleId}`));
        after = page.next;
        if (after === undefined) break;
      }
      const ours = seen.filter((key) => accounts.some((account) => key.startsWith(`${account}/`)));
      expect(ours.sort()).toEqual(active.sort());
      expect(new Set(seen).size).toBe(seen.length);
    });

    it('drops a paused rule from the active ones and brings it back on resume', async () => {
      const r = rule(accountId);
      await store.create(r, 50);
      const activeIds = async () =>
        (await allActive(store)).filter((a) => a.accountId === accountId).map((a) => a.ruleId);
      expect(await activeIds()).toEqual([r.ruleId]);
      await store.update(accountId, r.ruleId, { paused: true });
      expect(await activeIds()).toEqual([]);
      await store.update(accountId, r.ruleId, { paused: false });
      expect(await activeIds()).toEqual([r.ruleId]);
    });

    it('saves, loads and clears the sweep cursor', async () => {
      await store.saveSweepCursor('acct-x#rule_y');
      expect(await store.loadSweepCursor()).toBe('acct-x#rule_y');
      await store.saveSweepCursor(undefined);
      expect(await store.loadSweepCursor()).toBeUndefined();
    });
  });

  describe('level claims', () => {
    let r: AlertRule;
    beforeEach(async () => {
      r = rule(accountId);
      await store.create(r, 50);
    });
    const claim = (token: string, nowMs: number) =>
      store.claimLevel(accountId, r.ruleId, 'alert', { ...LEVEL, nowMs, token });

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
      await store.confirmLevel(accountId, r.ruleId, 'alert', 'a', firedAt);
      expect((await store.get(accountId, r.ruleId))?.lastFired).toEqual({ alert: firedAt });
      expect(await claim('b', NOW_MS + LEVEL.cooldownMs - 1)).toBe(false);
      expect(await claim('b', NOW_MS + LEVEL.cooldownMs)).toBe(true);
    });

    it('keeps the levels apart', async () => {
      expect(await claim('a', NOW_MS)).toBe(true);
      expect(
        await store.claimLevel(accountId, r.ruleId, 'warning', {
          ...LEVEL,
          nowMs: NOW_MS,
          token: 'w',
        }),
      ).toBe(true);
    });

    it('frees the level on release (only with the holder token), leaving it unfired', async () => {
      expect(await claim('a', NOW_MS)).toBe(true);
      await store.releaseLevel(accountId, r.ruleId, 'alert', 'not-a');
      expect(await claim('b', NOW_MS + 1)).toBe(false);
      await store.releaseLevel(accountId, r.ruleId, 'alert', 'a');
      expect((await store.get(accountId, r.ruleId))?.lastFired).toEqual({});
      expect(await claim('b', NOW_MS + 1)).toBe(true);
    });

    it('still records the firing when the lease ran out and another claim holds the level', async () => {
      expect(await claim('a', NOW_MS)).toBe(true);
      expect(await claim('b', NOW_MS + LEVEL.leaseMs)).toBe(true);
      const firedAt = new Date(NOW_MS + LEVEL.leaseMs + 1).toISOString();
      await store.confirmLevel(accountId, r.ruleId, 'alert', 'a', firedAt);
      expect((await store.get(accountId, r.ruleId))?.lastFired.alert).toBe(firedAt);
      expect(await claim('c', NOW_MS + 2 * LEVEL.leaseMs)).toBe(false); // within the cooldown
    });
  });

  describe('Test claims', () => {
    it('allows one Test per cooldown and puts the previous time back on release', async () => {
      const r = rule(accountId);
      await store.create(r, 50);
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
      expect((await store.get(accountId, r.ruleId))?.lastTestedAt).toBe(first);
    });

    it('releases only its own claim, and removes the time when there was none before', async () => {
      const r = rule(accountId);
      await store.create(r, 50);
      await store.claimTest(accountId, r.ruleId, NOW_MS, 12 * HOUR_MS);
      await store.releaseTest(accountId, r.ruleId, '2020-01-01T00:00:00.000Z', undefined);
      expect((await store.get(accountId, r.ruleId))?.lastTestedAt).toBe(
        new Date(NOW_MS).toISOString(),
      );
      await store.releaseTest(accountId, r.ruleId, new Date(NOW_MS).toISOString(), undefined);
      expect((await store.get(accountId, r.ruleId))?.lastTestedAt).toBeUndefined();
    });

    it('gives exactly one of many concurrent Tests the claim', async () => {
      const r = rule(accountId);
      await store.create(r, 50);
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, () => store.claimTest(accountId, r.ruleId, NOW_MS, 12 * HOUR_MS)),
      );
      expect(outcomes.filter((o) => o?.claimed)).toHaveLength(1);
    });
  });
}

function byCreation(a: AlertRule, b: AlertRule): number {
  return a.createdAt.localeCompare(b.createdAt) || a.ruleId.localeCompare(b.ruleId);
}

async function allActive(store: AlertRuleStore): Promise<AlertRule[]> {
  const rules: AlertRule[] = [];
  let after: string | undefined;
  do {
    const page = await store.listActive({ ...(after === undefined ? {} : { after }), limit: 100 });
    rules.push(...page.rules);
    after = page.next;
  } while (after !== undefined);
  return rules;
}
