import { describe, expect, it } from 'vitest';
import { pollUntil } from '../../../frontend/src/lib/poll.ts';

function fakeTime() {
  let nowMs = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    nowMs: () => nowMs,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      nowMs += ms;
    },
  };
}

describe('pollUntil', () => {
  it('reads every interval until the value is done, reporting each value', async () => {
    const time = fakeTime();
    const answers = ['free', 'free', 'pro'];
    const seen: string[] = [];

    const result = await pollUntil(
      async () => answers.shift() ?? 'free',
      (plan) => plan === 'pro',
      { intervalMs: 1_000, timeoutMs: 30_000, onValue: (plan) => seen.push(plan), ...time },
    );

    expect(result).toBe('pro');
    expect(seen).toEqual(['free', 'free', 'pro']);
    expect(time.sleeps).toEqual([1_000, 1_000]);
  });

  it('gives up after the timeout, counting failed reads as not yet', async () => {
    const time = fakeTime();
    let reads = 0;

    const result = await pollUntil(
      async () => {
        reads += 1;
        if (reads % 2 === 0) throw new Error('network');
        return 'free';
      },
      (plan) => plan === 'pro',
      { intervalMs: 1_000, timeoutMs: 30_000, ...time },
    );

    expect(result).toBeUndefined();
    expect(reads).toBe(31);
  });

  it('stops when aborted', async () => {
    const stop = new AbortController();
    const result = await pollUntil(
      async () => {
        stop.abort();
        return 'pro';
      },
      () => true,
      { intervalMs: 1_000, timeoutMs: 30_000, signal: stop.signal, ...fakeTime() },
    );
    expect(result).toBeUndefined();
  });
});
