import type { SealedSecret } from '../../vault/sealed-secret.ts';

/**
 * Where alerts go. Every account has the built-in email channel (its address, as before
 * channels existed); webhook and Slack channels are created under `/api/alert-channels`.
 */
export const CHANNEL_KINDS = ['email', 'webhook', 'slack'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** The built-in channel: the account's email address. Rules without channels use it. */
export const EMAIL_CHANNEL_ID = 'email';

export { MAX_ALERT_CHANNELS } from '../alert-policy.ts';

/** How one delivery attempt ended. */
export type AttemptResult =
  /** The receiver answered with this HTTP status (email: 250 for accepted). */
  | { readonly kind: 'answered'; readonly status: number }
  /** The address was refused by the URL policy (never retried). */
  | { readonly kind: 'refused'; readonly reason: string }
  /** No answer: timeout or a network failure. */
  | { readonly kind: 'failed'; readonly reason: 'timeout' | 'network' };

/** The last attempt of a channel's deliveries, as its list shows it. */
export interface LastDelivery {
  /** ISO instant of the attempt. */
  readonly at: string;
  readonly deliveryId: string;
  /** `delivered`, `retrying` (will be tried again) or `failed` (given up or refused). */
  readonly outcome: 'delivered' | 'retrying' | 'failed';
  readonly result: AttemptResult;
}

/** A webhook or Slack channel of one account. */
export interface AlertChannel {
  readonly accountId: string;
  readonly channelId: string;
  readonly kind: Exclude<ChannelKind, 'email'>;
  readonly name: string;
  /**
   * What the API shows: the webhook URL as given; for Slack only its origin and the start of its
   * path, since a Slack incoming-webhook URL is itself the credential.
   */
  readonly displayUrl: string;
  /**
   * Webhook: the signing secret (shown once, at creation); Slack: the incoming-webhook URL.
   * Sealed with the account's vault context for the channel.
   */
  readonly sealed: SealedSecret;
  /** Webhook only: where deliveries are POSTed (Slack's URL is in `sealed`). */
  readonly url?: string;
  /** ISO instant. */
  readonly createdAt: string;
  readonly lastDelivery?: LastDelivery;
}

/** The vault context a channel's secret is sealed under: it opens for that channel only. */
export function channelSecretContext(accountId: string, channelId: string) {
  return { account: accountId, purpose: 'alert-channel', channel: channelId };
}

/** A Slack URL as shown: `https://hooks.slack.com/services/T0123…` (the secret part hidden). */
export function maskedSlackUrl(url: string): string {
  const parsed = new URL(url);
  const firstSegment = parsed.pathname.split('/').filter(Boolean).slice(0, 2).join('/');
  return `${parsed.origin}/${firstSegment.slice(0, 20)}…`;
}
