import type { AlertChannelDto, AlertDeliveryDto } from '#contracts/alert-channels-api.ts';

/**
 * The Alerts page's channels without React: how a channel's last delivery and a delivery's
 * result read.
 */

type Result = NonNullable<AlertDeliveryDto['lastResult']>;

/** `HTTP 204`, `refused: …`, `timeout`. */
export function resultText(result: Result): string {
  switch (result.kind) {
    case 'answered':
      return result.status === 250 ? 'accepted' : `HTTP ${result.status}`;
    case 'refused':
      return `refused: ${result.reason}`;
    case 'failed':
      return result.reason === 'timeout' ? 'no answer within 5 s' : 'could not connect';
  }
}

/** `Delivered (HTTP 204)`, `Retrying (HTTP 500)`, `Never used`. */
export function lastDeliveryText(channel: Pick<AlertChannelDto, 'lastDelivery'>): string {
  const last = channel.lastDelivery;
  if (last === undefined) return 'Never used';
  const outcome = { delivered: 'Delivered', retrying: 'Retrying', failed: 'Failed' }[last.outcome];
  return `${outcome} (${resultText(last.result)})`;
}

export const CHANNEL_KIND_LABELS: Readonly<Record<AlertChannelDto['kind'], string>> = {
  email: 'Email',
  webhook: 'Webhook',
  slack: 'Slack',
};
