import type { CounterStore, CounterValue } from '#core/ports/counter-store.ts';

interface Counter {
  count: number;
  rejected: number;
  expiresAtEpochSeconds: number;
}

/**
 * CounterStore in memory, passing the same contract suite as DynamoCounterStore. JavaScript runs
 * each call's check-and-add without yielding, which makes it atomic like the conditional write.
 */
export class InMemoryCounterStore implements CounterStore {
  readonly #counters = new Map<string, Counter>();

  async incrementIfBelow(
    key: string,
    limit: number,
    expiresAtEpochSeconds: number,
  ): Promise<boolean> {
    const counter = this.#counters.get(key);
    if (counter === undefined) {
      if (limit < 1) return false;
      this.#counters.set(key, { count: 1, rejected: 0, expiresAtEpochSeconds });
      return true;
    }
    if (counter.count >= limit) return false;
    counter.count += 1;
    counter.expiresAtEpochSeconds = expiresAtEpochSeconds;
    return true;
  }

  async countRejection(key: string, expiresAtEpochSeconds: number): Promise<void> {
    const counter = this.#counters.get(key);
    if (counter === undefined) {
      this.#counters.set(key, { count: 0, rejected: 1, expiresAtEpochSeconds });
      return;
    }
    counter.rejected += 1;
    counter.expiresAtEpochSeconds = expiresAtEpochSeconds;
  }

  async read(key: string, nowMs: number): Promise<CounterValue> {
    const counter = this.#counters.get(key);
    if (counter === undefined || counter.expiresAtEpochSeconds * 1000 <= nowMs) {
      return { count: 0, rejected: 0 };
    }
    return { count: counter.count, rejected: counter.rejected };
  }

  /** Every key counted so far (lets tests see which windows a request touched). */
  keys(): string[] {
    return [...this.#counters.keys()];
  }
}
