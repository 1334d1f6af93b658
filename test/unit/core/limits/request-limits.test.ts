import { describe, expect, it } from 'vitest';
import {
  admissionRequest,
  limitReachedError,
  minuteCounter,
  monthCounter,
  nextMonthStartMs,
} from '#core/limits/request-limits.ts';

const CALLER = { keyDigest: 'digest-1', provider: 'openai' } as const;

describe('admissionRequest', () => {
  it('names the key minute and the account month, with the windows before them', () => {
    const request = admissionRequest(CALLER, Date.parse('2027-01-01T00:00:30.000Z'));

    expect(request.minute.counter).toBe('rpm@2027-01-01T00:00');
    expect(request.minute.previousCounter).toBe('rpm@2026-12-31T23:59');
    expect(request.month?.counter).toBe('month@2027-01');
    expect(request.month?.previousCounter).toBe('month@2026-12');
    expect(request.liveCounters).toEqual(['rpm@2027-01-01T00:00', 'month@2027-01']);
  });

  it('takes the limits from PLAN_LIMITS: 100 a minute per key, 10,000 a month on Free', () => {
    const request = admissionRequest(CALLER, Date.parse('2026-11-24T12:00:00.000Z'));

    expect(request.minute.limits).toEqual({ free: 100, pro: 100 });
    expect(request.month?.limits).toEqual({ free: 10_000, pro: null });
  });

  it('leaves the month out for side calls, but still keeps its counter alive', () => {
    const request = admissionRequest(CALLER, Date.parse('2026-11-24T12:00:00.000Z'), {
      monthly: false,
    });

    expect(request.month).toBeUndefined();
    expect(request.liveCounters).toContain('month@2026-11');
  });
});

describe('limitReachedError', () => {
  it('names the minute limit and its reset, with Retry-After to the next minute', () => {
    const error = limitReachedError(
      { window: 'minute', plan: 'pro' },
      Date.parse('2026-11-24T12:34:17.250Z'),
    );

    expect(error.code).toBe('rate_limit_exceeded');
    expect(error.retryAfterSeconds).toBe(43);
    expect(error.message).toContain('100 requests per minute per Metrion Key');
    expect(error.message).toContain('resets at 12:35:00 UTC');
  });

  it('answers Retry-After 60 at the very start of a minute, and at least 1 at its end', () => {
    const at = (iso: string) =>
      limitReachedError({ window: 'minute', plan: 'free' }, Date.parse(iso)).retryAfterSeconds;
    expect(at('2026-11-24T12:00:00.000Z')).toBe(60);
    expect(at('2026-11-24T12:34:59.999Z')).toBe(1);
  });

  it('names the Free month cap and the 1st it resets on', () => {
    const error = limitReachedError(
      { window: 'month', plan: 'free' },
      Date.parse('2026-11-30T21:40:00.000Z'),
    );

    // 21:40 on Nov 30 -> Dec 1 00:00 is 2 h 20 min
    expect(error.retryAfterSeconds).toBe(2 * 3600 + 20 * 60);
    expect(error.message).toContain('Free plan includes 10,000 proxy requests per calendar month');
    expect(error.message).toContain('resets on 2026-12-01 at 00:00 UTC');
    expect(error.message).toContain(
      'Upgrade to Pro under Settings > Plan (/settings/billing) for no monthly cap.',
    );
  });
});

describe('window arithmetic', () => {
  it('names minute windows in UTC and months by calendar', () => {
    const at = Date.parse('2026-03-01T00:59:59.999+01:00');
    expect(minuteCounter(at)).toBe('rpm@2026-02-28T23:59');
    expect(monthCounter(at)).toBe('month@2026-02');
    expect(new Date(nextMonthStartMs(at)).toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });
});
