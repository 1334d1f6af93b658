// ProviderKeyStore on DynamoDB (the `accounts` table): PutItem, Query (consistent) and
// DeleteItem of the `PROVIDER_KEY#<provider>` items in the account's partition. Every write
// refreshes the proxy's view on the Metrion Key lookup item before it returns (`proxy-view.ts`).
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredProviderKey } from '#core/accounts/account.ts';
import type { ProviderKeyStore } from '#core/ports/provider-key-store.ts';
import type { ProviderId } from '#core/providers/provider-registry.ts';
import { type ProviderKeyItem, providerKeyKey, toProviderKey } from './account-items.ts';
import type { AccountsTable } from './accounts-table.ts';
import { dynamoCall } from './dynamo-errors.ts';
import { queryProviderKeys, refreshProxyView } from './proxy-view.ts';

/** {@link ProviderKeyStore} on the `accounts` table; reads are strongly consistent. */
export class DynamoProviderKeyStore implements ProviderKeyStore {
  readonly #table: AccountsTable;

  constructor(options: AccountsTable) {
    this.#table = { client: options.client, tableName: options.tableName };
  }

  async putProviderKey(key: StoredProviderKey): Promise<void> {
    const item: ProviderKeyItem = {
      ...providerKeyKey(key.accountId, key.provider),
      ...toProviderKey(key),
    };
    await dynamoCall('PutItem', () =>
      this.#table.client.send(new PutCommand({ TableName: this.#table.tableName, Item: item })),
    );
    await refreshProxyView(this.#table, key.accountId);
  }

  /** Consistent Query on `begins_with(sk, 'PROVIDER_KEY#')`; sort-key order is provider-id order. */
  listProviderKeys(accountId: string): Promise<StoredProviderKey[]> {
    return queryProviderKeys(this.#table, accountId);
  }

  /**
   * DeleteItem with ReturnValues ALL_OLD (true when an item was there), then the view is
   * refreshed even when there was none: a retry after a failed refresh completes the delete.
   */
  async deleteProviderKey(accountId: string, provider: ProviderId): Promise<boolean> {
    const output = await dynamoCall('DeleteItem', () =>
      this.#table.client.send(
        new DeleteCommand({
          TableName: this.#table.tableName,
          Key: providerKeyKey(accountId, provider),
          ReturnValues: 'ALL_OLD',
        }),
      ),
    );
    await refreshProxyView(this.#table, accountId);
    return output.Attributes !== undefined;
  }
}
