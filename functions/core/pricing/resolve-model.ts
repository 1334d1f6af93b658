import type { ProviderId } from '../providers/provider-registry.ts';
import { MAX_MODEL_ID_LENGTH } from '../usage/usage-record.ts';
import { MODEL_ALIASES, PRICES } from './prices.ts';

/**
 * One trailing suffix that never changes the price: `-latest`, a date (`-20251001`,
 * `-2024-07-18`), a snapshot or revision number (`-1212`, `-2411`, `-0613`, `-002`), or a
 * preview / experimental tag with its optional date (`-preview-05-20`, `-preview-09-2025`,
 * `-exp-1206`). A bare 1-2 digit segment is NOT a suffix: `claude-opus-4-6` is a new model.
 */
const PRICE_NEUTRAL_SUFFIX =
  /-(?:latest|\d{8}|\d{4}-\d{2}-\d{2}|\d{3,4}|(?:preview|exp)(?:-\d{2}-\d{2}|-\d{2}-\d{4}|-\d{4})?)$/;

/**
 * Segments that, after a known base id, name a variant with a different price or billing unit
 * (a cheaper tier, audio, images, search calls). Such an id stays unpriced rather than being
 * priced as its family: an unknown cost is shown as unknown, a wrong one is silently wrong.
 */
const PRICE_CHANGING_SEGMENTS: ReadonlySet<string> = new Set([
  'mini',
  'nano',
  'lite',
  'flash',
  'pro',
  'fast',
  'audio',
  'realtime',
  'tts',
  'transcribe',
  'image',
  'search',
  'research',
  'embed',
  'embedding',
  'moderation',
  'instruct',
]);

function buildLookup(provider: ProviderId): ReadonlyMap<string, string> {
  const lookup = new Map<string, string>();
  for (const base of Object.keys(PRICES[provider])) lookup.set(base, base);
  for (const [alias, base] of Object.entries(MODEL_ALIASES[provider])) lookup.set(alias, base);
  return lookup;
}

/** Per provider: every priced id and alias -> its base id in PRICES (built once, at load). */
const LOOKUP = {
  anthropic: buildLookup('anthropic'),
  openai: buildLookup('openai'),
  gemini: buildLookup('gemini'),
  mistral: buildLookup('mistral'),
  grok: buildLookup('grok'),
} as const satisfies Record<ProviderId, ReadonlyMap<string, string>>;

function isPriceNeutralVariant(remainder: string): boolean {
  const segments = remainder.split('-');
  if (/^\d{1,2}$/.test(segments[0] ?? '')) return false;
  return !segments.some((segment) => PRICE_CHANGING_SEGMENTS.has(segment));
}

/**
 * Maps a model id as sent by the caller or returned by the provider to the base id it is priced
 * as in {@link PRICES}, or `undefined` when it has no price (unpriced).
 *
 * In order: an exact id or alias; a `models/` prefix (Gemini) dropped; price-neutral suffixes
 * stripped one at a time from the end (`-latest`, dates, snapshot numbers, `-preview-…`), checking
 * for an exact match after each; finally the LONGEST known id that is a prefix at a `-` boundary
 * (`gpt-4o-mini-search…` never falls to `gpt-4o`), unless the rest names a differently priced
 * variant (`-mini`, `-pro`, `-audio`, a new minor version…). Pure; case-insensitive.
 *
 * @example resolveModel('openai', 'gpt-4o-mini-2024-07-18') // 'gpt-4o-mini'
 * @example resolveModel('gemini', 'models/gemini-2.5-flash-preview-05-20') // 'gemini-2.5-flash'
 */
export function resolveModel(provider: ProviderId, modelId: string): string | undefined {
  const lookup = LOOKUP[provider];
  if (modelId.length > MAX_MODEL_ID_LENGTH) return undefined;
  let id = modelId.trim().toLowerCase();
  if (id.startsWith('models/')) id = id.slice('models/'.length);

  for (;;) {
    const exact = lookup.get(id);
    if (exact !== undefined) return exact;
    const stripped = id.replace(PRICE_NEUTRAL_SUFFIX, '');
    if (stripped === id) break;
    id = stripped;
  }

  for (let end = id.lastIndexOf('-'); end > 0; end = id.lastIndexOf('-', end - 1)) {
    const base = lookup.get(id.slice(0, end));
    if (base !== undefined) return isPriceNeutralVariant(id.slice(end + 1)) ? base : undefined;
  }
  return undefined;
}
