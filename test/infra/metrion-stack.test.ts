import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { TABLES } from '#adapters/dynamodb/table-definitions.ts';
import { ROUTE_NOT_FOUND_RESPONSE } from '#contracts/gateway-responses.ts';
import { PROXY_PATH_PREFIX, PROXY_ROUTES } from '#core/providers/routes.ts';
import { accountDataKeyContext, providerKeyContext } from '#core/vault/secret-vault.ts';
import { LAMBDA_ENV } from '#lambda/env.ts';
import { ENVIRONMENTS } from '../../lib/config/environments.ts';
import { DEFAULT_METHOD_THROTTLE } from '../../lib/constructs/api.ts';
import { removeOutdirs, testConfig } from './synth.ts';
import { actionsOf, logicalIdOf, mainTemplate } from './template.ts';

afterAll(removeOutdirs);

const dev = mainTemplate('dev');
const prod = mainTemplate('prod');

const proxyFunctionId = dev.functionId('Metrion proxy');

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

describe('Api', () => {
  it('uses a regional endpoint', () => {
    dev.template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
  });

  it.each(PROXY_ROUTES.map((route) => [route.method, route.path]))(
    'streams %s %s to the proxy without a gateway authorizer',
    (method, path) => {
      const methods = dev.methodsAt(path, method);
      expect(methods).toHaveLength(1);
      expectStreamsToProxy(methods[0]);
    },
  );

  it('streams any other method on a route, and any other path under the prefix, to the proxy', () => {
    for (const route of PROXY_ROUTES) expectStreamsToProxy(dev.methodsAt(route.path, 'ANY')[0]);
    expectStreamsToProxy(dev.methodsAt(`${PROXY_PATH_PREFIX}/{proxy+}`, 'ANY')[0]);
    const toProxy = Object.values(dev.template.findResources('AWS::ApiGateway::Method')).filter(
      (method) => JSON.stringify(method.Properties.Integration?.Uri).includes(proxyFunctionId),
    );
    expect(toProxy).toHaveLength(PROXY_ROUTES.length * 2 + 1);
  });

  it('grants API Gateway one API-wide invoke permission instead of one per method', () => {
    // One each for the proxy, the dashboard API function, the logs export and the Stripe webhook
    // (EventBridge has its own).
    const fromApiGateway = dev.template.findResources('AWS::Lambda::Permission', {
      Properties: { Principal: 'apigateway.amazonaws.com' },
    });
    expect(Object.keys(fromApiGateway)).toHaveLength(4);
    dev.template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [proxyFunctionId, 'Arn'] },
      Principal: 'apigateway.amazonaws.com',
      SourceArn: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('/\\*/\\*/\\*$')])] },
    });
  });

  it('logs access and errors, never bodies, traces, and throttles every method by default', () => {
    dev.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
      TracingEnabled: true,
      MethodSettings: Match.arrayWith([
        {
          ResourcePath: '/*',
          HttpMethod: '*',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          MetricsEnabled: true,
          ThrottlingRateLimit: DEFAULT_METHOD_THROTTLE.rateLimit,
          ThrottlingBurstLimit: DEFAULT_METHOD_THROTTLE.burstLimit,
        },
      ]),
    });
  });

  it('gives every proxy route its own, larger throttle (the proxy cannot drain the dashboard or Stripe)', () => {
    const stage = dev.resources('AWS::ApiGateway::Stage');
    const settings = (Object.values(stage)[0]?.Properties.MethodSettings ?? []) as Array<
      Record<string, unknown>
    >;
    const rps = ENVIRONMENTS.dev.capacity.proxyRequestsPerSecond;
    for (const route of PROXY_ROUTES) {
      expect(settings).toContainEqual({
        ResourcePath: `/${route.path.replaceAll('/', '~1')}`,
        HttpMethod: route.method,
        LoggingLevel: 'ERROR',
        DataTraceEnabled: false,
        MetricsEnabled: true,
        ThrottlingRateLimit: rps,
        ThrottlingBurstLimit: 2 * rps,
      });
    }
    // Besides the default, only proxy routes have settings of their own.
    expect(settings).toHaveLength(PROXY_ROUTES.length + 1);
  });

  it('owns every log group (one per function, access, execution, the user pool web ACL) with the configured retention', () => {
    const functions = Object.keys(dev.template.findResources('AWS::Lambda::Function')).length;
    expect(functions).toBeGreaterThanOrEqual(12);
    dev.template.resourceCountIs('AWS::Logs::LogGroup', functions + 3);
    dev.template.allResourcesProperties('AWS::Logs::LogGroup', {
      RetentionInDays: ENVIRONMENTS.dev.logRetentionDays,
    });
    prod.template.allResourcesProperties('AWS::Logs::LogGroup', {
      RetentionInDays: ENVIRONMENTS.prod.logRetentionDays,
    });
  });

  it('answers unmatched routes with a 404 that provider SDKs parse as an error', () => {
    const responses = dev.resources('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'MISSING_AUTHENTICATION_TOKEN',
      StatusCode: '404',
    });
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
  const tableKeyId = dev.onlyLogicalId('AWS::KMS::Key', {
    Description: Match.stringLikeRegexp('DynamoDB'),
  });

  it('creates one table per TABLES entry', () => {
    dev.template.resourceCountIs('AWS::DynamoDB::GlobalTable', Object.keys(TABLES).length);
  });

  it('keeps every table under its logical id, and no other table', () => {
    // A changed logical id replaces the table (and its data).
    const ids = Object.entries(dev.template.findResources('AWS::DynamoDB::GlobalTable')).map(
      ([id, table]) => `${id} ${(table.Properties as { TableName: string }).TableName}`,
    );
    expect(ids.sort()).toEqual([
      'DataAccountsTable816B83C6 metrion-dev-accounts',
      'DataFxRatesTable824827D4 metrion-dev-fx-rates',
      'DataPricesTable03786E91 metrion-dev-prices',
      'DataResponseCacheTable1EC34E53 metrion-dev-response-cache',
      'DataUsageTable202A59A5 metrion-dev-usage',
    ]);
  });

  it.each(Object.entries(TABLES))(
    'builds %s on demand, with PITR, TTL and the customer-managed key',
    (_, definition) => {
      const ttl = 'timeToLiveAttribute' in definition ? definition.timeToLiveAttribute : undefined;
      dev.template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
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
    dev.template.resourceCountIs('AWS::KMS::Key', 2);
    dev.template.allResourcesProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('generates a 64-character pepper without punctuation', () => {
    dev.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
  });

  it.each([
    ['dev', dev, 'Delete', false],
    ['prod', prod, 'Retain', true],
  ] as const)(
    '%s: stateful resources use %s, deletion protection %s',
    (_, { template }, policy, protect) => {
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
    dev.template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      MemorySize: 512,
      Timeout: 900,
      Handler: 'index.handler',
    });
  });

  it('reserves its concurrency, which is also its ceiling (capacity.proxyConcurrency)', () => {
    expect(dev.properties('AWS::Lambda::Function', proxyFunctionId)).toMatchObject({
      ReservedConcurrentExecutions: ENVIRONMENTS.dev.capacity.proxyConcurrency,
    });
  });

  it('logs to its own log group with the configured retention', () => {
    const fn = dev.template.findResources('AWS::Lambda::Function')[proxyFunctionId] as {
      Properties: { LoggingConfig: { LogGroup: { Ref: string } } };
    };
    const logGroup =
      dev.template.findResources('AWS::Logs::LogGroup')[fn.Properties.LoggingConfig.LogGroup.Ref];
    expect(logGroup?.Properties).toMatchObject({
      RetentionInDays: ENVIRONMENTS.dev.logRetentionDays,
    });
  });

  it('gets every table name, the key ARN, the pepper ARN and CORS origins from its grants', () => {
    const variables = dev.environmentOf(proxyFunctionId);
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
    const { template } = mainTemplate(testConfig({ upstreamOrigins }));
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
  const statements = dev.roleStatements(proxyFunctionId);
  const keyIds = Object.keys(dev.template.findResources('AWS::KMS::Key'));
  const tableKeyId = dev.onlyLogicalId('AWS::KMS::Key', {
    Description: Match.stringLikeRegexp('DynamoDB'),
  });

  it('has no AWS managed policy (AWSLambdaBasicExecutionRole allows logs on every group)', () => {
    const role = dev.template.findResources('AWS::IAM::Role')[dev.roleIdOf(proxyFunctionId)];
    expect(role?.Properties).toBeDefined();
    expect(role?.Properties).not.toHaveProperty('ManagedPolicyArns');
  });

  it('allows exactly the actions the hot path needs', () => {
    const actions = [...new Set(statements.flatMap(actionsOf))].sort();
    expect(actions).toEqual([
      // Request traces only (see the usage table's statements below).
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
  });

  it('has no wildcard action and no wildcard resource outside X-Ray', () => {
    for (const statement of statements) {
      for (const action of actionsOf(statement)) expect(action).not.toContain('*');
      if (statement.Resource === '*') {
        expect(actionsOf(statement).every((action) => action.startsWith('xray:'))).toBe(true);
      }
    }
  });

  it('decrypts only with named keys: the table key through DynamoDB, provider keys by their context, never sealing', () => {
    const decrypts = statements.filter((statement) => actionsOf(statement).includes('kms:Decrypt'));
    expect(decrypts).toHaveLength(2);
    for (const statement of decrypts) {
      expect(keyIds).toContain(logicalIdOf(statement.Resource));
      if (logicalIdOf(statement.Resource) === tableKeyId) {
        expect(statement.Condition?.StringEquals?.['kms:ViaService']).toBe(
          `dynamodb.${ENVIRONMENTS.dev.region}.amazonaws.com`,
        );
      } else {
        expect(statement.Action).toBe('kms:Decrypt');
        expect(statement.Condition).toEqual({
          StringEquals: {
            'kms:EncryptionContext:purpose': [
              accountDataKeyContext('a').purpose,
              providerKeyContext('a', 'openai').purpose,
            ],
          },
          Null: { 'kms:EncryptionContext:account': 'false' },
        });
      }
    }
  });

  it('admits on the accounts table with UpdateItem, GetItem and Query, never creating or deleting', () => {
    const accountsTableId = dev.onlyLogicalId('AWS::DynamoDB::GlobalTable', {
      TableName: `metrion-dev-${TABLES.accounts.nameSuffix}`,
    });
    const onAccounts = dev.statementsOn(proxyFunctionId, accountsTableId);
    expect(onAccounts.flatMap(actionsOf).sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
  });

  it("puts usage records but cannot update, read or delete usage (rollups are the aggregator's)", () => {
    const usageTableId = dev.onlyLogicalId('AWS::DynamoDB::GlobalTable', {
      TableName: `metrion-dev-${TABLES.usage.nameSuffix}`,
    });
    const onUsage = dev.statementsOn(proxyFunctionId, usageTableId);
    const unconditioned = onUsage.filter((statement) => statement.Condition === undefined);
    expect(unconditioned.flatMap(actionsOf).sort()).toEqual(['dynamodb:PutItem']);
    // Its one delete: request traces, by their partition key.
    expect(onUsage.filter((statement) => statement.Condition !== undefined)).toEqual([
      expect.objectContaining({
        Action: 'dynamodb:DeleteItem',
        Condition: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TRACE#*'] },
        },
      }),
    ]);
  });

  it('reads and writes response cache entries but never deletes one (expiry is TTL)', () => {
    const onCache = dev.statementsOn(proxyFunctionId, dev.tableId('responseCache'));
    expect(onCache.flatMap(actionsOf).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
  });
});
