import type { ProviderId } from '../providers/provider-registry.ts';
import type { UsageRecord } from '../usage/usage-record.ts';

/** A model that requests used but the price data did not price. */
export interface UnpricedModel {
  readonly provider: ProviderId;
  readonly model: string;
  readonly requests: number;
  /** How many accounts sent them. */
  readonly accounts: number;
  /** ISO instants of the first and the last such request. */
  readonly firstSeen: string;
  readonly lastSeen: string;
}

interface Tally {
  provider: ProviderId;
  model: string;
  requests: number;
  accounts: Set<string>;
  firstSeen: string;
  lastSeen: string;
}

/**
 * The models of the records that have no cost (unpriced; cache hits cost 0 and never count),
 * across accounts, with when each was first and last seen: most requests first.
 */
export async function findUnpricedModels(
  records: AsyncIterable<UsageRecord>,
): Promise<UnpricedModel[]> {
  const tallies = new Map<string, Tally>();
  for await (const record of records) {
    if (record.costPicoUsd !== null || record.cached) continue;
    const key = `${record.provider}\u0000${record.model}`;
    const tally = tallies.get(key) ?? {
      provider: record.provider,
      model: record.model,
      requests: 0,
      accounts: new Set<string>(),
      firstSeen: record.at,
      lastSeen: record.at,
    };
    tally.requests += 1;
    tally.accounts.add(record.accountId);
    if (record.at < tally.firstSeen) tally.firstSeen = record.at;
    if (record.at > tally.lastSeen) tally.lastSeen = record.at;
    tallies.set(key, tally);
  }
  return [...tallies.values()]
    .map(({ accounts, ...tally }) => ({ ...tally, accounts: accounts.size }))
    .sort((a, b) => b.requests - a.requests || a.model.localeCompare(b.model));
}
