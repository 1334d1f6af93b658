import { describe, expect, it } from 'vitest';
import { costLayers, isolatedPoints, tokenLayers } from '../../../frontend/src/lib/chart-data.ts';

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

describe('tokenLayers', () => {
  it('stacks the four token kinds in a fixed order', () => {
    const layers = tokenLayers({ input: [1], output: [2], cacheRead: [3], cacheWrite: [4] });

    expect(layers).toEqual([
      { label: 'Input', values: [1] },
      { label: 'Output', values: [2] },
      { label: 'Cache read', values: [3] },
      { label: 'Cache write', values: [4] },
    ]);
  });
});

describe('costLayers', () => {
  it('draws one layer per model from its decimal cost series', () => {
    const layers = costLayers([
      { provider: 'openai', model: 'gpt-4o', total: '1.5', series: ['0.25', '1.25'] },
    ]);

    expect(layers).toEqual([{ label: 'gpt-4o', values: [0.25, 1.25] }]);
  });
});
