import { describe, expect, it } from 'vitest';
import type { AlertRuleDto } from '#contracts/alerts-api.ts';
import { UNSAFE_NAME_RULE } from '#core/text/safe-name.ts';
import {
  checkCreate,
  checkUpdate,
  draftFromRule,
  emptyDraft,
  lastFiring,
  type RuleDraft,
  retryAt,
  ruleLabel,
  scopeText,
  withRule,
} from '../../../frontend/src/lib/alert-rules.ts';

const RULE: AlertRuleDto = {
  id: 'rule_1',
  name: 'Monthly budget',
  type: 'budget',
  threshold: 50,
  currency: 'CHF',
  period: { kind: 'month' },
  scope: { kind: 'account' },
  channels: ['email'],
  paused: false,
  createdAt: '2026-11-01T00:00:00.000Z',
  lastFired: {},
  state: 'ok',
  current: { value: '12.500000', ratio: 0.25 },
};

function draft(changes: Partial<RuleDraft>): RuleDraft {
  return { ...emptyDraft(), ...changes };
}

describe('checkCreate', () => {
  it('builds the body of each type the API accepts', () => {
    expect(checkCreate(draft({ threshold: '12.5', name: '  Budget ' }))).toEqual({
      ok: true,
      body: {
        type: 'budget',
        threshold: 12.5,
        period: { kind: 'month' },
        name: 'Budget',
        channels: ['email'],
      },
    });
    expect(
      checkCreate(
        draft({ type: 'budget', threshold: '10', periodKind: 'since', since: '2026-11-01' }),
      ),
    ).toEqual({
      ok: true,
      body: {
        type: 'budget',
        threshold: 10,
        period: { kind: 'since', since: '2026-11-01T00:00:00Z' },
        channels: ['email'],
      },
    });
    expect(checkCreate(draft({ type: 'error_rate', unit: 'count', threshold: '5' }))).toEqual({
      ok: true,
      body: { type: 'error_rate', unit: 'count', threshold: 5, channels: ['email'] },
    });
    expect(
      checkCreate(
        draft({
          type: 'latency_p95',
          threshold: '2000',
          scopeKind: 'provider',
          scopeValue: 'openai',
        }),
      ),
    ).toEqual({
      ok: true,
      body: {
        type: 'latency_p95',
        threshold: 2000,
        scope: { kind: 'provider', provider: 'openai' },
        channels: ['email'],
      },
    });
    expect(checkCreate(draft({ type: 'request_volume', threshold: '1000' }))).toEqual({
      ok: true,
      body: { type: 'request_volume', threshold: 1000, channels: ['email'] },
    });
    expect(
      checkCreate(
        draft({
          type: 'spike',
          threshold: '3',
          metric: 'cost',
          minimum: '5',
          scopeKind: 'tag',
          scopeValue: 'feature:search',
          channels: ['email', 'ch_0123456789abcdef0123'],
        }),
      ),
    ).toEqual({
      ok: true,
      body: {
        type: 'spike',
        threshold: 3,
        metric: 'cost',
        minimum: 5,
        scope: { kind: 'tag', key: 'feature', value: 'search' },
        channels: ['email', 'ch_0123456789abcdef0123'],
      },
    });
    expect(checkCreate(draft({ type: 'forecast', threshold: '400' }))).toEqual({
      ok: true,
      body: { type: 'forecast', threshold: 400, channels: ['email'] },
    });
  });

  it("ties the API's messages to the fields they are about", () => {
    expect(checkCreate(draft({ threshold: '' }))).toEqual({
      ok: false,
      errors: { threshold: 'threshold is a number.' },
    });
    expect(checkCreate(draft({ threshold: '12.345' }))).toEqual({
      ok: false,
      errors: { threshold: 'A budget has at most 2 decimals.' },
    });
    expect(checkCreate(draft({ type: 'error_rate', threshold: '101' }))).toEqual({
      ok: false,
      errors: { threshold: 'A percentage is above 0 and at most 100.' },
    });
    expect(checkCreate(draft({ type: 'latency_p95', threshold: 'fast' }))).toEqual({
      ok: false,
      errors: { threshold: 'threshold is a number.' },
    });
    expect(
      checkCreate(
        draft({ type: 'request_volume', threshold: '10', scopeKind: 'model', scopeValue: ' ' }),
      ),
    ).toMatchObject({ ok: false, errors: { scope: expect.any(String) } });
    expect(checkCreate(draft({ type: 'spike', threshold: '1', minimum: '1' }))).toMatchObject({
      ok: false,
      errors: { threshold: expect.stringMatching(/above 1/) },
    });
    expect(checkCreate(draft({ threshold: '10', channels: [] }))).toEqual({
      ok: false,
      errors: { channels: 'A rule notifies at least one channel.' },
    });
    const period = checkCreate(draft({ threshold: '10', periodKind: 'since', since: '' }));
    expect(period.ok === false && period.errors.period).toMatch(/ISO 8601/);
    expect(checkCreate(draft({ threshold: '10', name: 'a\nb' }))).toEqual({
      ok: false,
      errors: { name: `A name ${UNSAFE_NAME_RULE}` },
    });
  });
});

