import { requesterFromBody } from '../attribution/body-requester.ts';
import { parseRequestTags } from '../attribution/request-tags.ts';
import type { Tags } from '../attribution/tags.ts';
import { AuthenticationError, LimitReachedError } from '../errors.ts';
import {
  isUsageEndpoint,
  PROVIDERS,
  type ProviderId,
  type ProxyEndpoint,
  type UsageEndpoint,
} from '../providers/provider-registry.ts';
import { MAX_MODEL_ID_LENGTH } from '../usage/usage-record.ts';
import { type AdmitRequestDeps, admitRequest } from './admit-request.ts';
import {
  type IncomingProxyRequest,
  MAX_PROXY_BODY_BYTES,
  parseRequester,
} from './parse-proxy-request.ts';
import {
  type AttemptResult,
  type RecordedRequest,
  recordUsage,
  type UsageRecorderDeps,
} from './usage-recorder.ts';

export interface RefusalRecorderDeps extends AdmitRequestDeps, UsageRecorderDeps {}

/**
 * The kind a refusal is recorded as: its usage endpoint, `chat` (every record's default kind)
 * for a path that names no endpoint Metrion knows, and none for a side call (model lists and
 * token counts are never recorded, refused or not).
 */
export function refusalKind(endpoint: ProxyEndpoint | undefined): UsageEndpoint | undefined {
  if (endpoint === undefined) return 'chat';
  return isUsageEndpoint(endpoint) ? endpoint : undefined;
}

function lenientJson(body: Uint8Array): Record<string, unknown> | undefined {
  if (body.byteLength > MAX_PROXY_BODY_BYTES) return undefined;
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(body));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function lenientRequester(value: string | undefined): string | undefined {
  try {
    return parseRequester(value);
  } catch {
    return undefined;
  }
}

function lenientTags(headers: Readonly<Record<string, string>>): Tags | undefined {
  try {
    return parseRequestTags(headers);
  } catch {
    return undefined;
  }
}

/**
 * What the Logs row of a refused request says of it, read leniently since the request failed
 * validation: the model as requested when the body names a usable one (else empty), `stream`,
 * the requester (`x-metrion-user`, else the body's end-user id) when it is valid, and the tags
 * when they all are.
 */
export function describeRefusal(
  request: IncomingProxyRequest,
  provider: ProviderId,
  endpoint: UsageEndpoint,
): RecordedRequest {
  const json = lenientJson(request.body);
  const model = json?.model;
  const usable =
    typeof model === 'string' &&
    model.trim() !== '' &&
    model.length <= MAX_MODEL_ID_LENGTH &&
    model.isWellFormed();
  return {
    provider,
    endpoint,
    model: usable ? model : '',
    streamed: json?.stream === true,
    requester:
      lenientRequester(request.headers['x-metrion-user']) ??
      (json === undefined
        ? undefined
        : requesterFromBody(json, PROVIDERS[provider].wireFormat, endpoint)),
    tags: lenientTags(request.headers),
  };
}

/**
 * Records a request Metrion refused before admission (400, 404, 405, 413) once its answer has
 * left. Only then is the Metrion Key looked up, counted in the key's minute like a side call and
 * never in the month, so the refusal itself waits on no store and a flood of bad requests stays
 * within the rate limit. An unknown key or a full minute leaves no row (429s are counted, not
 * logged). Never rejects.
 */
export async function recordRefusal(
  deps: RefusalRecorderDeps,
  request: IncomingProxyRequest,
  described: RecordedRequest,
  result: AttemptResult,
): Promise<void> {
  let authentication: Awaited<ReturnType<typeof admitRequest>>;
  try {
    authentication = await admitRequest(deps, request.headers, described.provider, {
      monthly: false,
    });
  } catch (error) {
    if (!(error instanceof AuthenticationError || error instanceof LimitReachedError)) {
      deps.logger.warn('refused request not recorded', {
        requestId: request.requestId,
        error: error instanceof Error ? error.name : 'unknown',
      });
    }
    return;
  }
  await recordUsage(deps, { request, parsed: described, caller: authentication.caller }, result);
}
