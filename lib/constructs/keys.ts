import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { LAMBDA_ENV } from '#lambda/env.ts';
import { acknowledge } from '../nag.ts';

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
   * Envelope encryption of provider keys: kms:GenerateDataKey and kms:Decrypt on this one key,
   * nothing else (no ReEncrypt, no key management). Sets `PROVIDER_KEYS_KMS_KEY_ARN`.
   */
  public grantDataKeys(fn: lambda.Function): void {
    this.providerKeysKey.grant(fn, 'kms:GenerateDataKey', 'kms:Decrypt');
    fn.addEnvironment(LAMBDA_ENV.providerKeysKmsKeyArn, this.providerKeysKey.keyArn);
  }

  /**
   * Opening sealed secrets only (alert channel secrets at delivery): kms:Decrypt on this one key.
   * Sets `PROVIDER_KEYS_KMS_KEY_ARN`.
   */
  public grantDataKeyDecrypt(fn: lambda.Function): void {
    this.providerKeysKey.grant(fn, 'kms:Decrypt');
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
