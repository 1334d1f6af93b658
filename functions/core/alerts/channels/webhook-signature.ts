import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures: `x-metrion-signature: t=<unix seconds>,v1=<hex>` where the hex is
 * HMAC-SHA256 with the channel's secret over `<t>.<raw body>`. A receiver recomputes it, compares
 * in constant time, and rejects timestamps older than its tolerance (5 minutes is usual), so a
 * captured request cannot be replayed later.
 */
export const SIGNATURE_HEADER = 'x-metrion-signature';
/** The delivery id, the same on every retry of one delivery: receivers deduplicate on it. */
export const DELIVERY_ID_HEADER = 'x-metrion-delivery';

/** The signature header's value for `body` sent at `timestampSeconds`. */
export function signWebhook(secret: string, timestampSeconds: number, body: string): string {
  const digest = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${digest}`;
}

/**
 * Whether `header` signs `body` with `secret` within `toleranceSeconds` of `nowSeconds`: the
 * check a receiver runs (documented in docs/alerts.md, and used by the tests' receiver).
 */
export function verifyWebhookSignature(
  secret: string,
  header: string,
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const parts = new Map(
    header.split(',').map((part) => {
      const at = part.indexOf('=');
      return [part.slice(0, at), part.slice(at + 1)] as const;
    }),
  );
  const timestamp = Number(parts.get('t'));
  const given = parts.get('v1') ?? '';
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > toleranceSeconds) {
    return false;
  }
  const expected = signWebhook(secret, timestamp, body).slice(`t=${timestamp},v1=`.length);
  return (
    given.length === expected.length &&
    timingSafeEqual(Buffer.from(given, 'utf8'), Buffer.from(expected, 'utf8'))
  );
}
