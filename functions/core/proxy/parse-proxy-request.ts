import { requesterFromBody } from '../attribution/body-requester.ts';
import { parseRequestTags } from '../attribution/request-tags.ts';
import { checkRequester } from '../attribution/requester.ts';
import type { Tags } from '../attribution/tags.ts';
import { type CacheDirective, parseCacheDirective } from '../cache/cache-directive.ts';
import { InvalidRequestError, PayloadTooLargeError } from '../errors.ts';
import {
  isUsageEndpoint,
  PROVIDERS,
  type ProviderId,
  type UsageEndpoint,
  type WireFormat,
} from '../providers/provider-registry.ts';
import { matchProxyRoute } from '../providers/routes.ts';
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
  /** The `x-metrion-user` label, else the end-user id the SDK put in the body. */
  readonly requester?: string;
  /** The `x-metrion-tag-<key>` headers; absent without any. */
  readonly tags?: Tags;
  /** Present when the caller opted into the response cache (`x-metrion-cache`). */
  readonly cache?: CacheDirective;
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
    throw new InvalidRequestError('The request body is not valid JSON. Send a JSON object.');
  }
  if (!isRecord(parsed)) {
    throw new InvalidRequestError('The request body must be a JSON object.');
  }
  return parsed;
}

function requireFields(
  json: Record<string, unknown>,
  wireFormat: WireFormat,
  endpoint: UsageEndpoint,
): string {
  const model = json.model;
  if (typeof model !== 'string' || model.trim() === '') {
    throw new InvalidRequestError(
      '`model` is required: name the model to call, e.g. "gpt-4o-mini".',
    );
  }
  if (model.length > MAX_MODEL_ID_LENGTH || !model.isWellFormed()) {
    throw new InvalidRequestError(
      `\`model\` must be a model id of at most ${MAX_MODEL_ID_LENGTH} characters, e.g. "gpt-4o-mini".`,
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
    throw new InvalidRequestError('`messages` is required and must be an array of messages.');
  }
  if (wireFormat === 'anthropic' && typeof json.max_tokens !== 'number') {
    throw new InvalidRequestError(
      '`max_tokens` is required by the Anthropic Messages API and must be a number.',
    );
  }
  return model;
}

function parseRequester(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const check = checkRequester(value, 'x-metrion-user');
  if (!check.ok) throw new InvalidRequestError(check.problem);
  return check.requester;
}

/**
 * Validates the route, size, the few body fields Metrion relies on and its own headers
 * (`x-metrion-user`, `x-metrion-tag-*`, `x-metrion-cache` with `Cache-Control`); the requester
 * falls back to the body's end-user id (`requesterFromBody`).
 * @throws NotFoundError, MethodNotAllowedError, PayloadTooLargeError, InvalidRequestError
 */
export function parseProxyRequest(request: IncomingProxyRequest): ParsedProxyRequest {
  const route = matchProxyRoute(request.method, request.path);
  if (!isUsageEndpoint(route.endpoint)) {
    throw new InvalidRequestError(`${route.path} is not a metered endpoint.`);
  }
  const endpoint = route.endpoint;
  const wireFormat = PROVIDERS[route.provider].wireFormat;
  if (request.body.byteLength > MAX_PROXY_BODY_BYTES) {
    throw new PayloadTooLargeError(
      `The request body is ${request.body.byteLength} bytes; Metrion accepts at most ${MAX_PROXY_BODY_BYTES}.`,
    );
  }
  const json = parseJsonObject(request.body);
  const model = requireFields(json, wireFormat, endpoint);
  const streamOptions = json.stream_options;
  const requester =
    parseRequester(request.headers['x-metrion-user']) ??
    requesterFromBody(json, wireFormat, endpoint);
  const tags = parseRequestTags(request.headers);
  // The Responses API keeps conversation state upstream (`store`, `previous_response_id`): a
  // cached answer would skip creating the stored response a later call refers to, so the
  // response cache does not apply to it (`x-metrion-cache` is ignored there).
  const cache = endpoint === 'responses' ? undefined : parseCacheDirective(request.headers);
  return {
    provider: route.provider,
    wireFormat,
    endpoint,
    upstreamPath: route.upstreamPath,
    model,
    streamed: json.stream === true,
    callerWantsStreamUsage: isRecord(streamOptions) && streamOptions.include_usage === true,
    ...(requester === undefined ? {} : { requester }),
    ...(tags === undefined ? {} : { tags }),
    ...(cache === undefined ? {} : { cache }),
    json,
  };
}
