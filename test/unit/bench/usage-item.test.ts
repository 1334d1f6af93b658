import { describe, expect, it } from 'vitest';
import { usageExpiryEpochSeconds } from '#core/billing/plans.ts';
import { itemSizeBytes } from '../../../scripts/cost/item-size.ts';
import { jsonItemSize, usageItemOf, usageItemSizes } from '../../bench/support/usage-item.ts';
import { usageRecord } from '../../fixtures/usage-record.ts';

describe('usage item as the SDK marshals it', () => {
  it('captures the store item and its marshalled form, without undefined attributes', async () => {
    const { document, marshalled } = await usageItemOf(usageRecord(), {
      expiresAtEpochSeconds: 1_900_000_000,
    });
    expect(Object.keys(marshalled).sort()).toEqual(
      Object.entries(document)
        .filter(([, value]) => value !== undefined)
        .map(([name]) => name)
        .sort(),
    );
    expect(marshalled.expiresAtEpochSeconds).toEqual({ N: '1900000000' });
  });

  it('sizes the records by the one DynamoDB size rule, and as JSON', async () => {
    const record = usageRecord();
    const { document, marshalled } = await usageItemOf(record, {
      expiresAtEpochSeconds: usageExpiryEpochSeconds('free', Date.parse(record.at)),
    });
    const sizes = await usageItemSizes([record, record]);
    expect(sizes.records).toBe(2);
    expect(sizes.dynamoBytes).toEqual({
      mean: itemSizeBytes(marshalled),
      max: itemSizeBytes(marshalled),
    });
    expect(sizes.jsonBytes.max).toBe(jsonItemSize(document));
  });
});

describe('jsonItemSize', () => {
  it('writes bigints as digits', () => {
    expect(jsonItemSize({ cost: 12n })).toBe('{"cost":"12"}'.length);
  });
});
