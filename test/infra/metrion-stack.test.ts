import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { TABLES } from '#adapters/dynamodb/table-definitions.ts';
import { ROUTE_NOT_FOUND_RESPONSE } from '#contracts/gateway-responses.ts';
import { PROXY_PATH_PREFIX, PROXY_ROUTES } from '#core/providers/routes.ts';
import { LAMBDA_ENV } from '#lambda/env.ts';
import { parseEnvironmentConfig } from '../../lib/config/environment-config.ts';
import { ENVIRONMENTS } from '../../lib/config/environments.ts';
import { buildStack, removeOutdirs, testConfig } from './synth.ts';

afterAll(removeOutdirs);

const dev = buildStack(parseEnvironmentConfig('dev', ENVIRONMENTS.dev)).template;
const prod = buildStack(parseEnvironmentConfig('prod', ENVIRONMENTS.prod)).template;

type Resources = Record<
  string,
  { Type: string; Properties: Record<string, unknown> } & Record<string, unknown>
>;
interface Statement {
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, string>>;
}

function onlyLogicalId(
  template: Template,
  type: string,
  props: Record<string, unknown> = {},
): string {
  const ids = Object.keys(template.findResources(type, { Properties: props }));
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

const proxyFunctionId = onlyLogicalId(dev, 'AWS::Lambda::Function', {
  Description: Match.stringLikeRegexp('^Metrion proxy'),
});

/** `logicalId -> /api/proxy/...` for every API Gateway resource, following ParentId. */
function apiResourcePaths(template: Template): Map<string, string> {
  const resources = template.findResources('AWS::ApiGateway::Resource') as Resources;
  const paths = new Map<string, string>();
  const pathOf = (id: string): string => {
    const known = paths.get(id);
    if (known) return known;
    const resource = resources[id];
    if (!resource) throw new Error(`no API Gateway resource ${id}`);
    const { ParentId, PathPart } = resource.Properties as {
      ParentId: { Ref?: string };
      PathPart: string;
    };
    const path = `${ParentId.Ref ? pathOf(ParentId.Ref) : ''}/${PathPart}`;
    paths.set(id, path);
    return path;
  };
  for (const id of Object.keys(resources)) pathOf(id);
  return paths;
}

function methodsAt(template: Template, path: string, httpMethod: string) {
  const paths = apiResourcePaths(template);
  const methods = template.findResources('AWS::ApiGateway::Method', {
    Properties: { HttpMethod: httpMethod },
  }) as Resources;
  return Object.values(methods)
    .filter((method) => paths.get((method.Properties.ResourceId as { Ref: string }).Ref) === path)
    .map((method) => method.Properties);
}

function expectStreamsToProxy(method: Record<string, unknown> | undefined): void {
  if (!method) throw new Error('expected a method, found none');
  expect(method).toMatchObject({
    AuthorizationType: 'NONE',
    Integration: {
      Type: 'AWS_PROXY',
      IntegrationHttpMethod: 'POST',
      ResponseTransferMode: 'STREAM',
      TimeoutInMillis: 15 * 60 * 1000,
    },
  });
  const uri = JSON.stringify((method.Integration as { Uri: unknown }).Uri);
  expect(uri).toContain('/response-streaming-invocations');
  expect(uri).toContain(proxyFunctionId);
}

function proxyRoleId(template: Template): string {
  const fn = template.findResources('AWS::Lambda::Function')[proxyFunctionId] as {
    Properties: { Role: { 'Fn::GetAtt': [string, string] } };
  };
  return fn.Properties.Role['Fn::GetAtt'][0];
}

function proxyRoleStatements(template: Template): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: proxyRoleId(template) }] },
  }) as Resources;
  return Object.values(policies).flatMap(
    (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
}

const actionsOf = (statement: Statement): string[] => [statement.Action].flat();
const keyIdOf = (resource: unknown): string | undefined =>
  (resource as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt']?.[0];

describe('Api', () => {
  it('uses a regional endpoint', () => {
    dev.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
  });

  it.each(PROXY_ROUTES.map((route) => [route.method, route.path]))(
    'streams %s %s to the proxy without a gateway authorizer',
    (method, path) => {
      const methods = methodsAt(dev, path, method);
      expect(methods).toHaveLength(1);
      expectStreamsToProxy(methods[0]);
    },
  );

  it('streams any other method on a route, and any other path under the prefix, to the proxy', () => {
    for (const route of PROXY_ROUTES) expectStreamsToProxy(methodsAt(dev, route.path, 'ANY')[0]);
    expectStreamsToProxy(methodsAt(dev, `${PROXY_PATH_PREFIX}/{proxy+}`, 'ANY')[0]);
    const toProxy = Object.values(dev.findResources('AWS::ApiGateway::Method')).filter((method) =>
      JSON.stringify(method.Properties.Integration?.Uri).includes(proxyFunctionId),
    );
    expect(toProxy).toHaveLength(PROXY_ROUTES.length * 2 + 1);
  });

  it('grants API Gateway one API-wide invoke permission instead of one per method', () => {
    // One each for the proxy, the dashboard API function, the logs export and the Stripe webhook
    // (EventBridge has its own).
    const fromApiGateway = dev.findResources('AWS::Lambda::Permission', {
      Properties: { Principal: 'apigateway.amazonaws.com' },
    });
    expect(Object.keys(fromApiGateway)).toHaveLength(4);
    dev.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [proxyFunctionId, 'Arn'] },
      Principal: 'apigateway.amazonaws.com',
      SourceArn: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('/\\*/\\*/\\*$')])] },
    });
  });

  it('logs access and errors, never bodies, traces, and throttles the stage', () => {
    dev.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
      TracingEnabled: true,
      MethodSettings: [
        Match.objectLike({
          ResourcePath: '/*',
          HttpMethod: '*',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          ThrottlingRateLimit: Match.anyValue(),
          ThrottlingBurstLimit: Match.anyValue(),
        }),
      ],
    });
  });

  it('owns every log group (proxy, dashboard API, logs export, Stripe webhook, fx-rates, seal job, reprice job, usage aggregator, alert evaluator, budget sweep, access, execution) with the configured retention', () => {
    dev.resourceCountIs('AWS::Logs::LogGroup', 12);
    dev.allResourcesProperties('AWS::Logs::LogGroup', {
      RetentionInDays: ENVIRONMENTS.dev.logRetentionDays,
    });
    prod.allResourcesProperties('AWS::Logs::LogGroup', {
      RetentionInDays: ENVIRONMENTS.prod.logRetentionDays,
    });
  });

  it('answers unmatched routes with a 404 that provider SDKs parse as an error', () => {
    const responses = dev.findResources('AWS::ApiGateway::GatewayResponse', {
      Properties: { ResponseType: 'MISSING_AUTHENTICATION_TOKEN', StatusCode: '404' },
    }) as Resources;
    const [response] = Object.values(responses);
    const templates = response?.Properties.ResponseTemplates as Record<string, string>;
    const body = JSON.parse(templates['application/json'] as string);
    expect(body).toMatchObject({
      type: 'error',
      error: { type: 'not_found_error', message: expect.stringContaining(PROXY_PATH_PREFIX) },
    });
    // The local server sends the same response (functions/local/local-routes.ts).
    expect(templates['application/json']).toBe(ROUTE_NOT_FOUND_RESPONSE.body);
    expect(response?.Properties.ResponseParameters).toEqual({
      'gatewayresponse.header.cache-control': "'no-store'",
      'gatewayresponse.header.x-content-type-options': "'nosniff'",
    });
  });
});

