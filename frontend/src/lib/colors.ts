import { isProviderId, type ProviderId } from './providers.ts';

/**
 * Series colours keyed to what a series is, never to where it sits in a list: the same model
 * has one colour in every card, on every tab and under every filter, because the colour comes
 * from its name alone.
 */

/** Hues that stay apart on white and from each other (models, requesters, anything named). */
export const NAME_PALETTE = [
  '#3346d3',
  '#0e9384',
  '#dc6803',
  '#7a5af8',
  '#c11574',
  '#2e90fa',
  '#669f2a',
  '#93370d',
  '#f63d68',
  '#475467',
  '#ca8504',
  '#06aed4',
] as const;

/** FNV-1a (32-bit) over the name's UTF-16 code units: cheap, stable, well spread. */
function hashName(name: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < name.length; index += 1) {
    hash ^= name.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

function pick(palette: readonly string[], name: string): string {
  return palette[hashName(name) % palette.length] ?? NAME_PALETTE[0];
}

/** The colour of a model (or any named series): a stable hash of the name into the palette. */
export function colorForName(name: string): string {
  return pick(NAME_PALETTE, name);
}

/** One fixed colour per provider, close to each brand so it is recognised at a glance. */
export const PROVIDER_COLORS = {
  anthropic: '#c4673f',
  openai: '#10a37f',
  gemini: '#4285f4',
  mistral: '#fa520f',
  grok: '#1f2328',
} as const satisfies Record<ProviderId, string>;

/** A provider's colour; a provider id this build does not know gets a name colour. */
export function providerColor(provider: string): string {
  return isProviderId(provider) ? PROVIDER_COLORS[provider] : colorForName(provider);
}

/** The token kinds, in the order every token chart stacks them. */
export const TOKEN_KIND_COLORS = {
  input: '#3346d3',
  output: '#0e9384',
  cacheRead: '#2e90fa',
  cacheWrite: '#7a5af8',
} as const;

/** Green for successes, orange for client errors, red for server errors and p99. */
export const STATUS_COLORS = { ok: '#12b76a', clientError: '#f79009', error: '#d92d20' } as const;

/** Ambers for 4xx codes and reds for 5xx codes: the class reads at once, codes stay apart. */
const CLIENT_ERROR_SHADES = ['#f79009', '#b54708', '#fdb022', '#dc6803'] as const;
const SERVER_ERROR_SHADES = ['#d92d20', '#912018', '#f97066', '#c01048'] as const;

/** A status code's colour: its class's hue, the shade keyed to the code. */
export function statusColor(status: number): string {
  if (status >= 500) return pick(SERVER_ERROR_SHADES, String(status));
  if (status >= 400) return pick(CLIENT_ERROR_SHADES, String(status));
  return STATUS_COLORS.ok;
}

/** The Overview's one-series sparklines. */
export const METRIC_COLORS = {
  cost: '#3346d3',
  requesters: '#0e9384',
  latency: '#dc6803',
} as const;

/** The latency percentiles' fixed colours (p99 shares the server-error red). */
export const PERCENTILE_COLORS = {
  p50: '#0e9384',
  p95: '#dc6803',
  p99: STATUS_COLORS.error,
} as const;
