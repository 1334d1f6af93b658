import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidRequestError } from '../errors.ts';

/** What a Logs page cursor carries: the caller, the query it belongs to, the pinned window. */
export interface LogCursor {
  readonly accountId: string;
  /** Digest of range and filters as sent; a cursor only continues the same query. */
  readonly queryDigest: string;
  readonly fromIso: string;
  readonly toIso: string;
  /** The store position after the last row shown. */
  readonly position: string;
  /** The first page's total, carried so later pages need not count again. */
  readonly totalCount: number;
}

const VERSION = 1;
const MAC_BYTES = 32;

function mac(key: Uint8Array, payload: string): Buffer {
  return createHmac('sha256', key).update(payload).digest();
}

/**
 * An opaque, tamper-proof cursor: base64url(JSON) + "." + base64url(HMAC-SHA256(key, JSON part)).
 * The key is server-side, so a client cannot forge a position or swap the account id.
 */
export function encodeLogCursor(cursor: LogCursor, key: Uint8Array): string {
  const payload = Buffer.from(
    JSON.stringify({
      v: VERSION,
      a: cursor.accountId,
      q: cursor.queryDigest,
      f: cursor.fromIso,
      t: cursor.toIso,
      p: cursor.position,
      n: cursor.totalCount,
    }),
  ).toString('base64url');
  return `${payload}.${mac(key, payload).toString('base64url')}`;
}

const STALE =
  'This page link is no longer valid for this listing. Start again from the first page.';

/**
 * Verifies and opens a cursor for `accountId` and the query with `queryDigest`.
 * @throws InvalidRequestError when the cursor is malformed, forged, from another account, or
 * from another query (all look the same to the caller: nothing about the cursor is revealed).
 */
export function decodeLogCursor(
  token: string,
  key: Uint8Array,
  expected: { readonly accountId: string; readonly queryDigest: string },
): LogCursor {
  const [payload, signature, extra] = token.split('.');
  if (payload === undefined || signature === undefined || extra !== undefined) {
    throw new InvalidRequestError(STALE);
  }
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== MAC_BYTES || !timingSafeEqual(given, mac(key, payload))) {
    throw new InvalidRequestError(STALE);
  }
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidRequestError(STALE);
  }
  const { v, a, q, f, t, p, n } = fields;
  if (
    v !== VERSION ||
    a !== expected.accountId ||
    q !== expected.queryDigest ||
    typeof f !== 'string' ||
    typeof t !== 'string' ||
    typeof p !== 'string' ||
    typeof n !== 'number'
  ) {
    throw new InvalidRequestError(STALE);
  }
  return { accountId: a, queryDigest: q, fromIso: f, toIso: t, position: p, totalCount: n };
}

/**
 * The cursor HMAC key, derived from a server-side secret (the Metrion Key pepper) so that no
 * second secret has to be provisioned; the label keeps it distinct from the key digests.
 */
export function deriveLogCursorKey(secret: Uint8Array): Uint8Array {
  return createHmac('sha256', secret).update('metrion:logs-cursor:v1').digest();
}
