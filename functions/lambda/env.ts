/**
 * The only place Lambda code reads process.env. CDK (lib/) imports the names from here when it
 * sets a function's environment, so names cannot drift.
 */
export const LAMBDA_ENV = {
  accountsTable: 'ACCOUNTS_TABLE_NAME',
  usageTable: 'USAGE_TABLE_NAME',
  countersTable: 'COUNTERS_TABLE_NAME',
  responseCacheTable: 'RESPONSE_CACHE_TABLE_NAME',
  providerKeysKmsKeyArn: 'PROVIDER_KEYS_KMS_KEY_ARN',
  metrionKeyPepperSecretArn: 'METRION_KEY_PEPPER_SECRET_ARN',
  upstreamOrigins: 'UPSTREAM_ORIGINS',
  corsAllowedOrigins: 'CORS_ALLOWED_ORIGINS',
  logLevel: 'LOG_LEVEL',
} as const;
