import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { TABLES } from '#adapters/dynamodb/table-definitions.ts';
import { BILLING_ROUTES, STRIPE_WEBHOOK_ROUTE } from '#contracts/billing-api.ts';
import { LAMBDA_ENV } from '#lambda/env.ts';
import { parseEnvironmentConfig } from '../../lib/config/environment-config.ts';
import { ENVIRONMENTS } from '../../lib/config/environments.ts';
import { buildStack, removeOutdirs } from './synth.ts';

afterAll(removeOutdirs);

const dev = buildStack(parseEnvironmentConfig('dev', ENVIRONMENTS.dev)).template;

type Resource = { Type: string; Properties: Record<string, unknown> };
interface Statement {
  Action: string | string[];
  Resource: unknown;
}

function onlyLogicalId(type: string, props: Record<string, unknown> = {}): string {
  const ids = Object.keys(dev.findResources(type, { Properties: props }));
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

const webhookFunctionId = onlyLogicalId('AWS::Lambda::Function', {
  Description: Match.stringLikeRegexp('^Metrion Stripe webhook'),
});
const dashboardApiFunctionId = onlyLogicalId('AWS::Lambda::Function', {
  Description: Match.stringLikeRegexp('^Metrion dashboard API'),
});
const secretKeyId = onlyLogicalId('AWS::SecretsManager::Secret', {
  Description: Match.stringLikeRegexp('Stripe secret API key'),
});
const webhookSecretId = onlyLogicalId('AWS::SecretsManager::Secret', {
  Description: Match.stringLikeRegexp('Stripe webhook signing secret'),
});
const accountsTableId = onlyLogicalId('AWS::DynamoDB::GlobalTable', {
  TableName: `metrion-dev-${TABLES.accounts.nameSuffix}`,
});

const functionOf = (id: string) => dev.findResources('AWS::Lambda::Function')[id] as Resource;
const variablesOf = (id: string) =>
  (functionOf(id).Properties.Environment as { Variables: Record<string, unknown> }).Variables;

function statementsOf(functionId: string): Statement[] {
  const role = functionOf(functionId).Properties.Role as { 'Fn::GetAtt': [string] };
  const policies = dev.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: role['Fn::GetAtt'][0] }] },
  }) as Record<string, Resource>;
  return Object.values(policies).flatMap(
    (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
}

const actionsOf = (statement: Statement): string[] => [statement.Action].flat();
const secretReads = (functionId: string) =>
  statementsOf(functionId)
    .filter((statement) => actionsOf(statement).includes('secretsmanager:GetSecretValue'))
    .map((statement) => JSON.stringify(statement.Resource));

/** The methods on the API Gateway resource with this full path. */
function methodsAt(path: string, httpMethod: string): Record<string, unknown>[] {
  const resources = dev.findResources('AWS::ApiGateway::Resource') as Record<string, Resource>;
  const pathOf = (id: string): string => {
    const { ParentId, PathPart } = (resources[id] as Resource).Properties as {
      ParentId: { Ref?: string };
      PathPart: string;
    };
    return `${ParentId.Ref && resources[ParentId.Ref] ? pathOf(ParentId.Ref) : ''}/${PathPart}`;
  };
  const methods = dev.findResources('AWS::ApiGateway::Method', {
    Properties: { HttpMethod: httpMethod },
  }) as Record<string, Resource>;
  return Object.values(methods)
    .filter((method) => pathOf((method.Properties.ResourceId as { Ref: string }).Ref) === path)
    .map((method) => method.Properties);
}

describe('Stripe secrets', () => {
  it('are two Secrets Manager secrets, destroyed with the dev stack', () => {
    for (const id of [secretKeyId, webhookSecretId]) {
      expect(dev.findResources('AWS::SecretsManager::Secret')[id]).toMatchObject({
        DeletionPolicy: 'Delete',
      });
    }
  });
});

describe('Stripe webhook function', () => {
  it('runs Node 24 on arm64 with the price, dashboard URL, webhook secret and API key ARNs', () => {
    expect(functionOf(webhookFunctionId).Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 10,
    });
    const variables = variablesOf(webhookFunctionId);
    expect(Object.keys(variables).sort()).toEqual(
      [
        'NODE_OPTIONS',
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
    expect(variables[LAMBDA_ENV.dashboardUrl]).toBe(ENVIRONMENTS.dev.dashboardUrl);
  });

  it('may read/write accounts and read its webhook secret and the API key (to refund a second subscription), nothing else', () => {
    const statements = statementsOf(webhookFunctionId);
    expect([...new Set(statements.flatMap(actionsOf))].sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:DeleteItem',
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
    const secretsRead = statementsOf(webhookFunctionId)
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
    const variables = variablesOf(dashboardApiFunctionId);
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
      const [found] = methodsAt(path, method);
      expect(JSON.stringify(found?.Integration)).toContain(dashboardApiFunctionId);
    },
  );
});

describe('Stripe webhook route', () => {
  it.each([STRIPE_WEBHOOK_ROUTE.method, 'ANY'])(
    '%s /api/stripe/webhook reaches the webhook function, buffered, with no authorizer',
    (method) => {
      const [found, ...others] = methodsAt(STRIPE_WEBHOOK_ROUTE.path, method);
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
