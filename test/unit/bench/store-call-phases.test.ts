import { describe, expect, it } from 'vitest';
import {
  type CallInterval,
  criticalPathDepth,
  describeSequence,
  splitPhases,
} from '../../bench/support/store-call-phases.ts';

const call = (name: string, startTick: number, endTick: number, roundTrips = 1): CallInterval => ({
  name,
  startTick,
  endTick,
  roundTrips,
});

describe('criticalPathDepth', () => {
  it('counts calls made one after the other', () => {
    expect(criticalPathDepth([call('a', 1, 2), call('b', 3, 4), call('c', 5, 6)])).toBe(3);
  });

  it('counts calls that overlap once', () => {
    expect(criticalPathDepth([call('a', 1, 4), call('b', 2, 3)])).toBe(1);
    expect(criticalPathDepth([call('a', 1, 3), call('b', 2, 4)])).toBe(1);
  });

  it('follows the longest chain when parallel branches differ in length', () => {
    // a, then (b | c -> d), then e: b overlaps both c and d, so the chain is a c d e.
    const calls = [
      call('a', 1, 2),
      call('b', 3, 10),
      call('c', 4, 5),
      call('d', 6, 9),
      call('e', 11, 12),
    ];
    expect(criticalPathDepth(calls)).toBe(4);
  });

  it('does not depend on the order the calls were reported in', () => {
    const calls = [call('c', 5, 6), call('a', 1, 2), call('b', 3, 4)];
    expect(criticalPathDepth(calls)).toBe(3);
  });

  it('weighs a call by its round trips', () => {
    expect(criticalPathDepth([call('a', 1, 2), call('b', 3, 4, 3)])).toBe(4);
    // Parallel with a heavier call: the heavier one is the critical path.
    expect(criticalPathDepth([call('a', 1, 4), call('b', 2, 3, 3)])).toBe(3);
  });

  it('is 0 without calls', () => {
    expect(criticalPathDepth([])).toBe(0);
  });
});

describe('describeSequence', () => {
  it('joins sequential calls with arrows and collapses repeats', () => {
    const calls = [call('a', 1, 2), call('b', 3, 4), call('b', 5, 6), call('c', 7, 8, 3)];
    expect(describeSequence(calls)).toBe('a -> b x2 -> c [3 round trips]');
  });

  it('shows overlapping calls together', () => {
    expect(describeSequence([call('a', 1, 4), call('b', 2, 3), call('c', 5, 6)])).toBe(
      '(a | b) -> c',
    );
  });

  it('says when there are none', () => {
    expect(describeSequence([])).toBe('(none)');
  });
});

describe('splitPhases', () => {
  it('sorts calls by the tick they started at', () => {
    const marks = { upstreamCalledTick: 10, upstreamEndedTick: 20, settledTick: 30 };
    const phases = splitPhases(
      [call('auth', 1, 2), call('cache', 12, 13), call('record', 21, 22), call('stray', 31, 32)],
      marks,
    );
    expect(phases.before.map((entry) => entry.name)).toEqual(['auth']);
    expect(phases.during.map((entry) => entry.name)).toEqual(['cache']);
    expect(phases.after.map((entry) => entry.name)).toEqual(['record']);
    expect(phases.late.map((entry) => entry.name)).toEqual(['stray']);
  });
});
