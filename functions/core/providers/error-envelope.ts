import type { WireFormat } from './provider-registry.ts';

/**
 * Metrion's own errors in each provider's error shape, so SDKs raise their usual typed errors:
 * OpenAI-compatible `{"error":{"message","type","code"}}`, Anthropic
 * `{"type":"error","error":{"type","message"}}`.
 */
export function errorEnvelope(
  wireFormat: WireFormat,
  type: string,
  message: string,
  code: string,
): Record<string, unknown> {
  return wireFormat === 'anthropic'
    ? { type: 'error', error: { type, message } }
    : { error: { message, type, code } };
}

/** The same envelope as one SSE event, for failures after a stream has started. */
export function sseErrorEvent(wireFormat: WireFormat, message: string): string {
  const body = JSON.stringify(
    errorEnvelope(wireFormat, 'api_error', message, 'upstream_stream_error'),
  );
  return wireFormat === 'anthropic' ? `event: error\ndata: ${body}\n\n` : `data: ${body}\n\n`;
}
