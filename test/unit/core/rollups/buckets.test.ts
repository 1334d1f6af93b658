import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '#core/errors.ts';
import { bucketIso, bucketStartMs, resolveRange } from '#core/rollups/buckets.ts';

const at = (iso: string) => Date.parse(iso);

describe('bucket math (UTC)', () => {
  it('starts hours and days in UTC, across month and year ends', () => {
    expect(bucketIso(bucketStartMs(at('2026-01-31T23:59:59.999Z'), 'hour'))).toBe(
      '2026-01-31T23:00:00.000Z',
    );
    expect(bucketIso(bucketStartMs(at('2026-02-01T00:00:00.000Z'), 'day'))).toBe(
      '2026-02-01T00:00:00.000Z',
    );
    expect(bucketIso(bucketStartMs(at('2024-02-29T13:00:00.000+05:00'), 'day'))).toBe(
      '2024-02-29T00:00:00.000Z',
    );
    expect(bucketIso(bucketStartMs(at('2026-12-31T23:30:00.000Z'), 'day'))).toBe(
      '2026-12-31T00:00:00.000Z',
    );
  });

  it('resolves 24h to 24 hourly buckets ending with the current hour, and the previous 24', () => {
    const range = resolveRange('24h', at('2026-03-01T00:30:00.000Z'));
    expect(range.granularity).toBe('hour');
    expect(range.bucketStartsMs).toHaveLength(24);
    expect(bucketIso(range.fromMs)).toBe('2026-02-28T01:00:00.000Z');
    expect(bucketIso(range.toMs)).toBe('2026-03-01T01:00:00.000Z');
    expect(bucketIso(range.previousFromMs)).toBe('2026-02-27T01:00:00.000Z');
    expect(range.previousToMs).toBe(range.fromMs);
  });

  it('resolves 7d/30d/90d to daily buckets including today', () => {
    for (const [name, days] of [
      ['7d', 7],
      ['30d', 30],
      ['90d', 90],
    ] as const) {
      const range = resolveRange(name, at('2026-03-01T10:00:00.000Z'));
      expect(range.granularity).toBe('day');
      expect(range.bucketStartsMs).toHaveLength(days);
      expect(bucketIso(range.bucketStartsMs.at(-1) as number)).toBe('2026-03-01T00:00:00.000Z');
    }
  });

  it('buckets custom ranges hourly up to 24 h and daily beyond, snapped outward', () => {
    const short = resolveRange('custom', 0, {
      fromMs: at('2026-02-28T22:15:00.000Z'),
      toMs: at('2026-03-01T02:00:00.000Z'),
    });
    expect(short.granularity).toBe('hour');
    expect(short.bucketStartsMs.map(bucketIso)).toEqual([
      '2026-02-28T22:00:00.000Z',
      '2026-02-28T23:00:00.000Z',
      '2026-03-01T00:00:00.000Z',
      '2026-03-01T01:00:00.000Z',
    ]);
    const long = resolveRange('custom', 0, {
      fromMs: at('2026-02-27T12:00:00.000Z'),
      toMs: at('2026-03-02T12:00:00.000Z'),
    });
    expect(long.granularity).toBe('day');
    expect(long.bucketStartsMs).toHaveLength(4);
  });

  it('refuses empty, reversed and over-long custom ranges', () => {
    expect(() => resolveRange('custom', 0, { fromMs: 10, toMs: 10 })).toThrow(InvalidRequestError);
    expect(() => resolveRange('custom', 0)).toThrow(InvalidRequestError);
    expect(() => resolveRange('custom', 0, { fromMs: 0, toMs: 367 * 86_400_000 })).toThrow(
      /366 days/,
    );
  });
});
