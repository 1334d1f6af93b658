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
      body: { type: 'budget', threshold: 12.5, period: { kind: 'month' }, name: 'Budget' },
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
      },
    });
    expect(checkCreate(draft({ type: 'error_rate', unit: 'count', threshold: '5' }))).toEqual({
      ok: true,
      body: { type: 'error_rate', unit: 'count', threshold: 5 },
    });
    expect(
      checkCreate(
        draft({ type: 'latency_p95', threshold: '2000', scope: 'some', providers: ['openai'] }),
      ),
    ).toEqual({ ok: true, body: { type: 'latency_p95', threshold: 2000, providers: ['openai'] } });
    expect(checkCreate(draft({ type: 'request_volume', threshold: '1000' }))).toEqual({
      ok: true,
      body: { type: 'request_volume', threshold: 1000 },
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
      checkCreate(draft({ type: 'request_volume', threshold: '10', scope: 'some', providers: [] })),
    ).toEqual({ ok: false, errors: { providers: 'Leave providers out to watch all providers.' } });
    const period = checkCreate(draft({ threshold: '10', periodKind: 'since', since: '' }));
    expect(period.ok === false && period.errors.period).toMatch(/ISO 8601/);
    expect(checkCreate(draft({ threshold: '10', name: 'a\nb' }))).toEqual({
      ok: false,
      errors: { name: `A name ${UNSAFE_NAME_RULE}` },
    });
  });
});

describe('checkUpdate', () => {
  it('sends every editable field, clearing a blank name and the provider list', () => {
    const edited = { ...draftFromRule(RULE), name: '', threshold: '75' };

    expect(checkUpdate(edited, RULE)).toEqual({
      ok: true,
      body: { threshold: 75, providers: null, period: { kind: 'month' }, name: null },
    });
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
      body: { threshold: 120, unit: 'count', providers: null, name: 'Monthly budget' },
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
      scope: 'some',
      providers: ['anthropic', 'openai'],
    });
  });
});

describe('list helpers', () => {
  it('labels a rule by name or by type', () => {
    expect(ruleLabel(RULE)).toBe('Monthly budget');
    expect(ruleLabel({ type: 'latency_p95' })).toBe('Latency p95 rule');
  });

  it('names the scope', () => {
    expect(scopeText(undefined)).toBe('All providers');
    expect(scopeText(['openai', 'anthropic'])).toBe('OpenAI, Anthropic');
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
