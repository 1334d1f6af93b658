import type { AlertChannel, LastDelivery } from '../alerts/channels/alert-channel.ts';

/**
 * An account's webhook and Slack channels. Every method names the account and never reaches
 * another account's channel.
 */
export interface AlertChannelStore {
  /** The account's channels, oldest first. */
  list(accountId: string): Promise<AlertChannel[]>;
  get(accountId: string, channelId: string): Promise<AlertChannel | undefined>;
  /** Stores a new channel (the id must be fresh). */
  create(channel: AlertChannel): Promise<void>;
  /** Renames a channel; undefined when the account has no such channel. */
  rename(accountId: string, channelId: string, name: string): Promise<AlertChannel | undefined>;
  /** False when the account had no such channel. */
  delete(accountId: string, channelId: string): Promise<boolean>;
  /**
   * Records the last attempt of the channel's deliveries, unless a later one is recorded
   * already (attempts can finish out of order). Nothing happens for a deleted channel.
   */
  recordLastDelivery(accountId: string, channelId: string, last: LastDelivery): Promise<void>;
}
