import { describe, expect, it } from 'vitest';
import { unpricedLogsHref, unpricedModelList } from '../../../frontend/src/lib/unpriced.ts';

const range = { from: '2026-12-01T00:00:00.000Z', to: '2026-12-08T00:00:00.000Z' };
const models = [
  { provider: 'openai', model: 'gpt-9-turbo', requests: 10 },
  { provider: 'mistral', model: 'mistral-next', requests: 2 },
];

describe('the unpriced-models notice', () => {
  it('links to Logs over exactly the range, filtered to the unpriced models', () => {
    const url = new URL(unpricedLogsHref(models, range), 'https://app.test');
    expect(url.pathname).toBe('/logs');
    expect(url.searchParams.get('range')).toBe('custom');
    expect(url.searchParams.get('from')).toBe(range.from);
    expect(url.searchParams.get('to')).toBe(range.to);
    expect(url.searchParams.getAll('model')).toEqual(['gpt-9-turbo', 'mistral-next']);
  });

  it('links to no more models than a filter takes', () => {
    const many = Array.from({ length: 25 }, (_, index) => ({
      provider: 'openai',
      model: `m-${index}`,
      requests: 1,
    }));
    const url = new URL(unpricedLogsHref(many, range), 'https://app.test');
    expect(url.searchParams.getAll('model')).toHaveLength(20);
  });

  it('names each model with its provider and request count', () => {
    expect(unpricedModelList(models)).toBe('gpt-9-turbo (openai, 10), mistral-next (mistral, 2)');
  });
});
