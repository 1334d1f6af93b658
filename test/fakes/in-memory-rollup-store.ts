import type { Clock } from '#core/ports/clock.ts';
import type { RollupSealStore } from '#core/ports/rollup-seal-store.ts';
import type { RollupStore } from '#core/ports/rollup-store.ts';
import type { TagKeySeen } from '#core/ports/tag-rollup-store.ts';
import { bucketIso, type Granularity, HOUR_MS } from '#core/rollups/buckets.ts';
import {
  type MonthPack,
  type MonthPacks,
  type MonthPackUpdate,
  monthStartMs,
  type PackManifest,
} from '#core/rollups/month-packs.ts';
import {
  addCounts,
  dimensionKey,
  EMPTY_COUNTS,
  type Rollup,
  type StoredUsageRecord,
} from '#core/rollups/rollup.ts';
import type { TagRollup } from '#core/rollups/tag-rollup.ts';
import type { TagSummary } from '#core/rollups/tag-summary.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { InMemoryTagRollups } from './in-memory-tag-rollups.ts';
import type { InMemoryUsageStore } from './in-memory-usage-store.ts';

/**
 * RollupStore and RollupSealStore in memory, passing the same contract suite as
 * DynamoRollupStore. Raw records are read from the InMemoryUsageStore it is given (as the Dynamo
 * store reads the usage table). Its tag side is an {@link InMemoryTagRollups}.
 */
export class InMemoryRollupStore implements RollupStore, RollupSealStore {
  readonly #clock: Clock;
  readonly #usage: InMemoryUsageStore;
  readonly #rollups = new Map<string, Rollup>();
  readonly #dirty = new Map<number, Set<string>>();
  readonly #errors = new Map<string, StoredUsageRecord>();
  readonly #packs = new Map<string, MonthPack<Rollup>>();
  readonly #manifests = new Map<string, PackManifest>();
  readonly #tags: InMemoryTagRollups;

  constructor(options: { usage: InMemoryUsageStore; clock: Clock }) {
    this.#usage = options.usage;
    this.#clock = options.clock;
    this.#tags = new InMemoryTagRollups({ clock: options.clock });
  }

  addToTagRollup(rollup: TagRollup): Promise<void> {
    return this.#tags.addToTagRollup(rollup);
  }

  noteTagKey(accountId: string, key: string, seenAt: string): Promise<void> {
    return this.#tags.noteTagKey(accountId, key, seenAt);
  }

  listTagKeys(accountId: string): Promise<TagKeySeen[]> {
    return this.#tags.listTagKeys(accountId);
  }

  queryTagValues(...args: Parameters<InMemoryTagRollups['queryTagValues']>): Promise<TagRollup[]> {
    return this.#tags.queryTagValues(...args);
  }

  queryTagHours(...args: Parameters<InMemoryTagRollups['queryTagHours']>): Promise<TagRollup[]> {
    return this.#tags.queryTagHours(...args);
  }

  queryTagSummaries(
    ...args: Parameters<InMemoryTagRollups['queryTagSummaries']>
  ): Promise<TagSummary[]> {
    return this.#tags.queryTagSummaries(...args);
  }

  replaceTagHour(...args: Parameters<InMemoryTagRollups['replaceTagHour']>): Promise<void> {
    return this.#tags.replaceTagHour(...args);
  }

  putTagDay(...args: Parameters<InMemoryTagRollups['putTagDay']>): Promise<void> {
    return this.#tags.putTagDay(...args);
  }

  #now(): number {
    return Math.floor(this.#clock.nowMs() / 1000);
  }

