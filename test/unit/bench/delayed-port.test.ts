import { describe, expect, it } from 'vitest';
import { delayedPort, type PortCall } from '../../bench/support/delayed-port.ts';
import { criticalPathDepth } from '../../bench/support/store-call-phases.ts';

class Store {
  readonly #values = new Map<string, number>();
  readonly label = 'store';

  async put(key: string, value: number): Promise<void> {
    this.#values.set(key, value);
  }

  async get(key: string): Promise<number | undefined> {
    return this.#values.get(key);
  }

  /** Calls another method of its own: one call from outside, as in a real adapter. */
  async increment(key: string): Promise<number> {
    const next = ((await this.get(key)) ?? 0) + 1;
    await this.put(key, next);
    return next;
  }

  async fail(): Promise<never> {
    throw new RangeError('refused');
  }

  digest(key: string): string {
    return `#${key}`;
  }
}

function recorded(options: { roundTripMs?: number; roundTrips?: Record<string, number> } = {}) {
  const calls: PortCall[] = [];
  /** What each reply waited for, in ms (recorded instead of slept: no wall-clock assertions). */
  const waits: number[] = [];
  /** A scripted clock: each reading is 1 ms after the one before. */
  let clockMs = 1_000;
  const store = delayedPort(new Store(), {
    name: 'store',
    roundTripMs: options.roundTripMs ?? 0,
    ...(options.roundTrips ? { roundTrips: options.roundTrips } : {}),
    onCall: (entry) => calls.push(entry),
    sleep: async (ms) => {
      waits.push(ms);
    },
    nowMs: () => {
      clockMs += 1;
      return clockMs;
    },
  });
  return { store, calls, waits };
}

describe('delayedPort', () => {
  it('returns what the wrapped methods return (private fields still work)', async () => {
    const { store } = recorded();
    await store.put('a', 41);
    expect(await store.increment('a')).toBe(42);
    expect(await store.get('a')).toBe(42);
  });

  it('rejects with the very error the method threw, and records the call as failed', async () => {
    const { store, calls } = recorded();
    await expect(store.fail()).rejects.toBeInstanceOf(RangeError);
    expect(calls).toEqual([expect.objectContaining({ name: 'store.fail', failed: true })]);
  });

  it('records one call per outside call, not the calls a method makes on itself', async () => {
    const { store, calls } = recorded();
    await store.increment('a');
    expect(calls.map((entry) => entry.name)).toEqual(['store.increment']);
  });

  it('passes synchronous methods and properties through unrecorded', () => {
    const { store, calls } = recorded();
    expect(store.digest('k')).toBe('#k');
    expect(store.label).toBe('store');
    expect(calls).toEqual([]);
  });

  it('delays the reply by the round trip times the method’s round trips', async () => {
    const { store, calls, waits } = recorded({ roundTripMs: 20, roundTrips: { increment: 2 } });
    await store.get('a');
    await store.increment('a');
    const [get, increment] = calls;
    // Each reply waits out what is left of its round trips after the store's own time (1 ms on
    // the scripted clock between the call and the reply).
    expect(waits).toEqual([19, 39]);
    expect(get?.roundTrips).toBe(1);
    expect(increment?.roundTrips).toBe(2);
  });

  it('marks awaited calls as sequential and parallel ones as overlapping', async () => {
    const { store, calls } = recorded();
    await store.put('a', 1);
    await Promise.all([store.get('a'), store.get('b')]);
    await store.get('c');
    expect(criticalPathDepth(calls)).toBe(3);
  });
});
