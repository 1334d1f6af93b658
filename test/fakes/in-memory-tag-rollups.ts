import type { Clock } from '#core/ports/clock.ts';
import type {
  TagKeySeen,
  TagRollupSealStore,
  TagRollupStore,
} from '#core/ports/tag-rollup-store.ts';
import { bucketIso, type Granularity } from '#core/rollups/buckets.ts';
import { addCounts, EMPTY_COUNTS } from '#core/rollups/rollup.ts';
import { type TagRollup, tagRollupKey } from '#core/rollups/tag-rollup.ts';
import type { TagSummary } from '#core/rollups/tag-summary.ts';

/**
 * TagRollupStore and TagRollupSealStore in memory (the tag side of InMemoryRollupStore), passing
 * the same contract suite as the DynamoDB store.
 */
export class InMemoryTagRollups implements TagRollupStore, TagRollupSealStore {
  readonly #clock: Clock;
  readonly #rollups = new Map<string, TagRollup>();
  readonly #summaries = new Map<string, TagSummary>();
  readonly #keys = new Map<string, Map<string, string>>();

  constructor(options: { clock: Clock }) {
    this.#clock = options.clock;
  }

  #now(): number {
    return Math.floor(this.#clock.nowMs() / 1000);
  }

  static #id(rollup: TagRollup): string {
    return `${rollup.accountId}|${rollup.tagKey}|${rollup.granularity}|${rollup.bucketStart}|${tagRollupKey(rollup)}`;
  }

  async addToTagRollup(rollup: TagRollup): Promise<void> {
    const id = InMemoryTagRollups.#id(rollup);
    const previous = this.#rollups.get(id);
    const { earliestExpiresAtEpochSeconds: _sealedOnly, ...live } = rollup;
    this.#rollups.set(id, {
      ...live,
      ...addCounts(previous ?? EMPTY_COUNTS, rollup),
      sealed: false,
    });
  }

  async noteTagKey(accountId: string, key: string, seenAt: string): Promise<void> {
    const keys = this.#keys.get(accountId) ?? new Map<string, string>();
    const previous = keys.get(key);
    if (previous === undefined || previous < seenAt) keys.set(key, seenAt);
    this.#keys.set(accountId, keys);
  }

  async listTagKeys(accountId: string): Promise<TagKeySeen[]> {
    return [...(this.#keys.get(accountId) ?? [])]
      .map(([key, lastSeenAt]) => ({ key, lastSeenAt }))
      .sort((a, b) => (a.lastSeenAt < b.lastSeenAt ? 1 : a.lastSeenAt > b.lastSeenAt ? -1 : 0));
  }

  #select(filter: (rollup: TagRollup) => boolean): TagRollup[] {
    const now = this.#now();
    return [...this.#rollups.values()]
      .filter((rollup) => rollup.expiresAtEpochSeconds > now && filter(rollup))
      .map((rollup) => ({ ...rollup, latencyHistogram: new Map(rollup.latencyHistogram) }));
  }

  async queryTagValues(
    accountId: string,
    key: string,
    values: readonly string[],
    granularity: Granularity,
    fromMs: number,
    toMs: number,
  ): Promise<TagRollup[]> {
    return this.#select(
      (rollup) =>
        rollup.accountId === accountId &&
        rollup.tagKey === key &&
        values.includes(rollup.tagValue) &&
        rollup.granularity === granularity &&
        inRange(rollup.bucketStart, fromMs, toMs),
    );
  }

  async queryTagHours(
    accountId: string,
    key: string,
    fromMs: number,
    toMs: number,
  ): Promise<TagRollup[]> {
    return this.#select(
      (rollup) =>
        rollup.accountId === accountId &&
        rollup.tagKey === key &&
        rollup.granularity === 'hour' &&
        inRange(rollup.bucketStart, fromMs, toMs),
    );
  }

  async queryTagSummaries(
    accountId: string,
    key: string,
    granularity: Granularity,
    fromMs: number,
    toMs: number,
  ): Promise<TagSummary[]> {
    return [...this.#summaries.values()]
      .filter(
        (summary) =>
          summary.accountId === accountId &&
          summary.tagKey === key &&
          summary.granularity === granularity &&
          inRange(summary.bucketStart, fromMs, toMs),
      )
      .map((summary) => structuredClone(summary));
  }

  async replaceTagHour(
    accountId: string,
    key: string,
    hourStartMs: number,
    rollups: readonly TagRollup[],
    summary: TagSummary,
  ): Promise<void> {
    const prefix = `${accountId}|${key}|hour|${bucketIso(hourStartMs)}|`;
    for (const id of [...this.#rollups.keys()]) if (id.startsWith(prefix)) this.#rollups.delete(id);
    for (const rollup of rollups) this.#rollups.set(InMemoryTagRollups.#id(rollup), rollup);
    this.#summaries.set(`${accountId}|${key}|hour|${summary.bucketStart}`, summary);
  }

  async putTagDay(
    accountId: string,
    key: string,
    dayStartMs: number,
    rollups: readonly TagRollup[],
    summary: TagSummary | undefined,
  ): Promise<void> {
    for (const rollup of rollups) this.#rollups.set(InMemoryTagRollups.#id(rollup), rollup);
    if (summary !== undefined) {
      this.#summaries.set(`${accountId}|${key}|day|${bucketIso(dayStartMs)}`, summary);
    }
  }
}

function inRange(bucketStart: string, fromMs: number, toMs: number): boolean {
  const startMs = Date.parse(bucketStart);
  return startMs >= fromMs && startMs < toMs;
}
