import { describe, expect, it } from 'vitest';
import { percentile, summarize } from '../../bench/support/percentiles.ts';

describe('percentile (nearest rank)', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, index) => index + 1);

  it('returns the sample at rank ceil(p/100 * n)', () => {
    expect(percentile(oneToHundred, 50)).toBe(50);
    expect(percentile(oneToHundred, 95)).toBe(95);
    expect(percentile(oneToHundred, 99)).toBe(99);
    expect(percentile(oneToHundred, 100)).toBe(100);
  });

  it('never interpolates: every answer is an observed sample', () => {
    expect(percentile([10, 20], 50)).toBe(10);
    expect(percentile([10, 20], 51)).toBe(20);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 1000], 95)).toBe(1000);
  });

  it('gives the only sample for every p when there is one', () => {
    expect(percentile([7], 0.1)).toBe(7);
    expect(percentile([7], 99)).toBe(7);
  });

  it('rejects no samples and p outside (0, 100]', () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('sorts a copy numerically and leaves the input alone', () => {
    const samples = [3, 100, 20, 1, 2];

    const summary = summarize(samples);

    expect(summary).toEqual({ count: 5, p50: 3, p95: 100, p99: 100 });
    expect(samples).toEqual([3, 100, 20, 1, 2]);
  });
});
