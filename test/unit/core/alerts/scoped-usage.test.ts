import { beforeEach, describe, expect, it } from 'vitest';
import type { AlertRuleSpec } from '#core/alerts/alert-rule.ts';
import { scopedUsage } from '#core/alerts/scoped-usage.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { InMemoryRollupStore } from '../../../fakes/in-memory-rollup-store.ts';
import { InMemoryUsageStore } from '../../../fakes/in-memory-usage-store.ts';
import { addLive } from '../../../fixtures/live-rollups.ts';
import { usageRecord } from '../../../fixtures/usage-record.ts';

const NOW_MS = Date.parse('2026-11-12T10:30:00.000Z');
const ACCOUNT = 'acct-scoped';
const HOUR = { fromMs: Date.parse('2026-11-12T10:00:00.000Z'), toMs: NOW_MS };

let rollups: InMemoryRollupStore;

beforeEach(async () => {
  const clock = new FakeClock({ startMs: NOW_MS });
  rollups = new InMemoryRollupStore({ usage: new InMemoryUsageStore({ clock }), clock });
  const retention = { expiresAtEpochSeconds: Math.floor(NOW_MS / 1000) + 86_400 };
  for (const [provider, model, requester, feature] of [
    ['openai', 'gpt-4o-mini', 'alice', 'search'],
    ['openai', 'gpt-4o', undefined, undefined],
    ['anthropic', 'claude-haiku-4-5', 'alice', 'search'],
    ['mistral', 'mistral-small', 'bob', 'chat'],
  ] as const) {
    await addLive(
      rollups,
      usageRecord({
        accountId: ACCOUNT,
        at: '2026-11-12T10:05:00.000Z',
        provider,
        model,
        ...(requester === undefined ? {} : { requester }),
        ...(feature === undefined ? {} : { tags: { feature } }),
      }),
      retention,
    );
  }
});

async function requestsIn(rule: Pick<AlertRuleSpec, 'scope' | 'providers'>): Promise<number> {
  const items = await scopedUsage(rollups).read(ACCOUNT, rule, 'hour', HOUR, NOW_MS);
  return items.reduce((sum, item) => sum + item.requests, 0);
}

describe('scopedUsage: every rule reads its scope', () => {
  it.each([
    [{}, 4],
    [{ scope: { kind: 'account' } }, 4],
    [{ scope: { kind: 'provider', provider: 'openai' } }, 2],
    [{ scope: { kind: 'model', model: 'gpt-4o' } }, 1],
    [{ scope: { kind: 'requester', requester: 'alice' } }, 2],
    [{ scope: { kind: 'tag', key: 'feature', value: 'search' } }, 2],
    [{ scope: { kind: 'tag', key: 'feature', value: 'chat' } }, 1],
    [{ scope: { kind: 'tag', key: 'feature', value: 'other' } }, 0],
    [{ scope: { kind: 'tag', key: 'team', value: 'search' } }, 0],
  ] as const)('%j counts %i requests', async (rule, count) => {
    expect(await requestsIn(rule)).toBe(count);
  });

  it('keeps rules stored with a list of providers working, alone or with a scope', async () => {
    expect(await requestsIn({ providers: ['openai', 'anthropic'] })).toBe(3);
    expect(await requestsIn({ providers: ['mistral'] })).toBe(1);
    expect(
      await requestsIn({
        scope: { kind: 'requester', requester: 'alice' },
        providers: ['anthropic'],
      }),
    ).toBe(1);
    expect(
      await requestsIn({
        scope: { kind: 'tag', key: 'feature', value: 'search' },
        providers: ['openai'],
      }),
    ).toBe(1);
  });
});
