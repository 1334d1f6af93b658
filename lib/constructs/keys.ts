import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  ACCOUNT_SECRETS_PURPOSE,
  METRION_KEY_PURPOSE,
  PROVIDER_KEY_PURPOSE,
} from '#core/vault/secret-purposes.ts';
import { LAMBDA_ENV } from '#lambda/env.ts';
import { acknowledge } from '../nag.ts';

/**
 * The encryption-context keys every wrapped data key carries (`accountDataKeyContext` in
 * `functions/core/vault/secret-vault.ts`, purposes in `secret-purposes.ts`); the grants require them.
 */
const ENCRYPTION_CONTEXT = { account: 'account', purpose: 'purpose' } as const;

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
   * Sealing and opening the account's secrets (dashboard API, secret migrator): the account's data
   * key is created and unwrapped under the `account-secrets` purpose; secrets sealed before one key
   * per account (version 1) still open under their own `provider-key` or `metrion-key` purpose, so
   * those allow kms:Decrypt only. Every grant needs an account in the encryption context. No
   * ReEncrypt, no key management. Sets `PROVIDER_KEYS_KMS_KEY_ARN`.
   */
  public grantDataKeys(fn: lambda.Function): void {
    this.grantKey(fn, ['kms:GenerateDataKey', 'kms:Decrypt'], [ACCOUNT_SECRETS_PURPOSE]);
    this.grantKey(fn, ['kms:Decrypt'], [PROVIDER_KEY_PURPOSE, METRION_KEY_PURPOSE]);
  }

  /**
   * Opening stored provider keys (proxy): kms:Decrypt only, of account data keys and of version-1
   * provider keys. It never seals. Which secret an unwrapped account key may open is the GCM
   * additional data's job (`core/vault/envelope.ts`), not IAM's. Sets `PROVIDER_KEYS_KMS_KEY_ARN`.
   */
  public grantProviderKeyDecrypt(fn: lambda.Function): void {
    this.grantKey(fn, ['kms:Decrypt'], [ACCOUNT_SECRETS_PURPOSE, PROVIDER_KEY_PURPOSE]);
  }

  /**
   * Opening alert channel secrets at delivery (evaluator, retry run): kms:Decrypt of account data
   * keys only (channel secrets never had a version 1). Sets `PROVIDER_KEYS_KMS_KEY_ARN`.
   */
  public grantChannelSecretDecrypt(fn: lambda.Function): void {
    this.grantKey(fn, ['kms:Decrypt'], [ACCOUNT_SECRETS_PURPOSE]);
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
