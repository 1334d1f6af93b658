import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { LAMBDA_ENV } from '#lambda/env.ts';
import { acknowledge } from '../nag.ts';
import type { Data } from './data.ts';
import { MetrionFunction } from './metrion-function.ts';
import { stackOutput } from './stack-output.ts';

export interface BillingProps {
  /** Environment name, used in descriptions. */
  readonly envName: string;
  /** Accounts (the billing state on the profile item, processed-event markers; no deletes). */
  readonly data: Data;
  /** Retain the Stripe secrets on stack deletion (they are set by hand). */
  readonly retainData: boolean;
  /** Stripe price of the Pro plan (`price_…`). */
  readonly stripeProPriceId: string;
  /** What that price charges per month in USD (`"29.00"`), shown on the Plan page. */
  readonly proMonthlyPriceUsd: string;
  /** Dashboard origin Checkout and the billing portal return to. */
  readonly dashboardUrl: string;
  /** Where Stripe delivers events (output for the Stripe dashboard's webhook endpoint). */
  readonly webhookUrl: string;
  /** Retention of the webhook function's log group. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Keep the log group when the stack is deleted.
   * @default false
   */
  readonly retainLogs?: boolean;
  /** Reserved concurrency of the webhook: plan changes land while the proxy is busy. */
  readonly webhookReservedConcurrency: number;
}

/**
 * Billing through Stripe: the `stripe-webhook` Lambda (`functions/lambda/stripe-webhook.ts`) and
 * the two Stripe secrets. stateful: the secrets hold values an operator puts in after the first
 * deploy (`aws secretsmanager put-secret-value`); the stack creates them with a random
 * placeholder, which Stripe rejects (Checkout answers 502 `billing_unavailable`, webhooks 400)
 * until the real values are set. Each function reads its secret once per cold start.
 * - `stripeSecretKey` (`sk_…`): only functions that call the Stripe API ({@link grantStripeApi}):
 *   the dashboard API, and the webhook function (it cancels and refunds a second subscription).
 * - `stripeWebhookSecret` (`whsec_…`): only the webhook function (signatures are checked
 *   offline).
 * API Gateway wiring lives in `Api.addWebhookRoute`.
 */
export class Billing extends Construct {
  public readonly webhookFunction: MetrionFunction;
  public readonly stripeSecretKey: secretsmanager.ISecret;
  public readonly stripeWebhookSecret: secretsmanager.ISecret;
  readonly #props: BillingProps;

  constructor(scope: Construct, id: string, props: BillingProps) {
    super(scope, id);
    this.#props = props;
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const rotationReason =
      'Stripe issues and rolls these secrets in its dashboard (roll key, roll signing secret); the new value is then put into this secret. Secrets Manager cannot rotate them itself.';

    const secretKey = new secretsmanager.Secret(this, 'StripeSecretKey', {
      description: `Metrion ${props.envName}: Stripe secret API key (sk_...); put the real value after deploy`,
      removalPolicy,
    });
    acknowledge(secretKey, 'AwsSolutions-SMG4', rotationReason);
    this.stripeSecretKey = secretKey;

    const webhookSecret = new secretsmanager.Secret(this, 'StripeWebhookSecret', {
      description: `Metrion ${props.envName}: Stripe webhook signing secret (whsec_...); put the real value after deploy`,
      removalPolicy,
    });
    acknowledge(webhookSecret, 'AwsSolutions-SMG4', rotationReason);
    this.stripeWebhookSecret = webhookSecret;
    stackOutput(
      this,
      'StripeSecretKeyArn',
      secretKey.secretArn,
      'Put the sk_… key here after deploy',
    );
    stackOutput(
      this,
      'StripeWebhookSecretArn',
      webhookSecret.secretArn,
      'Put the endpoint signing secret (whsec_…) here after deploy',
    );
    stackOutput(this, 'StripeWebhookUrl', props.webhookUrl, 'The Stripe webhook endpoint URL');

    this.webhookFunction = new MetrionFunction(this, 'WebhookFunction', {
      entry: 'functions/lambda/stripe-webhook.ts',
      description:
        'Metrion Stripe webhook: verifies the signature, applies subscription events to the account plan',
      memorySize: 256,
      // Stripe waits up to 20 s for an answer; a delivery takes a few DynamoDB calls, and five
      // Stripe calls when it cancels a second subscription.
      timeout: Duration.seconds(10),
      logRetention: props.logRetention,
      retainLogs: props.retainLogs,
      reservedConcurrentExecutions: props.webhookReservedConcurrency,
    });
    props.data.grantBillingState(this.webhookFunction);
    this.grantSecret(this.webhookFunction, webhookSecret, LAMBDA_ENV.stripeWebhookSecretArn);
    this.grantStripeApi(this.webhookFunction);
  }

  /**
   * Calling the Stripe API (Checkout, billing portal, customers, cancel and refund): GetSecretValue on the secret
   * key only, plus the price and dashboard URL. Sets `STRIPE_SECRET_KEY_SECRET_ARN`,
   * `STRIPE_PRO_PRICE_ID`, `PRO_MONTHLY_PRICE_USD` and `DASHBOARD_URL`.
   */
  public grantStripeApi(fn: lambda.Function): void {
    this.grantSecret(fn, this.stripeSecretKey, LAMBDA_ENV.stripeSecretKeySecretArn);
    this.bindBillingSettings(fn);
  }

  private bindBillingSettings(fn: lambda.Function): void {
    fn.addEnvironment(LAMBDA_ENV.stripeProPriceId, this.#props.stripeProPriceId);
    fn.addEnvironment(LAMBDA_ENV.proMonthlyPriceUsd, this.#props.proMonthlyPriceUsd);
    fn.addEnvironment(LAMBDA_ENV.dashboardUrl, this.#props.dashboardUrl);
  }

  /** GetSecretValue on one secret (no DescribeSecret, which grantRead would add). */
  private grantSecret(fn: lambda.Function, secret: secretsmanager.ISecret, envName: string): void {
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ['secretsmanager:GetSecretValue'],
      resourceArns: [secret.secretArn],
    });
    fn.addEnvironment(envName, secret.secretArn);
  }
}