describe('checkUpdate', () => {
  it('sends every editable field, clearing a blank name; the scope only when changed', () => {
    const edited = { ...draftFromRule(RULE), name: '', threshold: '75' };

    expect(checkUpdate(edited, RULE)).toEqual({
      ok: true,
      body: { threshold: 75, channels: ['email'], period: { kind: 'month' }, name: null },
    });
    const scoped = { ...edited, scopeKind: 'requester' as const, scopeValue: 'ci' };
    expect(checkUpdate(scoped, RULE)).toMatchObject({
      ok: true,
      body: { scope: { kind: 'requester', requester: 'ci' } },
    });
  });

  it('keeps the provider list of a rule from before scopes unless the scope changes', () => {
    const legacy: AlertRuleDto = { ...RULE, providers: ['openai', 'anthropic'] };
    const result = checkUpdate({ ...draftFromRule(legacy), threshold: '60' }, legacy);
    expect(result.ok && 'scope' in result.body).toBe(false);
    expect(result.ok && 'providers' in result.body).toBe(false);
  });

  it("checks the threshold against the rule's type like the API", () => {
    const rule: AlertRuleDto = { ...RULE, type: 'error_rate', unit: 'percent', threshold: 5 };
    delete (rule as { period?: unknown }).period;

    expect(checkUpdate({ ...draftFromRule(rule), threshold: '120' }, rule)).toEqual({
      ok: false,
      errors: { threshold: 'A percentage is above 0 and at most 100.' },
    });
    expect(checkUpdate({ ...draftFromRule(rule), unit: 'count', threshold: '120' }, rule)).toEqual({
      ok: true,
      body: { threshold: 120, unit: 'count', channels: ['email'], name: 'Monthly budget' },
    });
  });
});

describe('draftFromRule', () => {
  it('fills the Edit form from a rule', () => {
    expect(
      draftFromRule({
        ...RULE,
        period: { kind: 'since', since: '2026-10-15T00:00:00.000Z' },
        providers: ['anthropic', 'openai'],
      }),
    ).toEqual({
      type: 'budget',
      name: 'Monthly budget',
      threshold: '50',
      unit: 'percent',
      periodKind: 'since',
      since: '2026-10-15',
      metric: 'requests',
      minimum: '',
      scopeKind: 'account',
      scopeValue: '',
      channels: ['email'],
    });
  });
});

describe('list helpers', () => {
  it('labels a rule by name or by type', () => {
    expect(ruleLabel(RULE)).toBe('Monthly budget');
    expect(ruleLabel({ type: 'latency_p95' })).toBe('Latency p95 rule');
  });

  it('names the scope, and a legacy provider list', () => {
    expect(scopeText({ scope: { kind: 'account' } })).toBe('All requests');
    expect(scopeText({ scope: { kind: 'tag', key: 'team', value: 'ml' } })).toBe('Tag team:ml');
    expect(scopeText({ scope: { kind: 'account' }, providers: ['openai', 'anthropic'] })).toBe(
      'OpenAI, Anthropic',
    );
  });

  it('picks the level that fired last', () => {
    expect(lastFiring(RULE)).toBeUndefined();
    expect(lastFiring({ lastFired: { warning: '2026-11-02T10:00:00Z' } })).toEqual({
      level: 'Warning',
      at: '2026-11-02T10:00:00Z',
    });
    expect(
      lastFiring({ lastFired: { warning: '2026-11-02T10:00:00Z', alert: '2026-11-02T11:00:00Z' } }),
    ).toEqual({ level: 'Alert', at: '2026-11-02T11:00:00Z' });
    expect(
      lastFiring({ lastFired: { warning: '2026-11-03T10:00:00Z', alert: '2026-11-02T11:00:00Z' } }),
    ).toEqual({ level: 'Warning', at: '2026-11-03T10:00:00Z' });
  });

  it('says when a refused action is allowed again', () => {
    expect(retryAt(3600, Date.parse('2026-11-02T10:00:00Z'))).toBe('2026-11-02T11:00:00.000Z');
  });

  it('replaces a rule by id or adds it', () => {
    const paused = { ...RULE, paused: true, state: 'paused' as const };
    expect(withRule([RULE], paused)).toEqual([paused]);
    expect(withRule([RULE], { ...RULE, id: 'rule_2' })).toHaveLength(2);
  });
});