describe('Data and Keys', () => {
  const tableKeyId = onlyLogicalId(dev, 'AWS::KMS::Key', {
    Description: Match.stringLikeRegexp('DynamoDB'),
  });

  it('creates one table per TABLES entry', () => {
    dev.resourceCountIs('AWS::DynamoDB::GlobalTable', Object.keys(TABLES).length);
  });

  it('keeps every table under its logical id, and no other table', () => {
    // A changed logical id replaces the table (and its data).
    const ids = Object.entries(dev.findResources('AWS::DynamoDB::GlobalTable')).map(
      ([id, table]) => `${id} ${(table.Properties as { TableName: string }).TableName}`,
    );
    expect(ids.sort()).toEqual([
      'DataAccountsTable816B83C6 metrion-dev-accounts',
      'DataFxRatesTable824827D4 metrion-dev-fx-rates',
      'DataResponseCacheTable1EC34E53 metrion-dev-response-cache',
      'DataUsageTable202A59A5 metrion-dev-usage',
    ]);
  });

  it.each(Object.entries(TABLES))(
    'builds %s on demand, with PITR, TTL and the customer-managed key',
    (_, definition) => {
      const ttl = 'timeToLiveAttribute' in definition ? definition.timeToLiveAttribute : undefined;
      dev.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        TableName: `metrion-dev-${definition.nameSuffix}`,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: Match.arrayWith([
          { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
        ]),
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: [
          Match.objectLike({
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [tableKeyId, 'Arn'] } },
          }),
        ],
        TimeToLiveSpecification: ttl ? { AttributeName: ttl, Enabled: true } : Match.absent(),
      });
    },
  );

  it('rotates every KMS key', () => {
    dev.resourceCountIs('AWS::KMS::Key', 2);
    dev.allResourcesProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('generates a 64-character pepper without punctuation', () => {
    dev.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
  });

  it.each([
    ['dev', dev, 'Delete', false],
    ['prod', prod, 'Retain', true],
  ] as const)(
    '%s: stateful resources use %s, deletion protection %s',
    (_, template, policy, protect) => {
      for (const type of [
        'AWS::DynamoDB::GlobalTable',
        'AWS::KMS::Key',
        'AWS::SecretsManager::Secret',
      ]) {
        template.allResources(type, { DeletionPolicy: policy, UpdateReplacePolicy: policy });
      }
      template.allResourcesProperties('AWS::DynamoDB::GlobalTable', {
        Replicas: [Match.objectLike({ DeletionProtectionEnabled: protect })],
      });
    },
  );
});

