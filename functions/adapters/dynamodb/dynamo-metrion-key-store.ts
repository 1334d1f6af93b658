// MetrionKeyStore on DynamoDB (the `accounts` table): GetItem (consistent) of the profile,
// DeleteItem / UpdateItem / PutItem (conditional) of the lookup items and the profile. The key
// lives on the profile (digest + sealed copy); its lookup item is how a presented key resolves.
// A replacement holds a lease on the profile that expires on the injected clock.
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredMetrionKey } from '#core/accounts/account.ts';
import { MetrionKeyConflictError } from '#core/errors.ts';
import type { WaitingClock } from '#core/ports/clock.ts';
import type { MetrionKeyStore } from '#core/ports/metrion-key-store.ts';
import { SystemClock } from '../system/system-clock.ts';
import { lookupKey, type ProfileItem, profileKey } from './account-items.ts';
import { type AccountsTable, accountNotFound, getProfile } from './accounts-table.ts';
import { budgetStateOf } from './budget-ledger-items.ts';
import { conditionalUpdate } from './conditional-write.ts';
import { dynamoCall } from './dynamo-errors.ts';
import { countersOf, putBareLookup, refreshProxyView } from './proxy-view.ts';

/** How long one key replacement may hold its account's lease; a crashed one frees it after. */
const KEY_REPLACEMENT_LEASE_MS = 10_000;
/** How often a waiting replacement looks whether the running one is done. */
const KEY_LEASE_POLL_MS = 20;

export interface DynamoMetrionKeyStoreOptions extends AccountsTable {
  /** Times the replacement lease and waits for it. @default - the system clock */
  readonly clock?: WaitingClock;
}

/** The profile with the replacement lease a running key replacement holds. */
type LeasedProfileItem = ProfileItem & { readonly keyLeaseUntilMs?: number };

/** {@link MetrionKeyStore} on the `accounts` table; every read is strongly consistent. */
export class DynamoMetrionKeyStore implements MetrionKeyStore {
  readonly #table: AccountsTable;
  readonly #clock: WaitingClock;

  constructor(options: DynamoMetrionKeyStoreOptions) {
    this.#table = { client: options.client, tableName: options.tableName };
    this.#clock = options.clock ?? new SystemClock();
  }

