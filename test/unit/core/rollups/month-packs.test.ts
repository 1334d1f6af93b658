import { describe, expect, it } from 'vitest';
import { DAY_MS } from '#core/rollups/buckets.ts';
import {
  type DailyItem,
  dayVersion,
  type MonthPacks,
  monthStartMs,
  nextMonthStartMs,
  type PackFamily,
  packedPart,
  repackDay,
  uncoveredSpans,
  unpackDays,
} from '#core/rollups/month-packs.ts';

/** A minimal item family: what the packing needs and one count. */
interface Tally extends DailyItem {
  readonly key: string;
  readonly count: number;
}

const TALLY: PackFamily<Tally> = {
  keyOf: (item) => item.key,
  canonical: (item) => JSON.stringify([item.key, item.count, item.expiresAtEpochSeconds]),
};

const DAY_1 = Date.parse('2026-03-01T00:00:00.000Z');
const DAY_2 = DAY_1 + DAY_MS;
const NOW_SECONDS = DAY_1 / 1000;
const LATER = NOW_SECONDS + 1000;

function tally(dayMs: number, key: string, count: number, expires = LATER): Tally {
  return {
    accountId: 'acct',
    bucketStart: new Date(dayMs).toISOString(),
    expiresAtEpochSeconds: expires,
    key,
    count,
  };
}

/** Applies an update to an in-memory month, as a store would. */
function apply(month: MonthPacks<Tally>, update: ReturnType<typeof repackDay<Tally>>) {
  const written = new Set([...update.put.map((p) => p.key), ...update.deleteKeys]);
  return {
    packs: [...month.packs.filter((p) => !written.has(p.key)), ...update.put],
    manifests: [update.manifest],
  };
}

const EMPTY: MonthPacks<Tally> = { packs: [], manifests: [] };

function packTwoDays(): MonthPacks<Tally> {
  let month = apply(
    EMPTY,
    repackDay(TALLY, EMPTY, { accountId: 'acct', dayMs: DAY_1 }, [
      tally(DAY_1, 'a', 1),
      tally(DAY_1, 'b', 2),
    ]),
  );
  month = apply(
    month,
    repackDay(TALLY, month, { accountId: 'acct', dayMs: DAY_2 }, [tally(DAY_2, 'a', 5, LATER + 9)]),
  );
  return month;
}

