import * as z from 'zod';
import { MAX_ALERT_CHANNELS } from '#core/alerts/alert-policy.ts';
import { hasUnsafeNameCharacter, UNSAFE_NAME_RULE } from '#core/text/safe-name.ts';
import type { ApiRoute } from './api-route.ts';

/**
 * The alert channels API (`/api/alert-channels`, Pro only): where alert rules send. The built-in
 * `email` channel (the account's address) is always listed and cannot be changed; webhook and
 * Slack channels are created here, at most {@link MAX_ALERT_CHANNELS}. A webhook's signing secret
 * is in the create answer only. URLs are checked when created and again at every delivery: in
 * AWS https only and never a private, loopback, link-local or metadata address after DNS
 * resolution (400 with the reason). A channel rules still use cannot be deleted (409
 * `channel_in_use`).
 */

export { MAX_ALERT_CHANNELS };

export const MAX_CHANNEL_NAME_LENGTH = 80;
export const MAX_CHANNEL_URL_LENGTH = 2048;

const nameSchema = z
  .string()
  .trim()
  .min(1, 'Give the channel a name.')
  .max(MAX_CHANNEL_NAME_LENGTH, `A name has at most ${MAX_CHANNEL_NAME_LENGTH} characters.`)
  .refine((name) => !hasUnsafeNameCharacter(name), `A name ${UNSAFE_NAME_RULE}`);

export const createAlertChannelSchema = z
  .object({
    kind: z.enum(['webhook', 'slack'], { message: 'kind is webhook or slack.' }),
    name: nameSchema,
    /** Webhook: where to POST; Slack: the incoming-webhook URL. */
    url: z.string().trim().min(1).max(MAX_CHANNEL_URL_LENGTH),
  })
  .strict();
export type CreateAlertChannelRequest = z.output<typeof createAlertChannelSchema>;

export const renameAlertChannelSchema = z.object({ name: nameSchema }).strict();

const attemptResultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('answered'), status: z.number() }),
  z.object({ kind: z.literal('refused'), reason: z.string() }),
  z.object({ kind: z.literal('failed'), reason: z.enum(['timeout', 'network']) }),
]);

const lastDeliverySchema = z.object({
  at: z.string(),
  deliveryId: z.string(),
  outcome: z.enum(['delivered', 'retrying', 'failed']),
  /** The status the receiver answered (its body is never read or kept), or why none. */
  result: attemptResultSchema,
});

export const alertChannelSchema = z.object({
  id: z.string(),
  kind: z.enum(['email', 'webhook', 'slack']),
  name: z.string(),
  /** Email: the account's address; webhook: the URL; Slack: the URL with its secret part hidden. */
  target: z.string(),
  createdAt: z.string().optional(),
  lastDelivery: lastDeliverySchema.optional(),
});
export type AlertChannelDto = z.infer<typeof alertChannelSchema>;

export const alertChannelsListSchema = z.object({
  channels: z.array(alertChannelSchema),
  maxChannels: z.number(),
});

export const createdAlertChannelSchema = z.object({
  channel: alertChannelSchema,
  /** Webhook only: the signing secret, shown this once. */
  secret: z.string().optional(),
});

export const alertDeliverySchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  ruleId: z.string(),
  ruleName: z.string(),
  level: z.enum(['warning', 'alert', 'test']),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number(),
  nextAttemptAt: z.string().optional(),
  lastAttemptAt: z.string().optional(),
  lastResult: attemptResultSchema.optional(),
});
export type AlertDeliveryDto = z.infer<typeof alertDeliverySchema>;

export const alertDeliveriesSchema = z.object({ deliveries: z.array(alertDeliverySchema) });

export const ALERT_CHANNELS_ROUTES = {
  listAlertChannels: {
    method: 'GET',
    path: '/api/alert-channels',
    auth: 'jwt',
    response: alertChannelsListSchema,
  },
  createAlertChannel: {
    method: 'POST',
    path: '/api/alert-channels',
    auth: 'jwt',
    status: 201,
    request: createAlertChannelSchema,
    response: createdAlertChannelSchema,
  },
  renameAlertChannel: {
    method: 'PATCH',
    path: '/api/alert-channels/{channelId}',
    auth: 'jwt',
    request: renameAlertChannelSchema,
    response: alertChannelSchema,
  },
  deleteAlertChannel: {
    method: 'DELETE',
    path: '/api/alert-channels/{channelId}',
    auth: 'jwt',
    response: z.object({ id: z.string() }),
  },
  /** Sends a test notice through the channel now (not retried); 429 within a minute of the last. */
  testAlertChannel: {
    method: 'POST',
    path: '/api/alert-channels/{channelId}/test',
    auth: 'jwt',
    response: alertDeliverySchema,
  },
  /** The channel's deliveries of the last 7 days, newest first (at most 50). */
  listAlertChannelDeliveries: {
    method: 'GET',
    path: '/api/alert-channels/{channelId}/deliveries',
    auth: 'jwt',
    response: alertDeliveriesSchema,
  },
} as const satisfies Record<string, ApiRoute>;
