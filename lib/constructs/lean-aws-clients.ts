// Which AWS SDK packages the signed JSON client replaces: read by lambda-bundling.ts (esbuild
// aliases) and by the `lambda-clients` test project (vitest), so both swap the same modules.
/**
 * The AWS SDK clients that Metrion's signed JSON client (`functions/lambda/lean-aws/`) replaces
 * in a function that opts in (`MetrionFunction`'s `leanAwsClients`): the SDK's clients share
 * about 250 KB of code (the `@smithy/core` runtime, schemas, endpoint rules) that a function
 * calling a handful of JSON operations never needs. The contract suites run the adapters over
 * the same replacements on dynalite (`test/lambda-clients`).
 */
export const LEAN_AWS_CLIENT_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/client-dynamodb': './functions/lambda/lean-aws/client-dynamodb.ts',
  '@aws-sdk/lib-dynamodb': './functions/lambda/lean-aws/lib-dynamodb.ts',
  '@aws-sdk/client-kms': './functions/lambda/lean-aws/client-kms.ts',
  '@aws-sdk/client-secrets-manager': './functions/lambda/lean-aws/client-secrets-manager.ts',
};
