import { createHash } from 'node:crypto';
import type { ProviderId } from '../providers/provider-registry.ts';
import { canonicalJson } from './canonical-json.ts';

/** Body fields that change how an answer is delivered, never what it says. */
const DELIVERY_ONLY_FIELDS: ReadonlySet<string> = new Set(['stream', 'stream_options']);

/** Caller headers that change the answer itself (Anthropic API version and beta features). */
const ANSWER_CHANGING_HEADERS = ['anthropic-version', 'anthropic-beta'] as const;

export interface CacheKeyInput {
  readonly accountId: string;
  readonly provider: ProviderId;
  /** The parsed request body. */
  readonly json: Readonly<Record<string, unknown>>;
  /** Lower-case caller headers. */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The response cache key: hex SHA-256 over the account, the provider, the answer-changing
 * headers and the canonical body (keys sorted recursively) without `stream` and
 * `stream_options`. So a streamed and a non-streamed request share an entry, while any other
 * difference (model, system prompt, tools, sampling, another account) gives another key.
 */
export function responseCacheKey(input: CacheKeyInput): string {
  // Object.fromEntries defines own properties, so even a `__proto__` field stays part of the body.
  const body = Object.fromEntries(
    Object.entries(input.json).filter(([field]) => !DELIVERY_ONLY_FIELDS.has(field)),
  );
  const headers = ANSWER_CHANGING_HEADERS.map((name) => input.headers[name] ?? null);
  // One canonical JSON array: its framing keeps the parts from running into each other.
  return createHash('sha256')
    .update(canonicalJson([input.accountId, input.provider, headers, body]))
    .digest('hex');
}
