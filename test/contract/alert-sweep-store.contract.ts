import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AlertRule } from '#core/alerts/alert-rule.ts';
import type { AlertRuleStore } from '#core/ports/alert-rule-store.ts';
import type { AlertSweepStore } from '#core/ports/alert-sweep-store.ts';
import { type AlertPorts, newRule as rule } from '../fixtures/alert-stores.ts';

/**
 * The AlertSweepStore contract: paging through the active rules of every account (each once,
 * paused ones skipped) and the sweep cursor. Rules are written through the paired AlertRuleStore.
 */
export function alertSweepStoreContract(createPorts: () => Promise<AlertPorts>): void {
  let rules: AlertRuleStore;
  let store: AlertSweepStore;
  let accountId: string;

  beforeEach(async () => {
    ({ rules, sweep: store } = await createPorts());
    accountId = `acct-${randomUUID()}`;
  });

  describe("the evaluator's reads", () => {
    it('pages through the active rules of every account, each once, skipping paused ones', async () => {
      const accounts = [accountId, `acct-${randomUUID()}`, `acct-${randomUUID()}`];
      const active: string[] = [];
      for (const account of accounts) {
        for (let i = 0; i < 3; i += 1) {
          const r = rule(account, { paused: i === 1 });
          await rules.create(r, 50);
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
      await rules.create(r, 50);
      const activeIds = async () =>
        (await allActive(store)).filter((a) => a.accountId === accountId).map((a) => a.ruleId);
      expect(await activeIds()).toEqual([r.ruleId]);
      await rules.update(accountId, r.ruleId, { paused: true });
      expect(await activeIds()).toEqual([]);
      await rules.update(accountId, r.ruleId, { paused: false });
      expect(await activeIds()).toEqual([r.ruleId]);
    });

    it('saves, loads and clears the sweep cursor', async () => {
      await store.saveSweepCursor('acct-x#rule_y');
      expect(await store.loadSweepCursor()).toBe('acct-x#rule_y');
      await store.saveSweepCursor(undefined);
      expect(await store.loadSweepCursor()).toBeUndefined();
    });
  });
}

async function allActive(store: AlertSweepStore): Promise<AlertRule[]> {
  const rules: AlertRule[] = [];
  let after: string | undefined;
  do {
    const page = await store.listActive({ ...(after === undefined ? {} : { after }), limit: 100 });
    rules.push(...page.rules);
    after = page.next;
  } while (after !== undefined);
  return rules;
}
