import {
  type MigrateSealedSecretsDeps,
  migrateSealedSecrets,
  type SealedSecretMigration,
} from '#core/vault/migrate-sealed-secrets.ts';

export type MigrateSecretsHandlerDeps = MigrateSealedSecretsDeps;

/**
 * The secret migrator, invoked by an operator (`aws lambda invoke`), never scheduled: re-seals
 * every secret still sealed with a data key of its own and returns what it did (the event is
 * ignored). A KMS or DynamoDB outage fails the invocation; a rerun continues.
 */
export function createMigrateSecretsHandler(deps: MigrateSecretsHandlerDeps) {
  return async (_event: unknown): Promise<SealedSecretMigration> => migrateSealedSecrets(deps);
}
