import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAccountDataKeyStore } from '#adapters/dynamodb/dynamo-account-data-key-store.ts';
import { DynamoSealedSecretStore } from '#adapters/dynamodb/dynamo-sealed-secret-store.ts';
import { CryptoRandom } from '#adapters/system/crypto-random.ts';
import { SystemClock } from '#adapters/system/system-clock.ts';
import type { DataKeyProvider } from '#core/ports/data-key-provider.ts';
import { createSecretVault } from '#core/vault/secret-vault.ts';
import type { MigrateSecretsHandlerDeps } from '#handlers/migrate-secrets.ts';

/** What the secret migrator needs that differs between runtimes. */
export interface MigrateSecretsRuntimeConfig {
  readonly documentClient: DynamoDBDocumentClient;
  readonly accountsTable: string;
  readonly dataKeyProvider: DataKeyProvider;
}

/** The secret migrator's graph. Shared by the Lambda root and `npm run admin -- migrate-secrets`. */
export function buildMigrateSecretsDeps(
  config: MigrateSecretsRuntimeConfig,
): MigrateSecretsHandlerDeps {
  const table = { client: config.documentClient, tableName: config.accountsTable };
  return {
    secrets: new DynamoSealedSecretStore(table),
    vault: createSecretVault({
      dataKeyProvider: config.dataKeyProvider,
      accountDataKeys: new DynamoAccountDataKeyStore(table),
      random: new CryptoRandom(),
      clock: new SystemClock(),
    }),
  };
}
