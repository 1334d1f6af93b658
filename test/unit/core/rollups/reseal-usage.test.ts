import { describe, expect, it } from 'vitest';
import { HOUR_MS } from '#core/rollups/buckets.ts';
import {
  MAX_RESEAL_WINDOW_MS,
  type ResealOptions,
  resealUsage,
} from '#core/rollups/reseal-usage.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { InMemoryRollupStore } from '../../../fakes/in-memory-rollup-store.ts';
import { InMemoryUsageStore } from '../../../fakes/in-memory-usage-store.ts';
import { usageRecord } from '../../../fixtures/usage-record.ts';
import { RecordingLogger } from '../proxy/proxy-harness.ts';

const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const SINCE = Date.parse('2026-11-30T00:00:00.000Z');
const keep = { expiresAtEpochSeconds: NOW / 1000 + 90 * 86_400 };

/** The in-memory store, recording each `markDirty` call as `<account> <hour start>`. */
class MarkRecordingRollupStore extends InMemoryRollupStore {
  readonly marks: string[] = [];

  override async markDirty(accountId: string, hourStartMs: number): Promise<void> {
    this.marks.push(`${accountId} ${new Date(hourStartMs).toISOString()}`);
    return super.markDirty(accountId, hourStartMs);
  }
}

/** Raw records only (no live rollups, no markers): what the reseal has to find on its own. */
async function setup() {
  const clock = new FakeClock({ startMs: NOW });
  const usage = new InMemoryUsageStore({ clock });
  const rollups = new MarkRecordingRollupStore({ usage, clock });
  const logger = new RecordingLogger();
  const records = [
    ['acct-a', '2026-11-30T09:05:00.000Z'],
    ['acct-a', '2026-11-30T09:40:00.000Z'],
    ['acct-b', '2026-11-30T09:20:00.000Z'],
    ['acct-a', '2026-11-30T10:10:00.000Z'],
    ['acct-a', '2026-11-29T23:59:59.999Z'], // before the window
    ['acct-a', '2026-12-01T11:30:00.000Z'], // an hour not closed yet
  ] as const;
  for (const [accountId, at] of records) await usage.append(usageRecord({ accountId, at }), keep);
  const reseal = (options: Partial<ResealOptions> = {}) =>
    resealUsage({ records: usage, rollups, clock, logger }, { sinceMs: SINCE, ...options });
  const hourRequests = async (accountId: string, hour: string) =>
    (await rollups.query(accountId, 'hour', Date.parse(hour), Date.parse(hour) + HOUR_MS)).map(
      (rollup) => [rollup.requests, rollup.sealed],
    );
  return { rollups, logger, reseal, hourRequests };
}

