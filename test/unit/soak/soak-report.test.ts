import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import type { UsageTotals } from '../../fixtures/usage-totals.ts';
import { type SentRequest, soakFigures, targetsMet } from '../../soak/soak-report.ts';

const TOTALS: UsageTotals = {
  requests: 2,
  errors: 0,
  inputTokens: 20,
  outputTokens: 10,
  cacheReadTokens: 4,
  cacheWriteTokens: 2,
  latencyMsSum: 900,
  estimated: 0,
  costPicoUsd: 500n,
};

function sent(id: string, overrides: Partial<SentRequest> = {}): SentRequest {
  return {
    id,
    kind: 'stream',
    expected: 200,
    clientMistake: false,
    answer: 200,
    cutByKill: false,
    killedAfterSent: false,
    ...overrides,
  };
}

/** Only the field the figures match records on. */
const record = (requester: string) => ({ requester }) as UsageRecord;

function figuresOf(input: {
  sent: SentRequest[];
  providerCalls: string[];
  records: UsageRecord[];
  traced?: string[];
  rollups?: UsageTotals;
}) {
  return soakFigures({
    sent: input.sent,
    providerCalls: input.providerCalls,
    records: input.records,
    rollups: { ...(input.rollups ?? TOTALS), sealed: true },
    raw: TOTALS,
    traced: new Set(input.traced ?? []),
  });
}

describe('the soak figures', () => {
  it('meet the targets when every provider call has one record', () => {
    const figures = figuresOf({
      sent: [sent('soak-1'), sent('soak-2')],
      providerCalls: ['soak-1', 'soak-2'],
      records: [record('soak-1'), record('soak-2')],
    });

    expect(figures.lost).toEqual([]);
    expect(figures.duplicated).toEqual([]);
    expect(targetsMet(figures)).toBe(true);
  });

  it('miss them for a provider call with a trace and no record', () => {
    const figures = figuresOf({
      sent: [
        sent('soak-1', { cutByKill: true, killedAfterSent: true, answer: 'cut' }),
        sent('soak-2'),
      ],
      providerCalls: ['soak-1', 'soak-2'],
      records: [record('soak-2')],
      traced: ['soak-1'],
    });

    expect(figures.lost).toEqual(['soak-1']);
    expect(figures.lostByReason.unexplained).toBe(1);
    expect(targetsMet(figures)).toBe(false);
  });

  it('name a loss to a failed trace write and a kill, and still miss the target', () => {
    const figures = figuresOf({
      sent: [sent('soak-1', { kind: 'trace-throttled', killedAfterSent: true }), sent('soak-2')],
      providerCalls: ['soak-1', 'soak-2'],
      records: [record('soak-2')],
    });

    expect(figures.lostByReason).toEqual({
      'trace-failed-then-killed': 1,
      'killed-before-trace-stored': 0,
      unexplained: 0,
    });
    expect(targetsMet(figures)).toBe(false);
  });

  it('name a loss to a kill after the answer, before the trace and the record landed', () => {
    const figures = figuresOf({
      sent: [sent('soak-1', { killedAfterSent: true }), sent('soak-2')],
      providerCalls: ['soak-1', 'soak-2'],
      records: [record('soak-2')],
    });

    expect(figures.lostByReason['killed-before-trace-stored']).toBe(1);
    expect(figures.lostWhy.get('soak-1')).toEqual({
      reason: 'killed-before-trace-stored',
      traced: false,
    });
    expect(targetsMet(figures)).toBe(false);
  });

  it('leave a loss with no kill after its request unexplained', () => {
    const figures = figuresOf({
      sent: [sent('soak-1')],
      providerCalls: ['soak-1'],
      records: [],
    });

    expect(figures.lostByReason.unexplained).toBe(1);
    expect(targetsMet(figures)).toBe(false);
  });

  it('name interrupted records of requests the provider never saw, outside the targets', () => {
    const interrupted = (requester: string) => ({ requester, interrupted: true }) as UsageRecord;
    const figures = figuresOf({
      sent: [sent('soak-1', { killedAfterSent: true }), sent('soak-2', { killedAfterSent: true })],
      providerCalls: ['soak-1'],
      records: [interrupted('soak-1'), interrupted('soak-2')],
    });

    expect(figures.interruptedRecords).toBe(2);
    expect(figures.interruptedUnsent).toEqual(['soak-2']);
    expect(figures.interruptedUnsentByKind).toEqual({ stream: 1 });
    expect(targetsMet(figures)).toBe(true);
  });

  it('count a request with two records as duplicated', () => {
    const figures = figuresOf({
      sent: [sent('soak-1')],
      providerCalls: ['soak-1'],
      records: [record('soak-1'), record('soak-1')],
    });

    expect(figures.duplicated).toEqual(['soak-1']);
    expect(targetsMet(figures)).toBe(false);
  });

  it('miss them for a 5xx to a client mistake, an undocumented status or rollups off the records', () => {
    const mistake = figuresOf({
      sent: [
        sent('soak-1', { kind: 'malformed-json', expected: 400, clientMistake: true, answer: 500 }),
      ],
      providerCalls: [],
      records: [],
    });
    const undocumented = figuresOf({
      sent: [sent('soak-1', { answer: 502 })],
      providerCalls: ['soak-1'],
      records: [record('soak-1')],
    });
    const rollupsOff = figuresOf({
      sent: [sent('soak-1')],
      providerCalls: ['soak-1'],
      records: [record('soak-1')],
      rollups: { ...TOTALS, outputTokens: 9 },
    });

    expect(mistake.clientMistake5xx).toBe(1);
    expect(undocumented.byKind.stream?.others).toEqual(['502']);
    expect([mistake, undocumented, rollupsOff].map(targetsMet)).toEqual([false, false, false]);
  });
});
