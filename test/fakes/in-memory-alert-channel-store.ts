import type { AlertChannel, LastDelivery } from '#core/alerts/channels/alert-channel.ts';
import type { AlertChannelStore } from '#core/ports/alert-channel-store.ts';

const copy = <T>(value: T): T => structuredClone(value);

/** AlertChannelStore in memory, passing the same contract suite as DynamoAlertChannelStore. */
export class InMemoryAlertChannelStore implements AlertChannelStore {
  readonly #channels = new Map<string, AlertChannel>();

  async list(accountId: string): Promise<AlertChannel[]> {
    return [...this.#channels.values()]
      .filter((channel) => channel.accountId === accountId)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .map(copy);
  }

  async get(accountId: string, channelId: string): Promise<AlertChannel | undefined> {
    const channel = this.#channels.get(`${accountId}#${channelId}`);
    return channel === undefined ? undefined : copy(channel);
  }

  async create(channel: AlertChannel): Promise<void> {
    const key = `${channel.accountId}#${channel.channelId}`;
    if (this.#channels.has(key)) throw new Error(`Alert channel id ${channel.channelId} is taken`);
    this.#channels.set(key, copy(channel));
  }

  async rename(accountId: string, channelId: string, name: string) {
    const key = `${accountId}#${channelId}`;
    const channel = this.#channels.get(key);
    if (channel === undefined) return undefined;
    this.#channels.set(key, { ...channel, name });
    return copy({ ...channel, name });
  }

  async delete(accountId: string, channelId: string): Promise<boolean> {
    return this.#channels.delete(`${accountId}#${channelId}`);
  }

  async recordLastDelivery(accountId: string, channelId: string, last: LastDelivery) {
    const key = `${accountId}#${channelId}`;
    const channel = this.#channels.get(key);
    if (channel === undefined) return;
    if (channel.lastDelivery !== undefined && channel.lastDelivery.at > last.at) return;
    this.#channels.set(key, { ...channel, lastDelivery: copy(last) });
  }
}
