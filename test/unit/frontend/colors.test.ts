import { describe, expect, it } from 'vitest';
import { PROVIDER_IDS } from '#contracts/providers.ts';
import {
  colorForName,
  NAME_PALETTE,
  PROVIDER_COLORS,
  providerColor,
  STATUS_COLORS,
  statusColor,
} from '../../../frontend/src/lib/colors.ts';

const MODELS = [
  'gpt-4o',
  'gpt-4o-mini',
  'gpt-4o-mini-2024-07-18',
  'gpt-4.1-mini-2025-04-14',
  'claude-haiku-4-5',
  'claude-sonnet-4-5-20250929',
  'gemini-2.5-flash',
  'mistral-small-latest',
  'grok-4',
  'text-embedding-3-small',
];

describe('colorForName', () => {
  it('gives every name a colour of the palette', () => {
    for (const model of MODELS) expect(NAME_PALETTE).toContain(colorForName(model));
  });

  it('depends on the name alone, not on which names were coloured before', () => {
    const forward = MODELS.map(colorForName);
    const backward = [...MODELS].reverse().map(colorForName).reverse();

    expect(backward).toEqual(forward);
  });

  it('spreads common model ids over several colours', () => {
    expect(new Set(MODELS.map(colorForName)).size).toBeGreaterThanOrEqual(5);
  });
});

describe('providerColor', () => {
  it('has a distinct fixed colour for every provider Metrion proxies', () => {
    const colors = PROVIDER_IDS.map(providerColor);

    expect(colors).toEqual(PROVIDER_IDS.map((id) => PROVIDER_COLORS[id]));
    expect(new Set(colors).size).toBe(PROVIDER_IDS.length);
  });

  it('falls back to a name colour for a provider this build does not know', () => {
    expect(providerColor('newcomer')).toBe(colorForName('newcomer'));
  });
});

describe('statusColor', () => {
  it('keeps the class of a status readable: green 2xx, amber 4xx, red 5xx', () => {
    expect(statusColor(200)).toBe(STATUS_COLORS.ok);
    expect(statusColor(400)).not.toBe(statusColor(500));
    expect(statusColor(429)).toBe(statusColor(429));
  });

  it('gives 4xx codes ambers and 5xx codes reds, never each other', () => {
    const clientErrors = new Set([400, 401, 403, 404, 413, 422, 429].map(statusColor));
    const serverErrors = new Set([500, 502, 503, 504, 529].map(statusColor));

    expect([...clientErrors].some((color) => serverErrors.has(color))).toBe(false);
  });
});
