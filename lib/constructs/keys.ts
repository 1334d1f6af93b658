import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { LAMBDA_ENV } from '#lambda/env.ts';
import { acknowledge } from '../nag.ts';

/**
 * The encryption-context keys every sealed secret carries (`providerKeyContext`,
 * `metrionKeyContext` in `functions/core/vault/secret-vault.ts`); the key grants require them.
 */
const ENCRYPTION_CONTEXT = { account: 'account', purpose: 'purpose' } as const;
/** The purpose alert channel secrets are sealed under (`channelSecretContext` in core). */
export const CHANNEL_SECRET_PURPOSE = 'alert-channel';

export interface KeysProps {
  /** Environment name, used in descriptions and the key alias. */
  readonly envName: string;
  /**
   * Retain the key and the pepper on stack deletion. Losing either makes every stored provider
   * key or every Metrion Key lookup unusable, so this is on wherever customers exist.
   */
  readonly retainData: boolean;
}

/**
 * stateful: the secrets that make stored data usable.
 * - `providerKeysKey`: KMS key wrapping the per-secret data keys of stored provider keys and of
 *   the viewable Metrion Key copy (envelope encryption; rotation on).
 * - `metrionKeyPepper`: the server-side HMAC secret that turns a Metrion Key into its lookup
 *   digest.
 * Construct ids are stable forever.
 */
export class Keys extends Construct {
  public readonly providerKeysKey: kms.IKey;
  public readonly metrionKeyPepper: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: KeysProps) {
    super(scope, id);
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.providerKeysKey = new kms.Key(this, 'ProviderKeysKey', {
      description: `Metrion ${props.envName}: envelope encryption of stored provider keys`,
      alias: `alias/metrion-${props.envName}-provider-keys`,
      enableKeyRotation: true,
      removalPolicy,
    });

    const pepper = new secretsmanager.Secret(this, 'MetrionKeyPepper', {
      description: `Metrion ${props.envName}: HMAC pepper for Metrion Key lookup digests`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy,
    });
    acknowledge(
      pepper,
      'AwsSolutions-SMG4',
      'Rotating the pepper changes every Metrion Key digest and locks out every customer; it is replaced only together with a re-keying migration.',
    );
    this.metrionKeyPepper = pepper;
  }

  /**
   * Sealing and opening the account's secrets (dashboard API): kms:GenerateDataKey and
   * kms:Decrypt on this one key, only with an encryption context that names an account and one
   * of the two purposes (`provider-key`, `metrion-key`; `core/vault/secret-vault.ts`). No
   * ReEncrypt, no key management. Sets `PROVIDER_KEYS_KMS_KEY_ARN`.
   */
  public grantDataKeys(fn: lambda.Function): void {
    this.grantKey(
      fn,
      ['kms:GenerateDataKey', 'kms:Decrypt'],
      ['provider-key', 'metrion-key', CHANNEL_SECRET_PURPOSE],
    );
  }

  /**
   * Opening stored provider keys (proxy): kms:Decrypt only, only with the `provider-key` purpose
   * and an account in the encryption context. It never seals, and never opens the viewable
   * Metrion Key copy. Sets `PROVIDER_KEYS_KMS_KEY_ARN`.
   */
  public grantProviderKeyDecrypt(fn: lambda.Function): void {
    this.grantKey(fn, ['kms:Decrypt'], ['provider-key']);
  }

  private grantKey(fn: lambda.Function, actions: string[], purposes: string[]): void {
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions,
      resourceArns: [this.providerKeysKey.keyArn],
      conditions: {
        StringEquals: { [`kms:EncryptionContext:${ENCRYPTION_CONTEXT.purpose}`]: purposes },
        Null: { [`kms:EncryptionContext:${ENCRYPTION_CONTEXT.account}`]: 'false' },
      },
    });
    fn.addEnvironment(LAMBDA_ENV.providerKeysKmsKeyArn, this.providerKeysKey.keyArn);
  }

  /**
   * Opening alert channel secrets at delivery (evaluator, retry run): kms:Decrypt only, only with
   * the `alert-channel` purpose and an account in the encryption context. Sets
   * `PROVIDER_KEYS_KMS_KEY_ARN`.
   */
  public grantChannelSecretDecrypt(fn: lambda.Function): void {
    this.grantKey(fn, ['kms:Decrypt'], [CHANNEL_SECRET_PURPOSE]);
  }

  /**
   * Reading the pepper: secretsmanager:GetSecretValue on this secret only (no DescribeSecret,
   * which grantRead would add). Sets `METRION_KEY_PEPPER_SECRET_ARN`.
   */
  public grantPepperRead(fn: lambda.Function): void {
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ['secretsmanager:GetSecretValue'],
      resourceArns: [this.metrionKeyPepper.secretArn],
    });
    fn.addEnvironment(LAMBDA_ENV.metrionKeyPepperSecretArn, this.metrionKeyPepper.secretArn);
  }
}
