import { describe, expect, it } from 'vitest';
import { InvalidPriceDataError, priceDataJson, readPriceData } from '#core/pricing/price-data.ts';
import { priceTableOf } from '#core/pricing/price-table-from-data.ts';
import { packagePriceData } from '../../../../scripts/generate-prices.ts';

/** The smallest valid data: the five providers, one model for Anthropic. */
function dataWith(anthropicModels: unknown[], extra: Record<string, unknown> = {}): unknown[] {
  return [
    { id: 'anthropic', name: 'Anthropic', models: anthropicModels, ...extra },
    { id: 'openai', models: [] },
    { id: 'google', models: [] },
    { id: 'mistral', models: [] },
    { id: 'x-ai', models: [] },
    { id: 'deepseek', models: [{ id: 'ignored', match: 'not even valid', prices: {} }] },
  ];
}

const haiku = {
  id: 'claude-haiku-4-5',
  name: 'Claude Haiku 4.5',
  description: 'dropped',
  match: { or: [{ starts_with: 'claude-haiku-4-5' }, { starts_with: 'claude-haiku-4.5' }] },
  prices: {
    input_mtok: 1,
    output_mtok: 5,
    cache_read_mtok: 0.1,
    cache_write_mtok: 1.25,
    cache_write_1h_mtok: 2,
    web_searches_kcount: 10,
  },
};

describe('readPriceData', () => {
  it('keeps the five providers, each model with its id, match rule and prices only', () => {
    const data = readPriceData(dataWith([haiku]));
    expect(Object.keys(data).sort()).toEqual(['anthropic', 'gemini', 'grok', 'mistral', 'openai']);
    expect(data.anthropic).toEqual([{ id: haiku.id, match: haiku.match, prices: haiku.prices }]);
  });

  it('reads a start date written with or without its type (the v2 file omits it)', () => {
    const dated = (constraint: unknown) => ({
      ...haiku,
      prices: [
        { prices: { input_mtok: 2, output_mtok: 6 } },
        { constraint, prices: { input_mtok: 1, output_mtok: 5 } },
      ],
    });
    const v2 = readPriceData(dataWith([dated({ start_date: '2026-03-13' })]));
    const bundled = readPriceData(
      dataWith([dated({ type: 'start_date', start_date: '2026-03-13' })]),
    );
    expect(v2).toEqual(bundled);
    expect(priceTableOf(v2).anthropic[0]?.periods[1]).toEqual({
      from: '2026-03-13',
      prices: { input: 1_000_000, output: 5_000_000 },
    });
  });

  it.each([
    ['not an array', { providers: [] }, /expected an array of providers/],
    ['a provider missing', dataWith([]).slice(1), /provider anthropic is missing/],
    ['a model without match', dataWith([{ ...haiku, match: undefined }]), /match/],
    ['an unknown match rule', dataWith([{ ...haiku, match: { glob: 'claude*' } }]), /glob/],
    ['a regex JavaScript cannot compile', dataWith([{ ...haiku, match: { regex: '(' } }]), /regex/],
    ['a negative price', dataWith([{ ...haiku, prices: { input_mtok: -1 } }]), /non-negative/],
    ['a price as text', dataWith([{ ...haiku, prices: { input_mtok: '1' } }]), /non-negative/],
    [
      'a time-of-day price',
      dataWith([
        {
          ...haiku,
          prices: [{ constraint: { start_time: '00:30:00Z', end_time: '08:30:00Z' }, prices: {} }],
        },
      ]),
      /unsupported price constraint/,
    ],
    [
      'a tier starting at a fraction',
      dataWith([
        { ...haiku, prices: { input_mtok: { base: 1, tiers: [{ start: 0.5, price: 2 }] } } },
      ]),
      /not a token count/,
    ],
  ])('refuses %s, naming where', (_case, raw, message) => {
    expect(() => readPriceData(raw)).toThrow(InvalidPriceDataError);
    expect(() => readPriceData(raw)).toThrow(message);
  });

  it('reads back what priceDataJson wrote', () => {
    const data = readPriceData(packagePriceData());
    expect(readPriceData(JSON.parse(priceDataJson(data)))).toEqual(data);
  });
});

describe('priceTableOf', () => {
  it('converts every Anthropic price, 1-hour cache writes included, to micro-USD per MTok', () => {
    expect(priceTableOf(readPriceData(dataWith([haiku]))).anthropic).toEqual([
      {
        id: 'claude-haiku-4-5',
        match: { or: [{ startsWith: 'claude-haiku-4-5' }, { startsWith: 'claude-haiku-4.5' }] },
        periods: [
          {
            prices: {
              input: 1_000_000,
              output: 5_000_000,
              cacheRead: 100_000,
              cacheWrite: 1_250_000,
              cacheWrite1h: 2_000_000,
            },
          },
        ],
      },
    ]);
  });

  it('refuses a price finer than one micro-USD per million tokens', () => {
    const fine = readPriceData(dataWith([{ ...haiku, prices: { input_mtok: 1.0000001 } }]));
    expect(() => priceTableOf(fine)).toThrow(InvalidPriceDataError);
  });
});
