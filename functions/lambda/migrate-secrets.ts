import { createMigrateSecretsHandler } from '#handlers/migrate-secrets.ts';
import { awsMigrateSecretsConfig } from './aws-runtime.ts';
import { buildMigrateSecretsDeps } from './migrate-secrets.deps.ts';

export const handler = createMigrateSecretsHandler(
  buildMigrateSecretsDeps(await awsMigrateSecretsConfig()),
);
