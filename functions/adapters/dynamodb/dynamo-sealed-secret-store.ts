// SealedSecretStore on DynamoDB (the accounts table): Scan (profiles and provider keys, sealed
// fields only), UpdateItem (conditional on the ciphertext read), then the proxy view's refresh
// (`proxy-view.ts`) after a provider key changed.
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type {
  SealedSecretPage,
  SealedSecretStore,
  StoredSealedSecret,
} from '#core/ports/sealed-secret-store.ts';
import { isProviderId } from '#core/providers/provider-registry.ts';
import type { SealedSecret } from '#core/vault/sealed-secret.ts';
import { PROFILE_SK, PROVIDER_KEY_PREFIX, profileKey, providerKeyKey } from './account-items.ts';
import { conditionalUpdate } from './conditional-write.ts';
import { dynamoCall } from './dynamo-errors.ts';
import { refreshProxyView } from './proxy-view.ts';

export interface DynamoSealedSecretStoreOptions {
  readonly client: DynamoDBDocumentClient;
  /** Physical name of the `accounts` table. */
  readonly tableName: string;
  /** Items each Scan call reads (before filtering). @default - DynamoDB's 1 MB pages */
  readonly scanPageSize?: number;
}

interface ScannedItem {
  readonly sk?: string;
  readonly accountId?: string;
  readonly provider?: string;
  readonly sealed?: SealedSecret;
  readonly metrionKeySealed?: SealedSecret;
}

function toSecret(item: ScannedItem): StoredSealedSecret | undefined {
  if (item.accountId === undefined) return undefined;
  if (item.sk === PROFILE_SK && item.metrionKeySealed !== undefined) {
    return { accountId: item.accountId, sealed: item.metrionKeySealed };
  }
  if (item.sealed !== undefined && item.provider !== undefined && isProviderId(item.provider)) {
    return { accountId: item.accountId, provider: item.provider, sealed: item.sealed };
  }
  return undefined;
}

/** {@link SealedSecretStore} over the profile and provider-key items of the `accounts` table. */
export class DynamoSealedSecretStore implements SealedSecretStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #scanPageSize: number | undefined;

  constructor(options: DynamoSealedSecretStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#scanPageSize = options.scanPageSize;
  }

  async listSealedSecrets(cursor?: string): Promise<SealedSecretPage> {
    const output = await dynamoCall('Scan', () =>
      this.#client.send(
        new ScanCommand({
          TableName: this.#tableName,
          FilterExpression: 'sk = :profile OR begins_with(sk, :providerKey)',
          ProjectionExpression: 'sk, accountId, #provider, sealed, metrionKeySealed',
          ExpressionAttributeNames: { '#provider': 'provider' },
          ExpressionAttributeValues: {
            ':profile': PROFILE_SK,
            ':providerKey': PROVIDER_KEY_PREFIX,
          },
          Limit: this.#scanPageSize,
          ExclusiveStartKey:
            cursor === undefined
              ? undefined
              : JSON.parse(Buffer.from(cursor, 'base64url').toString()),
        }),
      ),
    );
    const secrets = (output.Items ?? []).flatMap((item) => toSecret(item as ScannedItem) ?? []);
    const last = output.LastEvaluatedKey;
    return {
      secrets,
      cursor:
        last === undefined ? undefined : Buffer.from(JSON.stringify(last)).toString('base64url'),
    };
  }

  async replaceSealedSecret(secret: StoredSealedSecret, next: SealedSecret): Promise<boolean> {
    const attribute = secret.provider === undefined ? 'metrionKeySealed' : 'sealed';
    const replaced = await conditionalUpdate(this.#client, {
      TableName: this.#tableName,
      Key:
        secret.provider === undefined
          ? profileKey(secret.accountId)
          : providerKeyKey(secret.accountId, secret.provider),
      UpdateExpression: `SET ${attribute} = :next`,
      ConditionExpression: `${attribute}.ciphertext = :expected`,
      ExpressionAttributeValues: { ':next': next, ':expected': secret.sealed.ciphertext },
    });
    // The proxy reads provider keys from the view on the Metrion Key's lookup item.
    if (replaced && secret.provider !== undefined) {
      await refreshProxyView(
        { client: this.#client, tableName: this.#tableName },
        secret.accountId,
      );
    }
    return replaced;
  }
}
