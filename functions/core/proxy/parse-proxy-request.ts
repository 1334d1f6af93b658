import { requesterFromBody } from '../attribution/body-requester.ts';
import { parseRequestTags } from '../attribution/request-tags.ts';
import { checkRequester } from '../attribution/requester.ts';
import type { Tags } from '../attribution/tags.ts';
import { type CacheDirective, parseCacheDirective } from '../cache/cache-directive.ts';
import { InvalidRequestError, PayloadTooLargeError } from '../errors.ts';
import {
  PROVIDERS,
  type ProviderId,
  type UsageEndpoint,
  type WireFormat,
} from '../providers/provider-registry.ts';
import type { UsageRoute } from '../providers/routes.ts';
import { MAX_MODEL_ID_LENGTH } from '../usage/usage-record.ts';

/** Lambda's synchronous invocation payload limit is 6 MB; leave room for the event envelope. */
export const MAX_PROXY_BODY_BYTES = 5 * 1024 * 1024;

/** A proxy call as the handler hands it to the core: lower-case header names, raw body bytes. */
export interface IncomingProxyRequest {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /**
   * The query string's parameters, decoded, in order (a repeated name once per value). Only side
   * calls forward them (`GET /models?limit=…`); a metered request is its JSON body.
   */
  readonly query?: readonly (readonly [name: string, value: string])[];
  readonly body: Uint8Array;
  readonly receivedAtMs: number;
  /** The same instant on the clock's monotonic timer: where the phase timing starts. */
  readonly receivedAtMonotonicMs: number;
}

/** What Metrion needs to know about a request; everything else passes through untouched. */
export interface ParsedProxyRequest {
  readonly provider: ProviderId;
  readonly wireFormat: WireFormat;
  /** Chat, Responses API or embeddings: decides the required fields and how usage is read. */
  readonly endpoint: UsageEndpoint;
  /** The provider path the request goes to (from the route table). */
  readonly upstreamPath: string;
  readonly model: string;
  readonly streamed: boolean;
  /** The caller asked for the usage chunk itself (`stream_options.include_usage`). */
  readonly callerWantsStreamUsage: boolean;
  /** The `x-metrion-user` label, else the end-user id the SDK put in the body; undefined without one. */
  readonly requester: string | undefined;
  /** The `x-metrion-tag-<key>` headers; undefined without any. */
  readonly tags: Tags | undefined;
  /** Set when the caller opted into the response cache (`x-metrion-cache`). */
  readonly cache: CacheDirective | undefined;
  /** The parsed JSON object, for the rare case the body must be amended. */
  readonly json: Readonly<Record<string, unknown>>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJsonObject(body: Uint8Array): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw new InvalidRequestError(
      'The request body is not valid JSON: send one JSON object, encoded as UTF-8.',
    );
  }
  if (!isRecord(parsed)) {
    throw new InvalidRequestError(
      'The request body must be a JSON object (not an array, a string or a number).',
    );
  }
  return parsed;
}

function requireFields(
  json: Record<string, unknown>,
  provider: ProviderId,
  endpoint: UsageEndpoint,
): string {
  const { displayName, wireFormat } = PROVIDERS[provider];
  const model = json.model;
  if (typeof model !== 'string' || model.trim() === '') {
    throw new InvalidRequestError(
      `\`model\` is required: the id of the ${displayName} model to call.`,
    );
  }
  if (model.length > MAX_MODEL_ID_LENGTH || !model.isWellFormed()) {
    throw new InvalidRequestError(
      `\`model\` must be a ${displayName} model id of at most ${MAX_MODEL_ID_LENGTH} characters.`,
    );
  }
  if (endpoint !== 'chat') {
    const input = json.input;
    if (typeof input !== 'string' && !Array.isArray(input)) {
      throw new InvalidRequestError(
        endpoint === 'responses'
          ? '`input` is required by the Responses API: a string or an array of input items.'
          : '`input` is required for embeddings: a string or an array of strings or tokens.',
      );
    }
    return model;
  }
  if (!Array.isArray(json.messages)) {
    throw new InvalidRequestError(
      '`messages` is required: an array of messages, e.g. [{"role": "user", "content": "Hello"}].',
    );
  }
  if (wireFormat === 'anthropic' && typeof json.max_tokens !== 'number') {
    throw new InvalidRequestError(
      '`max_tokens` is required by the Anthropic Messages API: the most tokens to generate, e.g. 1024.',
    );
  }
  return model;
}

/**
 * The `x-metrion-user` label, trimmed; undefined when absent or blank.
 * @throws InvalidRequestError when it is not printable ASCII, too long, or reserved.
 */
export function parseRequester(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const check = checkRequester(value, 'x-metrion-user');
  if (!check.ok) throw new InvalidRequestError(check.problem);
  return check.requester;
}

/**
 * Validates what Metrion relies on in a request to a usage route: the size, the few body fields
 * and its own headers (`x-metrion-user`, `x-metrion-tag-*`, `x-metrion-cache` with
 * `Cache-Control`); the requester falls back to the body's end-user id (`requesterFromBody`).
 * @throws PayloadTooLargeError, InvalidRequestError
 */
export function parseProxyRequest(
  request: IncomingProxyRequest,
  route: UsageRoute,
): ParsedProxyRequest {
  const { endpoint } = route;
  const wireFormat = PROVIDERS[route.provider].wireFormat;
  if (request.body.byteLength > MAX_PROXY_BODY_BYTES) {
    throw new PayloadTooLargeError(
      `The request body is ${request.body.byteLength} bytes; Metrion accepts at most ${MAX_PROXY_BODY_BYTES} (5 MiB). Send less, e.g. images by URL instead of inline.`,
    );
  }
  const json = parseJsonObject(request.body);
  const model = requireFields(json, route.provider, endpoint);
  const streamOptions = json.stream_options;
  return {
    provider: route.provider,
    wireFormat,
    endpoint,
    upstreamPath: route.upstreamPath,
    model,
    streamed: json.stream === true,
    callerWantsStreamUsage: isRecord(streamOptions) && streamOptions.include_usage === true,
    requester:
      parseRequester(request.headers['x-metrion-user']) ??
      requesterFromBody(json, wireFormat, endpoint),
    tags: parseRequestTags(request.headers),
    // The Responses API keeps conversation state upstream (`store`, `previous_response_id`): a
    // cached answer would skip creating the stored response a later call refers to, so the
    // response cache does not apply to it (`x-metrion-cache` is ignored there).
    cache: endpoint === 'responses' ? undefined : parseCacheDirective(request.headers),
    json,
  };
}