describe('Proxy function', () => {
  it('runs Node 24 on arm64 with active tracing, 512 MB (docs/cost.md) and a 15-minute timeout', () => {
    dev.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      MemorySize: 512,
      Timeout: 900,
      Handler: 'index.handler',
    });
  });

  it('logs to its own log group with the configured retention', () => {
    const fn = dev.findResources('AWS::Lambda::Function')[proxyFunctionId] as {
      Properties: { LoggingConfig: { LogGroup: { Ref: string } } };
    };
    const logGroup =
      dev.findResources('AWS::Logs::LogGroup')[fn.Properties.LoggingConfig.LogGroup.Ref];
    expect(logGroup?.Properties).toMatchObject({
      RetentionInDays: ENVIRONMENTS.dev.logRetentionDays,
    });
  });

  it('gets every table name, the key ARN, the pepper ARN and CORS origins from its grants', () => {
    const variables = (
      dev.findResources('AWS::Lambda::Function')[proxyFunctionId] as {
        Properties: { Environment: { Variables: Record<string, unknown> } };
      }
    ).Properties.Environment.Variables;
    expect(Object.keys(variables)).toEqual(
      expect.arrayContaining([
        LAMBDA_ENV.accountsTable,
        LAMBDA_ENV.usageTable,
        LAMBDA_ENV.responseCacheTable,
        LAMBDA_ENV.providerKeysKmsKeyArn,
        LAMBDA_ENV.metrionKeyPepperSecretArn,
      ]),
    );
    expect(variables[LAMBDA_ENV.corsAllowedOrigins]).toBe(
      ENVIRONMENTS.dev.corsAllowedOrigins.join(','),
    );
    expect(variables).not.toHaveProperty(LAMBDA_ENV.upstreamOrigins);
  });

  it('passes configured upstream origins as JSON', () => {
    const upstreamOrigins = { openai: 'https://openai.fake.example' };
    const { template } = buildStack(testConfig({ upstreamOrigins }));
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [LAMBDA_ENV.upstreamOrigins]: JSON.stringify(upstreamOrigins),
        }),
      },
    });
  });
});

describe('Proxy role (least privilege)', () => {
  const statements = proxyRoleStatements(dev);
  const keyIds = Object.keys(dev.findResources('AWS::KMS::Key'));
  const tableKeyId = onlyLogicalId(dev, 'AWS::KMS::Key', {
    Description: Match.stringLikeRegexp('DynamoDB'),
  });

  it('has no AWS managed policy (AWSLambdaBasicExecutionRole allows logs on every group)', () => {
    const role = dev.findResources('AWS::IAM::Role')[proxyRoleId(dev)];
    expect(role?.Properties).toBeDefined();
    expect(role?.Properties).not.toHaveProperty('ManagedPolicyArns');
  });

  it('allows exactly the actions the hot path needs', () => {
    const actions = [...new Set(statements.flatMap(actionsOf))].sort();
    expect(actions).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'kms:Decrypt',
      'kms:DescribeKey',
      'kms:GenerateDataKey',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:GetSecretValue',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('has no wildcard action and no wildcard resource outside X-Ray', () => {
    for (const statement of statements) {
      for (const action of actionsOf(statement)) expect(action).not.toContain('*');
      if (statement.Resource === '*') {
        expect(actionsOf(statement).every((action) => action.startsWith('xray:'))).toBe(true);
      }
    }
  });

  it('decrypts only with named keys, and with the table key only through DynamoDB', () => {
    const decrypts = statements.filter((statement) => actionsOf(statement).includes('kms:Decrypt'));
    expect(decrypts).toHaveLength(2);
    for (const statement of decrypts) {
      expect(keyIds).toContain(keyIdOf(statement.Resource));
      if (keyIdOf(statement.Resource) === tableKeyId) {
        expect(statement.Condition?.StringEquals?.['kms:ViaService']).toBe(
          `dynamodb.${ENVIRONMENTS.dev.region}.amazonaws.com`,
        );
      } else {
        expect(actionsOf(statement).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
      }
    }
  });

  it('admits on the accounts table with UpdateItem, GetItem and Query, never creating or deleting', () => {
    const accountsTableId = onlyLogicalId(dev, 'AWS::DynamoDB::GlobalTable', {
      TableName: `metrion-dev-${TABLES.accounts.nameSuffix}`,
    });
    const onAccounts = statements.filter(
      (statement) => keyIdOf(statement.Resource) === accountsTableId,
    );
    expect(onAccounts.flatMap(actionsOf).sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
  });

  it("puts usage records but cannot update, read or delete usage (rollups are the aggregator's)", () => {
    const usageTableId = onlyLogicalId(dev, 'AWS::DynamoDB::GlobalTable', {
      TableName: `metrion-dev-${TABLES.usage.nameSuffix}`,
    });
    const onUsage = statements.filter((statement) => keyIdOf(statement.Resource) === usageTableId);
    expect(onUsage.flatMap(actionsOf).sort()).toEqual(['dynamodb:PutItem']);
  });
});
