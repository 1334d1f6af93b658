import { describe, expect, it } from 'vitest';
import { isolatedPoints } from '../../../frontend/src/lib/chart-data.ts';

describe('isolatedPoints', () => {
  it.each([
    ['an empty series', [], []],
    ['a one-bucket series', [5], [0]],
    ['a connected line', [1, 2, 3], []],
    ['a value between gaps', [null, 4, null, 6, 7], [1]],
    ['values at both ends next to gaps (0 counts as a value)', [3, null, null, 0], [0, 3]],
    ['a series of gaps only', [null, null], []],
  ] as const)('finds the lone values of %s', (_case, values, expected) => {
    expect(isolatedPoints(values)).toEqual(expected);
  });
});
