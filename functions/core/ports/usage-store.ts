import type { UsageRecord } from '../usage/usage-record.ts';

/** When the stored record may be deleted (plan retention); readers skip expired records. */
export interface UsageRetention {
  readonly expiresAtEpochSeconds: number;
}

/** `appended`: this call wrote the record; `duplicate`: it was already stored (a retry). */
export type AppendOutcome = 'appended' | 'duplicate';

export interface UsageStore {
  /**
   * Appends a record. Idempotent on `requestId`: a retried append with the same record
   * succeeds without writing a second copy and answers `duplicate` (rollups count on it).
   */
  append(record: UsageRecord, retention: UsageRetention): Promise<AppendOutcome>;

  /** The account's most recent records, newest first. */
  listRecent(accountId: string, limit: number): Promise<UsageRecord[]>;
}
