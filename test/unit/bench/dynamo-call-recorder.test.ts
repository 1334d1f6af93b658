import { describe, expect, it } from 'vitest';
import { itemKind } from '../../bench/support/dynamo-call-recorder.ts';

describe('itemKind', () => {
  it('names an item by its table and key prefixes, ids left out', () => {
    expect(
      itemKind('metrion-local-accounts', { pk: { S: 'METRION_KEY#ab12' }, sk: { S: 'LOOKUP' } }),
    ).toBe('accounts METRION_KEY/LOOKUP');
    expect(
      itemKind('metrion-local-usage', {
        pk: { S: 'DIRTY#2026-12-01T22:00:00.000Z#3' },
        sk: { S: 'ce598dfbeec268015e370d32f8c2f8c1' },
      }),
    ).toBe('usage DIRTY/-');
    expect(
      itemKind('metrion-local-usage', {
        pk: { S: 'TRACE#07' },
        sk: { S: '2026-12-06T05:26:29.503Z#req-1' },
      }),
    ).toBe('usage TRACE/-');
    expect(itemKind('metrion-local-response-cache', { pk: { S: 'x' } })).toBe('response-cache x/-');
  });
});
