import type { UsageEndpoint, WireFormat } from '../providers/provider-registry.ts';
import { checkRequester } from './requester.ts';

/**
 * The end-user label an SDK already sends in the request body, used as the requester when the
 * caller sent no `x-metrion-user`: OpenAI's `safety_identifier` (its successor of `user`), else
 * `user`, on chat completions and the Responses API of OpenAI-compatible providers; Anthropic's
 * `metadata.user_id`. A value the requester rule refuses is ignored (undefined), never a 400:
 * the provider accepts it, so the request must go through.
 */
export function requesterFromBody(
  json: Readonly<Record<string, unknown>>,
  wireFormat: WireFormat,
  endpoint: UsageEndpoint,
): string | undefined {
  if (endpoint === 'embeddings') return undefined;
  const candidates =
    wireFormat === 'anthropic'
      ? [metadataUserId(json.metadata)]
      : [json.safety_identifier, json.user];
  for (const candidate of candidates) {
    if (typeof candidate !== 'string') continue;
    const check = checkRequester(candidate, 'body');
    if (check.ok && check.requester !== undefined) return check.requester;
  }
  return undefined;
}

function metadataUserId(metadata: unknown): unknown {
  return typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata)
    ? (metadata as Record<string, unknown>).user_id
    : undefined;
}
