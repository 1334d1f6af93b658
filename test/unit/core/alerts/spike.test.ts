import { describe, expect, it } from 'vitest';
import {
  type HourCounts,
  measureSpike,
  SPIKE_BASELINE_HOURS,
  spikeReaches,
  spikeReadSpan,
} from '#core/alerts/spike.ts';

const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);
const NOW = at('2026-11-24T10:25:00Z');
const OBSERVED = at('2026-11-24T09:00:00Z');
const LONG_AGO = at('2026-01-01T00:00:00Z');

function hour(startMs: number, requests: number, extra: Partial<HourCounts> = {}): HourCounts {
  return {
    bucketStart: new Date(startMs).toISOString(),
    requests,
    errors: 0,
    metrionErrors: 0,
    costPicoUsd: 0n,
    sealed: true,
    ...extra,
  };
}

/** `count` baseline hours right before the observed hour with `requests` each. */
function baseline(count: number, requests: number): HourCounts[] {
  return Array.from({ length: count }, (_, i) => hour(OBSERVED - (i + 1) * HOUR, requests));
}

describe('measureSpike: the last complete hour against the 7-day hourly median', () => {
  it('reads the 168 hours before the observed hour and the observed hour', () => {
    expect(spikeReadSpan(NOW)).toEqual({
      fromMs: OBSERVED - SPIKE_BASELINE_HOURS * HOUR,
      toMs: OBSERVED + HOUR,
    });
  });

  it('counts hours without traffic as 0: 84 busy hours of 168 give a median of half', () => {
    // 84 hours of 10 and 84 of nothing: the two middle values are 0 and 10.
    const result = measureSpike(
      'requests',
      [...baseline(84, 10), hour(OBSERVED, 30)],
      NOW,
      LONG_AGO,
    );
    expect(result).toEqual({
      kind: 'measured',
      hourStartMs: OBSERVED,
      observed: 30n,
      medianTimesTwo: 10n,
      baselineHours: 168,
    });
  });

  it('waits for the observed hour to be sealed: a doubled live hour is never judged', () => {
    const live = hour(OBSERVED, 60, { sealed: false });
    expect(measureSpike('requests', [...baseline(168, 10), live], NOW, LONG_AGO)).toEqual({
      kind: 'awaiting_seal',
      hourStartMs: OBSERVED,
    });
    // One sealed item and one live item of the same hour: still waiting.
    const mixed = [hour(OBSERVED, 30), hour(OBSERVED, 30, { sealed: false })];
    expect(measureSpike('requests', [...baseline(168, 10), ...mixed], NOW, LONG_AGO).kind).toBe(
      'awaiting_seal',
    );
  });

  it.each([
    [OBSERVED - 23 * HOUR, 'too_little_history'],
    [OBSERVED - 24 * HOUR, 'measured'],
    [OBSERVED - 24 * HOUR - 1, 'measured'],
  ])('an account created at %s: %s', (createdMs, kind) => {
    expect(measureSpike('requests', baseline(24, 1), NOW, createdMs).kind).toBe(kind);
  });

  it('takes the median over the account history only (odd count: the middle value)', () => {
    // 25 hours of history: 12 of 1, 13 of 5 -> sorted middle (13th) is 5.
    const items = [...baseline(12, 1), ...baseline(25, 5).slice(12), hour(OBSERVED, 7)];
    const result = measureSpike('requests', items, NOW, OBSERVED - 25 * HOUR);
    expect(result).toMatchObject({ kind: 'measured', medianTimesTwo: 10n, baselineHours: 25 });
  });

  it('sorts the hours by value for the median, the empty ones first as 0', () => {
    // 100 busy hours with 1 to 100 requests in a mixed order, 68 empty: the 84th and 85th
    // values are 16 and 17.
    const busy = Array.from({ length: 100 }, (_, i) =>
      hour(OBSERVED - (i + 1) * HOUR, ((i * 37) % 100) + 1),
    );
    const result = measureSpike('requests', [...busy, hour(OBSERVED, 50)], NOW, LONG_AGO);
    expect(result).toMatchObject({ kind: 'measured', medianTimesTwo: 33n, baselineHours: 168 });
  });

  it('leaves the hour the account was created in, and the current hour, out of the baseline', () => {
    // Created at 08:30 a day before: 24 whole hours of history, 12 of them with 10 requests.
    // Its creation hour and the current (live) hour are busy, and must not move the median.
    const created = OBSERVED - 24 * HOUR - 30 * 60_000;
    const items = [
      hour(created - 30 * 60_000, 10),
      ...baseline(12, 10),
      hour(OBSERVED, 10),
      hour(OBSERVED + HOUR, 10, { sealed: false }),
    ];
    const result = measureSpike('requests', items, NOW, created);
    expect(result).toMatchObject({ kind: 'measured', medianTimesTwo: 10n, baselineHours: 24 });
  });

  it('measures cost in picodollars and errors as provider errors only', () => {
    const observed = hour(OBSERVED, 10, { costPicoUsd: 123n, errors: 5, metrionErrors: 2 });
    expect(measureSpike('cost', [observed], NOW, LONG_AGO)).toMatchObject({ observed: 123n });
    expect(measureSpike('errors', [observed], NOW, LONG_AGO)).toMatchObject({ observed: 3n });
  });
});

describe('spikeReaches: observed vs factor x median, in tenths', () => {
  // Median 10 (medianTimesTwo 20), factor 2.5: the threshold is 25.
  const median10 = (observed: bigint) => ({ observed, medianTimesTwo: 20n });

  it.each([
    [24n, false],
    [25n, true],
  ])('at 100%%: %s reaches 25? %s', (observed, reaches) => {
    expect(spikeReaches(median10(observed), 2.5, 100)).toBe(reaches);
  });

  it('Warning at 90%: 22.5 is the boundary (22 no, 23 yes)', () => {
    expect(spikeReaches(median10(22n), 2.5, 90)).toBe(false);
    expect(spikeReaches(median10(23n), 2.5, 90)).toBe(true);
  });

  it('a median of 0 is reached by anything (the rule minimum keeps 1 vs 0 from alerting)', () => {
    expect(spikeReaches({ observed: 1n, medianTimesTwo: 0n }, 3, 100)).toBe(true);
  });
});