  async addToRollup(rollup: Rollup): Promise<void> {
    const key = `${rollup.accountId}|${rollup.granularity}|${rollup.bucketStart}|${dimensionKey(rollup)}`;
    const previous = this.#rollups.get(key);
    const { earliestExpiresAtEpochSeconds: _sealedOnly, ...live } = rollup;
    this.#rollups.set(key, {
      ...live,
      ...addCounts(previous ?? EMPTY_COUNTS, rollup),
      sealed: false,
    });
  }

  async markDirty(accountId: string, hourStartMs: number): Promise<void> {
    const accounts = this.#dirty.get(hourStartMs) ?? new Set<string>();
    accounts.add(accountId);
    this.#dirty.set(hourStartMs, accounts);
  }

  async query(
    accountId: string,
    granularity: Granularity,
    fromMs: number,
    toMs: number,
  ): Promise<Rollup[]> {
    const now = this.#now();
    return [...this.#rollups.values()]
      .filter(
        (rollup) =>
          rollup.accountId === accountId &&
          rollup.granularity === granularity &&
          Date.parse(rollup.bucketStart) >= fromMs &&
          Date.parse(rollup.bucketStart) < toMs &&
          rollup.expiresAtEpochSeconds > now,
      )
      .map((rollup) => ({ ...rollup, latencyHistogram: new Map(rollup.latencyHistogram) }));
  }

  async listDirty(hourStartMs: number): Promise<string[]> {
    return [...(this.#dirty.get(hourStartMs) ?? [])];
  }

  async clearDirty(hourStartMs: number, accountId: string): Promise<void> {
    this.#dirty.get(hourStartMs)?.delete(accountId);
  }

  async rawRecordsInHour(accountId: string, hourStartMs: number): Promise<StoredUsageRecord[]> {
    return this.#usage.storedBetween(accountId, hourStartMs, hourStartMs + HOUR_MS);
  }

  async replaceBucket(
    accountId: string,
    granularity: Granularity,
    bucketStartMsValue: number,
    rollups: readonly Rollup[],
  ): Promise<void> {
    const bucketStart = bucketIso(bucketStartMsValue);
    const prefix = `${accountId}|${granularity}|${bucketStart}|`;
    for (const key of [...this.#rollups.keys()]) {
      if (key.startsWith(prefix)) this.#rollups.delete(key);
    }
    for (const rollup of rollups) {
      if (rollup.bucketStart !== bucketStart || rollup.granularity !== granularity) continue;
      this.#rollups.set(`${prefix}${dimensionKey(rollup)}`, rollup);
    }
  }

  async queryMonthPacks(
    accountId: string,
    fromMs: number,
    toMs: number,
  ): Promise<MonthPacks<Rollup>> {
    const inRange = (item: { accountId: string; monthStart: string }) =>
      item.accountId === accountId &&
      Date.parse(item.monthStart) >= monthStartMs(fromMs) &&
      Date.parse(item.monthStart) < toMs;
    return {
      packs: [...this.#packs.values()].filter(inRange).map((pack) => ({
        ...pack,
        days: new Map(pack.days),
      })),
      manifests: [...this.#manifests.values()].filter(inRange),
    };
  }

  async writeMonthPacks(update: MonthPackUpdate<Rollup>): Promise<void> {
    const prefix = `${update.accountId}|${update.monthStart}|`;
    for (const pack of update.put) this.#packs.set(`${prefix}${pack.key}`, pack);
    for (const key of update.deleteKeys) this.#packs.delete(`${prefix}${key}`);
    this.#manifests.set(prefix, update.manifest);
  }

  async putErrors(records: readonly StoredUsageRecord[]): Promise<void> {
    for (const stored of records) {
      this.#errors.set(
        `${stored.record.accountId}|${stored.record.at}#${stored.record.requestId}`,
        stored,
      );
    }
  }

  async recentErrors(
    accountId: string,
    fromMs: number,
    toMs: number,
    accept: (record: UsageRecord) => boolean,
    limit: number,
  ): Promise<UsageRecord[]> {
    const now = this.#now();
    return [...this.#errors.entries()]
      .filter(([key, stored]) => {
        const atMs = Date.parse(stored.record.at);
        return (
          key.startsWith(`${accountId}|`) &&
          stored.expiresAtEpochSeconds > now &&
          atMs >= fromMs &&
          atMs < toMs &&
          accept(stored.record)
        );
      })
      .sort(([a], [b]) => (a < b ? 1 : -1))
      .slice(0, Math.max(0, limit))
      .map(([, stored]) => structuredClone(stored.record));
  }
}
