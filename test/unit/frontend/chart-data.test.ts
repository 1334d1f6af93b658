import { describe, expect, it } from 'vitest';
import {
  COUNT_TICK_STEPS,
  costLayers,
  hasTrend,
  isolatedPoints,
  tokenLayers,
} from '../../../frontend/src/lib/chart-data.ts';
import { colorForName, TOKEN_KIND_COLORS } from '../../../frontend/src/lib/colors.ts';

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

describe('hasTrend', () => {
  it.each([
    ['nothing', [], false],
    ['one value between gaps', [null, 20, null], false],
    ['two values, even far apart', [12, null, null, 30], true],
    ['zeros, which are values', [0, 0], true],
  ] as const)('says whether %s makes a line', (_case, values, expected) => {
    expect(hasTrend(values)).toBe(expected);
  });
});

describe('COUNT_TICK_STEPS', () => {
  it('holds whole numbers only, increasing', () => {
    expect(COUNT_TICK_STEPS.every(Number.isInteger)).toBe(true);
    expect(COUNT_TICK_STEPS[0]).toBe(1);
    expect([...COUNT_TICK_STEPS].sort((a, b) => a - b)).toEqual(COUNT_TICK_STEPS);
  });
});

describe('tokenLayers', () => {
  it('stacks the four token kinds in a fixed order, each in its fixed colour', () => {
    const layers = tokenLayers({ input: [1], output: [2], cacheRead: [3], cacheWrite: [4] });

    expect(layers).toEqual([
      { label: 'Input', color: TOKEN_KIND_COLORS.input, values: [1] },
      { label: 'Output', color: TOKEN_KIND_COLORS.output, values: [2] },
      { label: 'Cache read', color: TOKEN_KIND_COLORS.cacheRead, values: [3] },
      { label: 'Cache write', color: TOKEN_KIND_COLORS.cacheWrite, values: [4] },
    ]);
  });
});

describe('costLayers', () => {
  it('draws one layer per model from its decimal cost series, in the model colour', () => {
    const layers = costLayers([
      { provider: 'openai', model: 'gpt-4o', total: '1.5', series: ['0.25', '1.25'] },
    ]);

    expect(layers).toEqual([
      { label: 'gpt-4o', color: colorForName('gpt-4o'), values: [0.25, 1.25] },
    ]);
  });

  it('gives a model the same colour whatever else is in the chart and in which order', () => {
    const model = (name: string) => ({ provider: 'openai', model: name, total: '1', series: [] });
    const alone = costLayers([model('gpt-4o')]);
    const withOthers = costLayers([model('claude-haiku-4-5'), model('o3'), model('gpt-4o')]);

    expect(withOthers.find((layer) => layer.label === 'gpt-4o')?.color).toBe(alone[0]?.color);
  });
});
