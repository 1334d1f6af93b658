// The purposes KMS data keys are wrapped under: data the vault and the key grants (lib) share.

/** Purposes of secrets' contexts; a version-1 secret's own data key was wrapped under its purpose. */
export const PROVIDER_KEY_PURPOSE = 'provider-key';
export const METRION_KEY_PURPOSE = 'metrion-key';

/** The KMS purpose every account data key is wrapped under: the one every secret sealed today opens through. */
export const ACCOUNT_SECRETS_PURPOSE = 'account-secrets';