describe('month packs', () => {
  it('puts each item of a day into its key pack and states the day in the manifest', () => {
    const month = packTwoDays();
    const a = month.packs.find((pack) => pack.key === 'a');
    expect([...(a?.days.keys() ?? [])]).toEqual([
      '2026-03-01T00:00:00.000Z',
      '2026-03-02T00:00:00.000Z',
    ]);
    expect(a?.monthStart).toBe('2026-03-01T00:00:00.000Z');
    const manifest = month.manifests[0];
    expect(manifest?.days.get('2026-03-01T00:00:00.000Z')).toEqual({
      version: dayVersion(TALLY, [tally(DAY_1, 'b', 2), tally(DAY_1, 'a', 1)]),
      count: 2,
      expiresAtEpochSeconds: LATER,
    });
    expect(manifest?.days.get('2026-03-02T00:00:00.000Z')?.expiresAtEpochSeconds).toBe(LATER + 9);
  });

  it('replaces a day: its slices under keys gone are dropped, an emptied pack deleted, other days kept', () => {
    const month = packTwoDays();
    const update = repackDay(TALLY, month, { accountId: 'acct', dayMs: DAY_1 }, [
      tally(DAY_1, 'a', 7),
    ]);
    expect(update.deleteKeys).toEqual(['b']);
    const a = update.put.find((pack) => pack.key === 'a');
    expect([...(a?.days.values() ?? [])].map(({ item }) => item.count)).toEqual([5, 7]);
    const { items } = unpackDays(apply(month, update), DAY_1, DAY_2 + DAY_MS, NOW_SECONDS);
    expect(items.map((item) => [item.bucketStart.slice(0, 10), item.key, item.count])).toEqual([
      ['2026-03-01', 'a', 7],
      ['2026-03-02', 'a', 5],
    ]);
  });

  it('versions a day by its content, whatever the order of its items', () => {
    const one = [tally(DAY_1, 'a', 1), tally(DAY_1, 'b', 2)];
    expect(dayVersion(TALLY, one)).toBe(dayVersion(TALLY, [...one].reverse()));
    expect(dayVersion(TALLY, one)).not.toBe(
      dayVersion(TALLY, [tally(DAY_1, 'a', 1), tally(DAY_1, 'b', 3)]),
    );
  });

  it('covers a day only when exactly its stated slices carry its version', () => {
    const month = packTwoDays();
    const range = [DAY_1, DAY_2 + DAY_MS, NOW_SECONDS] as const;
    expect([...unpackDays(month, ...range).coveredDays]).toEqual([DAY_1, DAY_2]);

    // A slice lost (a write that stopped halfway, or a concurrent one that won).
    const lost = { ...month, packs: month.packs.filter((pack) => pack.key !== 'b') };
    expect([...unpackDays(lost, ...range).coveredDays]).toEqual([DAY_2]);

    // A slice from another write of the day (stale content under the same key).
    const stale = repackDay(TALLY, month, { accountId: 'acct', dayMs: DAY_1 }, [
      tally(DAY_1, 'a', 1),
      tally(DAY_1, 'b', 99),
    ]);
    const mixed = {
      packs: [
        ...month.packs.filter((p) => p.key !== 'b'),
        ...stale.put.filter((p) => p.key === 'b'),
      ],
      manifests: month.manifests,
    };
    const unpacked = unpackDays(mixed, ...range);
    expect([...unpacked.coveredDays]).toEqual([DAY_2]);
    expect(unpacked.items.map((item) => item.count)).toEqual([5]);
  });

  it('skips expired items of a covered day, and covers a day whose items all expired', () => {
    const month = packTwoDays();
    const afterDay1 = LATER; // day 1 expires at LATER, day 2 nine seconds later
    const unpacked = unpackDays(month, DAY_1, DAY_2 + DAY_MS, afterDay1);
    expect([...unpacked.coveredDays]).toEqual([DAY_1, DAY_2]);
    expect(unpacked.items.map((item) => item.count)).toEqual([5]);
    const withoutPacks = unpackDays({ ...month, packs: [] }, DAY_1, DAY_2, afterDay1);
    expect([...withoutPacks.coveredDays]).toEqual([DAY_1]);
  });

  it('reads only the days of the range', () => {
    const unpacked = unpackDays(packTwoDays(), DAY_2, DAY_2 + DAY_MS, NOW_SECONDS);
    expect([...unpacked.coveredDays]).toEqual([DAY_2]);
    expect(unpacked.items.map((item) => item.bucketStart)).toEqual(['2026-03-02T00:00:00.000Z']);
  });

  it('lists the days not covered as joined spans', () => {
    const covered = new Set([DAY_1 + DAY_MS, DAY_1 + 4 * DAY_MS]);
    expect(uncoveredSpans(DAY_1, DAY_1 + 6 * DAY_MS, covered)).toEqual([
      [DAY_1, DAY_1 + DAY_MS],
      [DAY_1 + 2 * DAY_MS, DAY_1 + 4 * DAY_MS],
      [DAY_1 + 5 * DAY_MS, DAY_1 + 6 * DAY_MS],
    ]);
  });

  it('reads an edge month from its packs only when the range holds enough of its days', () => {
    const day = (iso: string) => Date.parse(`${iso}T00:00:00.000Z`);
    const part = (from: string, to: string) => {
      const found = packedPart(day(from), day(to), 7);
      return (
        found && [
          new Date(found.fromMs).toISOString().slice(0, 10),
          new Date(found.toMs).toISOString().slice(0, 10),
        ]
      );
    };
    expect(part('2026-01-26', '2026-04-03')).toEqual(['2026-02-01', '2026-04-01']);
    expect(part('2026-01-25', '2026-04-08')).toEqual(['2026-01-25', '2026-04-08']);
    expect(part('2026-01-25', '2026-04-07')).toEqual(['2026-01-25', '2026-04-01']);
    expect(part('2026-03-02', '2026-03-09')).toEqual(['2026-03-02', '2026-03-09']);
    expect(part('2026-03-02', '2026-03-08')).toBeUndefined();
    expect(part('2026-02-26', '2026-03-04')).toBeUndefined();
  });

  it('finds UTC month starts across a year end', () => {
    const newYearsEve = Date.parse('2026-12-31T23:59:59.999Z');
    expect(new Date(monthStartMs(newYearsEve)).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(new Date(nextMonthStartMs(newYearsEve)).toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });
});
