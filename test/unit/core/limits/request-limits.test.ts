import { describe, expect, it } from 'vitest';
import type { Plan } from '#core/accounts/account.ts';
import { LimitReachedError } from '#core/errors.ts';
import {
  enforceRequestLimits,
  type LimitedCaller,
  minuteCounterKey,
  monthCounterKey,
  nextMonthStartMs,
  type RequestLimitsDeps,
} from '#core/limits/request-limits.ts';
import type { CounterStore } from '#core/ports/counter-store.ts';
import type { Logger } from '#core/ports/logger.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { InMemoryCounterStore } from '../../../fakes/in-memory-counter-store.ts';

class RecordingLogger implements Logger {
  readonly lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  info(message: string, fields?: Record<string, unknown>) {
    this.lines.push({ level: 'info', message, ...(fields ? { fields } : {}) });
  }
  warn(message: string, fields?: Record<string, unknown>) {
    this.lines.push({ level: 'warn', message, ...(fields ? { fields } : {}) });
  }
  error(message: string, fields?: Record<string, unknown>) {
    this.lines.push({ level: 'error', message, ...(fields ? { fields } : {}) });
  }
}

function setup(plan: Plan, startIso = '2026-11-24T12:00:00.000Z') {
  const clock = new FakeClock({ startMs: Date.parse(startIso) });
  const counters = new InMemoryCounterStore();
  const logger = new RecordingLogger();
  const deps: RequestLimitsDeps = { counters, clock, logger };
  const caller: LimitedCaller = { accountId: 'acct-1', plan, keyDigest: 'digest-1' };
  return { clock, counters, logger, deps, caller, check: () => enforceRequestLimits(deps, caller) };
}

async function refusal(check: () => Promise<void>): Promise<LimitReachedError> {
  const error = await check().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LimitReachedError);
  return error as LimitReachedError;
}

async function repeat(times: number, check: () => Promise<void>): Promise<void> {
  for (let i = 0; i < times; i += 1) await check();
}

describe('enforceRequestLimits: 100 requests per minute per Metrion Key', () => {
  it('lets 100 requests through in a minute and refuses the 101st until the next minute', async () => {
    const { clock, check } = setup('pro', '2026-11-24T12:34:17.250Z');
    await repeat(100, check);

    const error = await refusal(check);

    expect(error.code).toBe('rate_limit_exceeded');
    expect(error.retryAfterSeconds).toBe(43);
    expect(error.message).toContain('100 requests per minute per Metrion Key');
    expect(error.message).toContain('resets at 12:35:00 UTC');
    clock.set(Date.parse('2026-11-24T12:34:59.999Z'));
    expect((await refusal(check)).retryAfterSeconds).toBe(1);
    clock.set(Date.parse('2026-11-24T12:35:00.000Z'));
    await expect(check()).resolves.toBeUndefined();
  });

  it('answers Retry-After 60 at the very start of a full minute', async () => {
    const { check, deps, caller } = setup('pro', '2026-11-24T12:00:00.000Z');
    await repeat(100, check);
    expect((await refusal(() => enforceRequestLimits(deps, caller))).retryAfterSeconds).toBe(60);
  });

  it('counts each Metrion Key in its own window', async () => {
    const { deps, caller, check } = setup('pro');
    await repeat(100, check);
    await expect(
      enforceRequestLimits(deps, { ...caller, keyDigest: 'digest-after-regeneration' }),
    ).resolves.toBeUndefined();
  });

  it('counts refused requests on the counter instead of logging them', async () => {
    const { clock, counters, check, caller, logger } = setup('pro');
    await repeat(100, check);
    await refusal(check);
    await refusal(check);

    expect(
      await counters.read(minuteCounterKey(caller.keyDigest, clock.nowMs()), clock.nowMs()),
    ).toEqual({ count: 100, rejected: 2 });
    expect(logger.lines).toEqual([]);
  });

  it('counts Pro requests on the month counter without refusing any', async () => {
    const { clock, counters, check } = setup('pro');
    await repeat(3, check);
    expect(await counters.read(monthCounterKey('acct-1', clock.nowMs()), clock.nowMs())).toEqual({
      count: 3,
      rejected: 0,
    });
  });

  it('caps a downgrade mid-month with the requests made while on Pro', async () => {
    // Arrange: 3 requests on Pro, then the plan turns Free with a cap of 4 this month
    const { deps, caller } = setup('pro');
    const limited = { ...deps, planLimits: smallLimits(100, 4) };
    await repeat(3, () => enforceRequestLimits(limited, caller));
    const downgraded = { ...caller, plan: 'free' as const };

    // Act + Assert: one more fits, the fifth of the month is refused
    await enforceRequestLimits(limited, downgraded);
    expect((await refusal(() => enforceRequestLimits(limited, downgraded))).message).toContain(
      'Monthly limit reached',
    );
  });
});

