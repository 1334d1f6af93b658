import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { BILLING_ROUTES, STRIPE_WEBHOOK_ROUTE } from '#contracts/billing-api.ts';
import { LAMBDA_ENV } from '#lambda/env.ts';
import { ENVIRONMENTS } from '../../lib/config/environments.ts';
import { removeOutdirs } from './synth.ts';
import { actionsOf, environmentTemplates } from './template.ts';

afterAll(removeOutdirs);

const { main: dev } = environmentTemplates('dev');

const webhookFunctionId = dev.functionId('Metrion Stripe webhook');
const dashboardApiFunctionId = dev.functionId('Metrion dashboard API');
const secretKeyId = dev.onlyLogicalId('AWS::SecretsManager::Secret', {
  Description: Match.stringLikeRegexp('Stripe secret API key'),
});
const webhookSecretId = dev.onlyLogicalId('AWS::SecretsManager::Secret', {
  Description: Match.stringLikeRegexp('Stripe webhook signing secret'),
});
const accountsTableId = dev.tableId('accounts');

const secretReads = (functionId: string) =>
  dev
    .roleStatements(functionId)
    .filter((statement) => actionsOf(statement).includes('secretsmanager:GetSecretValue'))
    .map((statement) => JSON.stringify(statement.Resource));

describe('Stripe secrets', () => {
  it('are two Secrets Manager secrets, destroyed with the dev stack', () => {
    for (const id of [secretKeyId, webhookSecretId]) {
      expect(dev.template.findResources('AWS::SecretsManager::Secret')[id]).toMatchObject({
        DeletionPolicy: 'Delete',
      });
    }
  });
});

describe('Stripe webhook function', () => {
  it('runs Node 24 on arm64 with the price, dashboard URL, webhook secret and API key ARNs', () => {
    expect(dev.properties('AWS::Lambda::Function', webhookFunctionId)).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 10,
      ReservedConcurrentExecutions: ENVIRONMENTS.dev.capacity.stripeWebhookConcurrency,
    });
    const variables = dev.environmentOf(webhookFunctionId);
    expect(Object.keys(variables).sort()).toEqual(
      [
        'NODE_OPTIONS',
        LAMBDA_ENV.metricsNamespace,
        LAMBDA_ENV.accountsTable,
        LAMBDA_ENV.stripeWebhookSecretArn,
        LAMBDA_ENV.stripeSecretKeySecretArn,
        LAMBDA_ENV.stripeProPriceId,
        LAMBDA_ENV.proMonthlyPriceUsd,
        LAMBDA_ENV.dashboardUrl,
      ].sort(),
    );
    expect(variables[LAMBDA_ENV.stripeWebhookSecretArn]).toEqual({ Ref: webhookSecretId });
    expect(variables[LAMBDA_ENV.stripeSecretKeySecretArn]).toEqual({ Ref: secretKeyId });
    expect(variables[LAMBDA_ENV.stripeProPriceId]).toBe(ENVIRONMENTS.dev.billing.stripeProPriceId);
    expect(JSON.stringify(variables[LAMBDA_ENV.dashboardUrl])).toContain('DomainName');
  });

  it('may read and write billing state on accounts (never delete), read its webhook secret and the API key (to refund a second subscription), nothing else', () => {
    const statements = dev.roleStatements(webhookFunctionId);
    expect([...new Set(statements.flatMap(actionsOf))].sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'kms:Decrypt',
      'kms:DescribeKey',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:GetSecretValue',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    const dynamo = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('dynamodb:')),
    );
    for (const statement of dynamo) {
      expect(JSON.stringify(statement.Resource)).toContain(accountsTableId);
    }
    const secretsRead = statements
      .filter((statement) => actionsOf(statement).includes('secretsmanager:GetSecretValue'))
      .flatMap((statement) => [statement.Resource].flat());
    expect(secretsRead).toHaveLength(2);
    expect(secretsRead).toEqual(
      expect.arrayContaining([{ Ref: webhookSecretId }, { Ref: secretKeyId }]),
    );
  });
});

describe('dashboard API and Stripe', () => {
  it('reads the Stripe API key, never the webhook secret', () => {
    const reads = secretReads(dashboardApiFunctionId).join(' ');
    expect(reads).toContain(secretKeyId);
    expect(reads).not.toContain(webhookSecretId);
    const variables = dev.environmentOf(dashboardApiFunctionId);
    expect(variables[LAMBDA_ENV.stripeSecretKeySecretArn]).toEqual({ Ref: secretKeyId });
    expect(variables).toHaveProperty(LAMBDA_ENV.stripeProPriceId);
    expect(variables[LAMBDA_ENV.proMonthlyPriceUsd]).toBe(
      ENVIRONMENTS.dev.billing.proMonthlyPriceUsd,
    );
    expect(variables).toHaveProperty(LAMBDA_ENV.dashboardUrl);
    expect(variables).not.toHaveProperty(LAMBDA_ENV.stripeWebhookSecretArn);
  });

  it.each(Object.values(BILLING_ROUTES).map((route) => [route.method, route.path]))(
    '%s %s reaches the dashboard API function',
    (method, path) => {
      const [found] = dev.methodsAt(path, method);
      expect(JSON.stringify(found?.Integration)).toContain(dashboardApiFunctionId);
    },
  );
});

describe('Stripe webhook route', () => {
  it.each([STRIPE_WEBHOOK_ROUTE.method, 'ANY'])(
    '%s /api/stripe/webhook reaches the webhook function, buffered, with no authorizer',
    (method) => {
      const [found, ...others] = dev.methodsAt(STRIPE_WEBHOOK_ROUTE.path, method);
      expect(others).toEqual([]);
      expect(found).toMatchObject({
        AuthorizationType: 'NONE',
        Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' },
      });
      expect(found).not.toHaveProperty('AuthorizerId');
      const integration = found?.Integration as { ResponseTransferMode?: string; Uri: unknown };
      expect(integration.ResponseTransferMode ?? 'BUFFERED').toBe('BUFFERED');
      expect(JSON.stringify(integration.Uri)).toContain(webhookFunctionId);
    },
  );
});
