/**
 * The `purpose` of each KMS encryption context the vault uses; the infrastructure's key grants
 * allow exactly these, so both read them from here.
 */

/** Every account data key is wrapped under this one; every secret sealed today opens through it. */
export const ACCOUNT_SECRETS_PURPOSE = 'account-secrets';

/** Purposes of secrets' own contexts; a version-1 secret's data key was wrapped under its own. */
export const PROVIDER_KEY_PURPOSE = 'provider-key';
export const METRION_KEY_PURPOSE = 'metrion-key';