describe('resealUsage', () => {
  it('marks every account-hour holding records in the window once, then seals the closed ones', async () => {
    const { rollups, logger, reseal, hourRequests } = await setup();

    const report = await reseal();

    expect(rollups.marks.sort()).toEqual([
      'acct-a 2026-11-30T09:00:00.000Z',
      'acct-a 2026-11-30T10:00:00.000Z',
      'acct-a 2026-12-01T11:00:00.000Z',
      'acct-b 2026-11-30T09:00:00.000Z',
    ]);
    expect(report).toEqual({
      hoursMarked: 4,
      sealed: { hoursSealed: 3, daysRebuilt: 2, daysPacked: 2 },
    });
    expect(await hourRequests('acct-a', '2026-11-30T09:00:00.000Z')).toEqual([[2, true]]);
    expect(await hourRequests('acct-a', '2026-11-30T10:00:00.000Z')).toEqual([[1, true]]);
    expect(await hourRequests('acct-b', '2026-11-30T09:00:00.000Z')).toEqual([[1, true]]);
    expect(await hourRequests('acct-a', '2026-11-29T23:00:00.000Z')).toEqual([]);
    // Not closed yet: left marked for the next scheduled seal run.
    expect(await rollups.listDirty(Date.parse('2026-12-01T11:00:00.000Z'))).toEqual(['acct-a']);
    expect(logger.lines).toContainEqual({
      level: 'info',
      message: 'usage resealed',
      fields: { hoursMarked: 4, hoursSealed: 3, daysRebuilt: 2, daysPacked: 2 },
    });
  });

  it('seals the hour the window starts in', async () => {
    const { rollups, reseal, hourRequests } = await setup();

    const report = await reseal({ sinceMs: Date.parse('2026-11-30T09:30:00.000Z') });

    expect(rollups.marks.sort()).toEqual([
      'acct-a 2026-11-30T09:00:00.000Z',
      'acct-a 2026-11-30T10:00:00.000Z',
      'acct-a 2026-12-01T11:00:00.000Z',
    ]);
    expect(report.sealed.hoursSealed).toBe(2);
    // The hour is rebuilt whole: the record at 09:05, before the window, counts too.
    expect(await hourRequests('acct-a', '2026-11-30T09:00:00.000Z')).toEqual([[2, true]]);
  });

  it('leaves dirty hours before the window to the scheduled seal', async () => {
    // Arrange: an hour marked by someone else, 3 hours before the window (within the scheduled
    // seal's own 48-hour lookback).
    const { rollups, reseal } = await setup();
    const earlierHourMs = Date.parse('2026-12-01T02:00:00.000Z');
    await rollups.markDirty('acct-c', earlierHourMs);

    // Act
    const report = await reseal({ sinceMs: Date.parse('2026-12-01T05:00:00.000Z') });

    // Assert: this run sealed nothing before its window; the marker waits for the seal job.
    expect(report.sealed.hoursSealed).toBe(0);
    expect(await rollups.listDirty(earlierHourMs)).toEqual(['acct-c']);
  });

  it("marks and seals only the given account's hours", async () => {
    const { rollups, reseal, hourRequests } = await setup();

    const report = await reseal({ accountId: 'acct-b' });

    expect(rollups.marks).toEqual(['acct-b 2026-11-30T09:00:00.000Z']);
    expect(report).toEqual({
      hoursMarked: 1,
      sealed: { hoursSealed: 1, daysRebuilt: 1, daysPacked: 1 },
    });
    expect(await hourRequests('acct-b', '2026-11-30T09:00:00.000Z')).toEqual([[1, true]]);
    expect(await hourRequests('acct-a', '2026-11-30T09:00:00.000Z')).toEqual([]);
  });

  it('ends the window at until, exclusive', async () => {
    const { rollups, reseal } = await setup();

    const report = await reseal({ untilMs: Date.parse('2026-11-30T10:10:00.000Z') });

    expect(rollups.marks.sort()).toEqual([
      'acct-a 2026-11-30T09:00:00.000Z',
      'acct-b 2026-11-30T09:00:00.000Z',
    ]);
    expect(report.hoursMarked).toBe(2);
  });

  it('accepts an until in the future', async () => {
    const { reseal } = await setup();

    const report = await reseal({ untilMs: NOW + 10 * HOUR_MS });

    expect(report.hoursMarked).toBe(4);
  });

  it.each([
    [NOW - MAX_RESEAL_WINDOW_MS, 5],
    [NOW, 0],
  ])('accepts a since at either end of the window (%i)', async (sinceMs, hoursMarked) => {
    const { reseal } = await setup();

    await expect(reseal({ sinceMs })).resolves.toMatchObject({ hoursMarked });
  });

  it.each([
    ['older than the markers live', { sinceMs: NOW - MAX_RESEAL_WINDOW_MS - 1 }],
    ['in the future', { sinceMs: NOW + 1 }],
  ])('refuses a since %s, saying why, before marking anything', async (_, options) => {
    const { rollups, reseal } = await setup();

    const refused = reseal(options);

    await expect(refused).rejects.toThrow(RangeError);
    await expect(refused).rejects.toThrow(
      'since must be a past time within 718 hours (rollup markers expire after that)',
    );
    expect(rollups.marks).toEqual([]);
  });

  it.each([[SINCE], [SINCE - HOUR_MS]])('refuses an until at or before since', async (untilMs) => {
    const { rollups, reseal } = await setup();

    await expect(reseal({ untilMs })).rejects.toThrow(new RangeError('until must be after since'));
    expect(rollups.marks).toEqual([]);
  });
});
