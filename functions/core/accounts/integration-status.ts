import type { UsageStore } from '../ports/usage-store.ts';

/** What the Integrate page polls for. */
export interface IntegrationStatus {
  /** ISO instant of a recorded proxied request; null until the account's first one is recorded. */
  readonly firstRequestAt: string | null;
}

/**
 * Whether the account's proxied traffic has reached Metrion. One single-record Query (newest
 * first), so polling it every few seconds costs the same at any traffic volume. The instant is
 * that of the newest retained record: the usage store keeps no separate "first seen" marker.
 */
export async function getIntegrationStatus(
  usage: UsageStore,
  accountId: string,
): Promise<IntegrationStatus> {
  const [newest] = await usage.listRecent(accountId, 1);
  return { firstRequestAt: newest?.at ?? null };
}
