import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAccountDataKeyStore } from '#adapters/dynamodb/dynamo-account-data-key-store.ts';
import { DynamoAlertChannelStore } from '#adapters/dynamodb/dynamo-alert-channel-store.ts';
import { DynamoAlertDeliveryStore } from '#adapters/dynamodb/dynamo-alert-delivery-store.ts';
import { NodeWebhookClient } from '#adapters/http/node-webhook-client.ts';
import type { WebhookUrlPolicy } from '#adapters/http/url-policy.ts';
import type { DeliverDeps } from '#core/alerts/channels/deliver.ts';
import type { Clock } from '#core/ports/clock.ts';
import type { DataKeyProvider } from '#core/ports/data-key-provider.ts';
import type { Logger } from '#core/ports/logger.ts';
import type { Random } from '#core/ports/random.ts';
import { createSecretVault, type SecretVault } from '#core/vault/secret-vault.ts';
import { type AlertMailConfig, alertMailer } from './alert-mailer.ts';

/** What delivering alert notices needs that differs between runtimes. */
export interface AlertDeliveryConfig {
  readonly documentClient: DynamoDBDocumentClient;
  readonly accountsTable: string;
  readonly mail: AlertMailConfig;
  /** Opens channel secrets (KMS in AWS, the local master key locally). */
  readonly dataKeyProvider: DataKeyProvider;
  /**
   * Which webhook URLs deliveries may reach: `AWS_WEBHOOK_POLICY` in the Lambda root,
   * `LOCAL_WEBHOOK_POLICY` (adds http://127.0.0.1) in the local one.
   */
  readonly webhookPolicy: WebhookUrlPolicy;
  readonly logger: Logger;
}

/**
 * The channel and delivery stores, the vault, the webhook client and the mailer: shared by the
 * evaluator, the delivery retry run and the dashboard API (channel Tests).
 */
export function buildAlertDeliveryDeps(
  config: AlertDeliveryConfig,
  system: { readonly clock: Clock; readonly random: Random },
): DeliverDeps & {
  readonly channels: DynamoAlertChannelStore;
  readonly deliveries: DynamoAlertDeliveryStore;
  readonly vault: SecretVault;
} {
  const client = config.documentClient;
  return {
    channels: new DynamoAlertChannelStore({ client, tableName: config.accountsTable }),
    deliveries: new DynamoAlertDeliveryStore({
      client,
      tableName: config.accountsTable,
      clock: system.clock,
    }),
    vault: createSecretVault({
      dataKeyProvider: config.dataKeyProvider,
      accountDataKeys: new DynamoAccountDataKeyStore({ client, tableName: config.accountsTable }),
      ...system,
    }),
    webhooks: new NodeWebhookClient({ policy: config.webhookPolicy }),
    mailer: alertMailer(config.mail),
    clock: system.clock,
    random: system.random,
    logger: config.logger,
  };
}