  async getMetrionKey(accountId: string): Promise<StoredMetrionKey | undefined> {
    const profile = await getProfile(this.#table, accountId);
    return profile === undefined
      ? undefined
      : { digest: profile.metrionKeyDigest, sealed: profile.metrionKeySealed };
  }

  /**
   * 1. delete the old lookup item (only if it is this account's; ALL_OLD hands over its window
   * counters, so the month carries over exactly), 2. swap digest and sealed copy on the profile,
   * conditional on the digest read before (two concurrent regenerations cannot both win), 3. put
   * the new lookup item bare with the carried counters, 4. refresh its view. Any interruption
   * leaves no valid key; one between 1 and 3 also loses the month's count (the next key starts
   * from 0).
   */
  async replaceMetrionKey(accountId: string, next: StoredMetrionKey): Promise<void> {
    // One replacement at a time per account: a concurrent one waits for it to finish and then
    // learns its key (MetrionKeyConflictError -> the caller reveals the current key), so two
    // simultaneous regenerations never hand out two keys of which only the later one works.
    if (!(await this.#takeLease(accountId, next.digest))) {
      await this.#awaitLease(accountId);
      throw new MetrionKeyConflictError();
    }
    try {
      await this.#replaceUnderLease(accountId, next);
    } finally {
      await this.#releaseLease(accountId, next.digest);
    }
  }

  async #replaceUnderLease(accountId: string, next: StoredMetrionKey): Promise<void> {
    const profile = await getProfile(this.#table, accountId);
    if (profile === undefined) throw accountNotFound();
    const previousDigest = profile.metrionKeyDigest;

    const carried = await this.#deleteLookupIfOwned(previousDigest, accountId);

    const swapped = await conditionalUpdate(this.#table.client, {
      TableName: this.#table.tableName,
      Key: profileKey(accountId),
      UpdateExpression: 'SET metrionKeyDigest = :next, metrionKeySealed = :sealed',
      ConditionExpression: 'metrionKeyDigest = :previous',
      ExpressionAttributeValues: {
        ':next': next.digest,
        ':sealed': next.sealed,
        ':previous': previousDigest,
      },
    });
    if (!swapped) {
      throw (await getProfile(this.#table, accountId)) === undefined
        ? accountNotFound()
        : new MetrionKeyConflictError();
    }

    if (!(await putBareLookup(this.#table, next.digest, accountId, carried))) {
      throw new MetrionKeyConflictError();
    }
    // A concurrent replacement that read this key as "previous" may have swapped the profile
    // before this lookup item landed: the profile decides (the refresh writes the view only to
    // the digest it names, so a stale lookup stays bare and never admits), and it is removed.
    const refreshed = await refreshProxyView(this.#table, accountId);
    if (refreshed?.metrionKeyDigest !== next.digest) {
      await this.#deleteLookupIfOwned(next.digest, accountId);
      throw new MetrionKeyConflictError();
    }
  }

  /** Takes the account's key-replacement lease (free, or left expired by a crashed holder). */
  async #takeLease(accountId: string, token: string): Promise<boolean> {
    const nowMs = this.#clock.nowMs();
    const taken = await conditionalUpdate(this.#table.client, {
      TableName: this.#table.tableName,
      Key: profileKey(accountId),
      UpdateExpression: 'SET keyLeaseToken = :token, keyLeaseUntilMs = :until',
      ConditionExpression:
        'attribute_exists(pk) AND (attribute_not_exists(keyLeaseUntilMs) OR keyLeaseUntilMs < :now)',
      ExpressionAttributeValues: {
        ':token': token,
        ':until': nowMs + KEY_REPLACEMENT_LEASE_MS,
        ':now': nowMs,
      },
    });
    if (!taken && (await getProfile(this.#table, accountId)) === undefined) {
      throw accountNotFound();
    }
    return taken;
  }

  /** Waits until no live lease is held (released, or expired after a crash). */
  async #awaitLease(accountId: string): Promise<void> {
    for (;;) {
      const profile = (await getProfile(this.#table, accountId)) as LeasedProfileItem | undefined;
      const untilMs = profile?.keyLeaseUntilMs;
      if (untilMs === undefined || untilMs < this.#clock.nowMs()) return;
      await this.#clock.sleep(KEY_LEASE_POLL_MS);
    }
  }

  async #releaseLease(accountId: string, token: string): Promise<void> {
    await conditionalUpdate(this.#table.client, {
      TableName: this.#table.tableName,
      Key: profileKey(accountId),
      UpdateExpression: 'REMOVE keyLeaseToken, keyLeaseUntilMs',
      ConditionExpression: 'keyLeaseToken = :token',
      ExpressionAttributeValues: { ':token': token },
    });
  }

  /**
   * Never deletes a lookup item that resolves to another account. Returns the window counters
   * and the budget ledger the deleted item held (read atomically with the delete), or none.
   */
  async #deleteLookupIfOwned(digest: string, accountId: string): Promise<Record<string, unknown>> {
    const attributes = await dynamoCall(
      'DeleteItem',
      async () =>
        (
          await this.#table.client.send(
            new DeleteCommand({
              TableName: this.#table.tableName,
              Key: lookupKey(digest),
              ConditionExpression: 'attribute_not_exists(pk) OR accountId = :accountId',
              ExpressionAttributeValues: { ':accountId': accountId },
              ReturnValues: 'ALL_OLD',
            }),
          )
        ).Attributes,
      () => undefined,
    );
    return attributes === undefined
      ? {}
      : { ...countersOf(attributes), ...budgetStateOf(attributes) };
  }
}
