import { describe, expect, it } from 'vitest';
import { PLAN_LIMITS, usageExpiryEpochSeconds } from '#core/billing/plans.ts';

// Written out by hand, not derived from PLAN_LIMITS, so a changed table fails here.
const THIRTY_DAYS_SECONDS = 2_592_000;
const THREE_HUNDRED_SIXTY_FIVE_DAYS_SECONDS = 31_536_000;

describe('plan retention', () => {
  it('keeps logs 30 days on Free and 365 days on Pro', () => {
    expect(PLAN_LIMITS.free.logRetentionDays).toBe(30);
    expect(PLAN_LIMITS.pro.logRetentionDays).toBe(365);
  });

  it('expires a Free record 30 days after it was made, to the second', () => {
    const atMs = Date.parse('2026-11-24T12:00:00.000Z');
    expect(usageExpiryEpochSeconds('free', atMs)).toBe(
      Date.parse('2026-12-24T12:00:00.000Z') / 1000,
    );
    expect(usageExpiryEpochSeconds('free', atMs)).toBe(atMs / 1000 + THIRTY_DAYS_SECONDS);
  });

  it('expires a Pro record 365 days after it was made, to the second', () => {
    const atMs = Date.parse('2026-11-24T12:00:00.000Z');
    expect(usageExpiryEpochSeconds('pro', atMs)).toBe(
      Date.parse('2027-11-24T12:00:00.000Z') / 1000,
    );
    expect(usageExpiryEpochSeconds('pro', atMs)).toBe(
      atMs / 1000 + THREE_HUNDRED_SIXTY_FIVE_DAYS_SECONDS,
    );
  });

  it('drops the milliseconds of the creation time instead of rounding them up', () => {
    const atMs = Date.parse('2026-11-24T12:00:00.999Z');
    expect(usageExpiryEpochSeconds('free', atMs)).toBe(
      Date.parse('2026-12-24T12:00:00.000Z') / 1000,
    );
  });
});
