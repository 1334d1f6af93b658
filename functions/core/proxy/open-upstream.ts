import type { UpstreamClient, UpstreamResponse } from '../ports/upstream-client.ts';
import type { UsageFormat } from '../usage/extract-usage.ts';
import type { PhaseTimer } from './phase-timer.ts';
import { sendWithHeaderTimeout } from './upstream-exchange.ts';
import {
  prepareUpstreamRequest,
  selectResponseHeaders,
  type UpstreamOrigins,
} from './upstream-request.ts';
import type { ProxyAttempt } from './usage-recorder.ts';

export interface OpenUpstreamDeps {
  readonly upstream: UpstreamClient;
  readonly origins: UpstreamOrigins;
  /** No response headers within this time -> 504. */
  readonly headerTimeoutMs: number;
}

/** The provider's answer once its headers arrived: what both relays start from. */
export interface UpstreamAnswer {
  readonly status: number;
  /** The provider headers worth returning (see `selectResponseHeaders`). */
  readonly headers: Record<string, string>;
  /** The provider's body, untouched. */
  readonly body: ReadableStream<Uint8Array>;
  readonly succeeded: boolean;
  /** How the usage tap reads this answer (the Responses API has its own events). */
  readonly usageFormat: UsageFormat;
  /** Metrion added `stream_options.include_usage`: the usage-only chunk is not the caller's. */
  readonly stripUsageOnlyChunk: boolean;
  /** Cancels the upstream request (the caller left, the body stalled or grew too large). */
  abortUpstream(): void;
}

/**
 * Sends the attempt to its provider with the upstream key and waits for the response headers,
 * timing the wait as `upstreamHeaders`.
 * @throws UpstreamTimeoutError (no headers in time), UpstreamUnavailableError (transport)
 */
export async function openUpstream(
  deps: OpenUpstreamDeps,
  attempt: ProxyAttempt,
  upstreamKey: string,
  timer: PhaseTimer,
): Promise<UpstreamAnswer> {
  const { parsed, request } = attempt;
  const prepared = prepareUpstreamRequest(
    parsed,
    request.headers,
    request.body,
    upstreamKey,
    deps.origins,
  );
  const abort = new AbortController();
  const response: UpstreamResponse = await timer.time('upstreamHeaders', () =>
    sendWithHeaderTimeout(deps, abort, {
      url: prepared.url,
      headers: prepared.headers,
      body: prepared.body,
      signal: abort.signal,
    }),
  );
  return {
    status: response.status,
    headers: selectResponseHeaders(response.headers),
    body: response.body,
    succeeded: response.status >= 200 && response.status < 300,
    usageFormat: parsed.endpoint === 'responses' ? 'openai-responses' : parsed.wireFormat,
    stripUsageOnlyChunk: prepared.stripUsageOnlyChunk,
    abortUpstream: () => abort.abort(),
  };
}