describe('enforceRequestLimits: Free plan, 10,000 requests per calendar month (UTC)', () => {
  it('refuses request 10,001 of the month until 00:00 UTC on the 1st', async () => {
    // Arrange: 10,000 requests spread over 100 minutes, within the rate limit
    const { clock, check } = setup('free', '2026-11-30T20:00:00.000Z');
    for (let minute = 0; minute < 100; minute += 1) {
      await repeat(100, check);
      clock.advance(60_000);
    }

    // Act
    const error = await refusal(check);

    // Assert: 21:40 on Nov 30 -> Dec 1 00:00 is 2 h 20 min
    expect(error.retryAfterSeconds).toBe(2 * 3600 + 20 * 60);
    expect(error.message).toContain('Free plan includes 10,000 proxy requests per calendar month');
    expect(error.message).toContain('resets on 2026-12-01 at 00:00 UTC');
    expect(error.message).toContain('Upgrade to Pro');
    clock.set(Date.parse('2026-11-30T23:59:59.500Z'));
    expect((await refusal(check)).retryAfterSeconds).toBe(1);
    clock.set(Date.parse('2026-12-01T00:00:00.000Z'));
    await expect(check()).resolves.toBeUndefined();
  });

  it('rolls over at the year boundary', async () => {
    const { clock, deps, caller } = setup('free', '2026-12-31T23:59:30.000Z');
    const limited = { ...deps, planLimits: smallLimits(1000, 2) };
    await repeat(2, () => enforceRequestLimits(limited, caller));

    expect((await refusal(() => enforceRequestLimits(limited, caller))).retryAfterSeconds).toBe(30);
    clock.set(Date.parse('2027-01-01T00:00:00.000Z'));
    await expect(enforceRequestLimits(limited, caller)).resolves.toBeUndefined();
    expect(monthCounterKey('acct-1', clock.nowMs())).toBe('MONTH#acct-1#2027-01');
  });

  it('does not spend monthly quota on requests the rate limit refused', async () => {
    const { clock, counters, deps, caller } = setup('free');
    const limited = { ...deps, planLimits: smallLimits(2, 10) };
    await repeat(2, () => enforceRequestLimits(limited, caller));
    await refusal(() => enforceRequestLimits(limited, caller));

    const month = await counters.read(monthCounterKey('acct-1', clock.nowMs()), clock.nowMs());
    expect(month.count).toBe(2);
  });

  it('keeps counting per account, not per key', async () => {
    const { deps, caller } = setup('free');
    const limited = { ...deps, planLimits: smallLimits(100, 3) };
    await enforceRequestLimits(limited, caller);
    await enforceRequestLimits(limited, { ...caller, keyDigest: 'other-key' });
    await enforceRequestLimits(limited, caller);
    const error = await refusal(() =>
      enforceRequestLimits(limited, { ...caller, keyDigest: 'third-key' }),
    );
    expect(error.message).toContain('Monthly limit reached');
  });
});

describe('enforceRequestLimits when the counters fail', () => {
  it('lets the request through and logs the failure without the key digest', async () => {
    const { deps, caller, logger } = setup('free');
    const broken: CounterStore = {
      incrementIfBelow: () => Promise.reject(new Error('DynamoDB down')),
      countRejection: () => Promise.reject(new Error('DynamoDB down')),
      read: () => Promise.reject(new Error('DynamoDB down')),
    };

    await expect(enforceRequestLimits({ ...deps, counters: broken }, caller)).resolves.toBe(
      undefined,
    );
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]?.level).toBe('error');
    expect(JSON.stringify(logger.lines)).not.toContain('digest-1');
  });
});

describe('window arithmetic', () => {
  it('names minute windows in UTC and months by calendar', () => {
    const at = Date.parse('2026-03-01T00:59:59.999+01:00');
    expect(minuteCounterKey('d', at)).toBe('RPM#d#2026-02-28T23:59');
    expect(monthCounterKey('a', at)).toBe('MONTH#a#2026-02');
    expect(new Date(nextMonthStartMs(at)).toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });
});

function smallLimits(perMinute: number, monthly: number) {
  return {
    free: {
      monthlyRequests: monthly,
      requestsPerMinutePerKey: perMinute,
      logRetentionDays: 30,
      alertRules: false,
    },
    pro: {
      monthlyRequests: null,
      requestsPerMinutePerKey: perMinute,
      logRetentionDays: 365,
      alertRules: true,
    },
  };
}
