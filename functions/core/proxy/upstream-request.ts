import { PROVIDER_IDS, PROVIDERS, type ProviderId } from '../providers/provider-registry.ts';
import type { ParsedProxyRequest } from './parse-proxy-request.ts';

export const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';

/** Caller headers that reach the provider unchanged, per wire format. Everything else stays here. */
const FORWARDED_HEADERS = {
  anthropic: ['anthropic-version', 'anthropic-beta', 'accept'],
  openai: ['openai-organization', 'openai-project', 'accept'],
} as const;

export type UpstreamOrigins = Readonly<Record<ProviderId, string>>;

/** Configured origins for some providers (tests and staging point them at fakes). */
export type UpstreamOriginOverrides = Readonly<Partial<Record<ProviderId, string>>>;

/** Every provider's origin: the registry default unless configuration overrides it. */
export function resolveUpstreamOrigins(overrides: UpstreamOriginOverrides): UpstreamOrigins {
  return Object.fromEntries(
    PROVIDER_IDS.map((id) => [id, overrides[id] ?? PROVIDERS[id].defaultOrigin]),
  ) as Record<ProviderId, string>;
}

export interface PreparedUpstreamRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
  /** Metrion added `stream_options.include_usage`, so the extra usage chunk must be hidden. */
  readonly stripUsageOnlyChunk: boolean;
}

/**
 * The URL is the configured origin plus the provider's fixed path: nothing from the caller's
 * path or headers can steer the host. The body passes through byte for byte, except that
 * OpenAI-compatible streams get `stream_options.include_usage` when the caller left it out.
 */
export function prepareUpstreamRequest(
  parsed: ParsedProxyRequest,
  callerHeaders: Readonly<Record<string, string>>,
  body: Uint8Array,
  upstreamKey: string,
  origins: UpstreamOrigins,
): PreparedUpstreamRequest {
  const provider = PROVIDERS[parsed.provider];
  const headers = upstreamHeaders(parsed.provider, callerHeaders, upstreamKey);
  // Only chat completions take `stream_options`; the Responses API always reports usage in
  // `response.completed`.
  const injectUsage =
    provider.wireFormat === 'openai' &&
    parsed.endpoint === 'chat' &&
    parsed.streamed &&
    !parsed.callerWantsStreamUsage;
  const upstreamBody = injectUsage ? withStreamUsage(parsed.json) : body;
  return {
    url: `${origins[parsed.provider].replace(/\/+$/, '')}${parsed.upstreamPath}`,
    headers,
    body: upstreamBody,
    stripUsageOnlyChunk: injectUsage,
  };
}

/** The headers sent upstream: Metrion's own, the caller's allowed ones, and the credential. */
export function upstreamHeaders(
  providerId: ProviderId,
  callerHeaders: Readonly<Record<string, string>>,
  upstreamKey: string,
): Record<string, string> {
  const { wireFormat } = PROVIDERS[providerId];
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'accept-encoding': 'identity',
  };
  for (const name of FORWARDED_HEADERS[wireFormat]) {
    const value = callerHeaders[name];
    if (value !== undefined) headers[name] = value;
  }
  if (wireFormat === 'anthropic') {
    headers['x-api-key'] = upstreamKey;
    headers['anthropic-version'] ??= DEFAULT_ANTHROPIC_VERSION;
  } else {
    headers.authorization = `Bearer ${upstreamKey}`;
  }
  return headers;
}

function withStreamUsage(json: Readonly<Record<string, unknown>>): Uint8Array {
  const streamOptions =
    typeof json.stream_options === 'object' && json.stream_options !== null
      ? json.stream_options
      : {};
  const amended = { ...json, stream_options: { ...streamOptions, include_usage: true } };
  return new TextEncoder().encode(JSON.stringify(amended));
}

/** Upstream response headers worth returning; hop-by-hop and encoding headers are dropped. */
const RETURNED_HEADER_PATTERN =
  /^(content-type|request-id|x-request-id|openai-.*|anthropic-.*|x-ratelimit-.*|retry-after)$/;

export function selectResponseHeaders(
  upstreamHeaders: Readonly<Record<string, string>>,
): Record<string, string> {
  const selected: Record<string, string> = {};
  for (const [name, value] of Object.entries(upstreamHeaders)) {
    if (RETURNED_HEADER_PATTERN.test(name)) selected[name] = value;
  }
  return selected;
}
