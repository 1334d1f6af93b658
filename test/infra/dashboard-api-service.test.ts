import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { TABLES } from '#adapters/dynamodb/table-definitions.ts';
import { API_ROUTES } from '#contracts/api-routes.ts';
import { LAMBDA_ENV } from '#lambda/env.ts';
import { parseEnvironmentConfig } from '../../lib/config/environment-config.ts';
import { ENVIRONMENTS } from '../../lib/config/environments.ts';
import { buildStack, removeOutdirs } from './synth.ts';

afterAll(removeOutdirs);

const dev = buildStack(parseEnvironmentConfig('dev', ENVIRONMENTS.dev)).template;
const prod = buildStack(parseEnvironmentConfig('prod', ENVIRONMENTS.prod)).template;

type Resource = { Type: string; Properties: Record<string, unknown> } & Record<string, unknown>;
interface Statement {
  Action: string | string[];
  Resource: unknown;
}

function onlyLogicalId(template: Template, type: string, props: Record<string, unknown> = {}) {
  const ids = Object.keys(template.findResources(type, { Properties: props }));
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

const dashboardApiFunctionId = onlyLogicalId(dev, 'AWS::Lambda::Function', {
  Description: Match.stringLikeRegexp('^Metrion dashboard API'),
});
const userPoolId = onlyLogicalId(dev, 'AWS::Cognito::UserPool');
const clientId = onlyLogicalId(dev, 'AWS::Cognito::UserPoolClient');
const tableId = (suffix: string) =>
  onlyLogicalId(dev, 'AWS::DynamoDB::GlobalTable', { TableName: `metrion-dev-${suffix}` });

describe('the rename from "settings" to "dashboard API"', () => {
  // Logical ids synthesized before the rename: a changed id would make CloudFormation replace
  // the function, its role and its log group (losing the logs) on the next deploy.
  it.each([
    ['AWS::Lambda::Function', 'SettingsFunction532B466E'],
    ['AWS::IAM::Role', 'SettingsFunctionRole79CADA3A'],
    ['AWS::IAM::Policy', 'SettingsFunctionRoleDefaultPolicyB3A7C92E'],
    ['AWS::Logs::LogGroup', 'SettingsFunctionLogGroup914DB4FA'],
  ])('keeps the %s logical id %s', (type, logicalId) => {
    expect(dev.findResources(type)).toHaveProperty([logicalId]);
  });

  it('is the function those ids name', () => {
    expect(dashboardApiFunctionId).toBe('SettingsFunction532B466E');
  });
});

function functionProperties(id: string) {
  return (dev.findResources('AWS::Lambda::Function')[id] as Resource).Properties as {
    Role: { 'Fn::GetAtt': [string, string] };
    Environment: { Variables: Record<string, unknown> };
  };
}

function roleStatements(functionId: string): Statement[] {
  const roleId = functionProperties(functionId).Role['Fn::GetAtt'][0];
  const policies = dev.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: roleId }] },
  }) as Record<string, Resource>;
  return Object.values(policies).flatMap(
    (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
}

const actionsOf = (statement: Statement): string[] => [statement.Action].flat();
/** The logical ids a statement's `Fn::GetAtt` resources name (minimizePolicies may merge several). */
const targetsOf = (resource: unknown): Array<string | undefined> =>
  [resource].flat().map((r) => (r as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt']?.[0]);

/** `logicalId -> /api/...` for every API Gateway resource, following ParentId. */
function resourcePaths(template: Template): Map<string, string> {
  const resources = template.findResources('AWS::ApiGateway::Resource') as Record<string, Resource>;
  const paths = new Map<string, string>();
  const pathOf = (id: string): string => {
    const known = paths.get(id);
    if (known) return known;
    const { ParentId, PathPart } = (resources[id] as Resource).Properties as {
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

function methodsAt(path: string, httpMethod: string): Record<string, unknown>[] {
  const paths = resourcePaths(dev);
  const methods = dev.findResources('AWS::ApiGateway::Method', {
    Properties: { HttpMethod: httpMethod },
  }) as Record<string, Resource>;
  return Object.values(methods)
    .filter((method) => paths.get((method.Properties.ResourceId as { Ref: string }).Ref) === path)
    .map((method) => method.Properties);
}

describe('Auth (Cognito user pool)', () => {
  it('signs in with email and password, lets users sign up, and verifies the email by code', () => {
    dev.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolName: 'metrion-dev',
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
      UsernameConfiguration: { CaseSensitive: false },
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
    });
  });

  it('requires strong passwords and enforces threat protection (Plus plan)', () => {
    dev.hasResourceProperties('AWS::Cognito::UserPool', {
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
  });

  it.each([
    ['dev', dev, 'Delete', 'INACTIVE'],
    ['prod', prod, 'Retain', 'ACTIVE'],
  ] as const)(
    '%s: the pool is stateful: %s on removal, deletion protection %s',
    (_, template, policy, protection) => {
      template.allResources('AWS::Cognito::UserPool', {
        DeletionPolicy: policy,
        UpdateReplacePolicy: policy,
      });
      template.hasResourceProperties('AWS::Cognito::UserPool', { DeletionProtection: protection });
    },
  );

  it('gives the browser a client with USER_PASSWORD_AUTH and SRP, no secret, no OAuth', () => {
    dev.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      UserPoolId: { Ref: userPoolId },
      ExplicitAuthFlows: Match.arrayWith([
        'ALLOW_USER_PASSWORD_AUTH',
        'ALLOW_USER_SRP_AUTH',
        'ALLOW_REFRESH_TOKEN_AUTH',
      ]),
      GenerateSecret: false,
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      AllowedOAuthFlows: Match.absent(),
    });
  });
});

describe('Dashboard API function', () => {
  it('runs Node 24 on arm64 with a short timeout', () => {
    dev.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Metrion dashboard API'),
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 10,
    });
  });

  it('gets the pool, client, tables, key and pepper from its grants, nothing of the proxy', () => {
    const variables = functionProperties(dashboardApiFunctionId).Environment.Variables;
    expect(variables[LAMBDA_ENV.cognitoUserPoolId]).toEqual({ Ref: userPoolId });
    expect(variables[LAMBDA_ENV.cognitoClientId]).toEqual({ Ref: clientId });
    expect(Object.keys(variables)).toEqual(
      expect.arrayContaining([
        LAMBDA_ENV.accountsTable,
        LAMBDA_ENV.usageTable,
        LAMBDA_ENV.providerKeysKmsKeyArn,
        LAMBDA_ENV.metrionKeyPepperSecretArn,
      ]),
    );
    for (const proxyOnly of [LAMBDA_ENV.responseCacheTable, LAMBDA_ENV.upstreamOrigins]) {
      expect(variables).not.toHaveProperty(proxyOnly);
    }
  });
});

describe('Dashboard API role (least privilege)', () => {
  const statements = roleStatements(dashboardApiFunctionId);
  const providerKeysKeyId = onlyLogicalId(dev, 'AWS::KMS::Key', {
    Description: Match.stringLikeRegexp('provider keys'),
  });

  it('allows exactly what the dashboard API needs', () => {
    expect([...new Set(statements.flatMap(actionsOf))].sort()).toEqual([
      'dynamodb:BatchGetItem',
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
      // Test emails of alert rules, scoped to the alerts identity (test/infra/alerts.test.ts).
      'ses:SendEmail',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('can create and open sealed keys with the provider-keys KMS key', () => {
    const onKey = statements.filter((statement) =>
      targetsOf(statement.Resource).includes(providerKeysKeyId),
    );
    expect(onKey.flatMap(actionsOf).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
  });

  it('reads usage but cannot write it, and never touches the response cache', () => {
    const on = (suffix: string) =>
      statements
        .filter((statement) => targetsOf(statement.Resource).includes(tableId(suffix)))
        .flatMap(actionsOf);
    expect(on(TABLES.usage.nameSuffix)).toEqual(['dynamodb:Query']);
    expect(on(TABLES.responseCache.nameSuffix)).toEqual([]);
    const mentioned = JSON.stringify(statements);
    expect(mentioned).not.toContain(tableId(TABLES.responseCache.nameSuffix));
  });

  it('has no Cognito permission: tokens are verified with the public JWKS', () => {
    expect(statements.flatMap(actionsOf).some((action) => action.startsWith('cognito'))).toBe(
      false,
    );
  });
});

describe('Dashboard API routes', () => {
  it.each(Object.entries(API_ROUTES).map(([name, route]) => [name, route.method, route.path]))(
    '%s: %s %s reaches the dashboard API function (buffered, no gateway authorizer)',
    (_, method, path) => {
      const [found, ...others] = methodsAt(path, method);
      expect(others).toEqual([]);
      expect(found).toMatchObject({
        AuthorizationType: 'NONE',
        Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' },
      });
      const integration = found?.Integration as { ResponseTransferMode?: string; Uri: unknown };
      expect(integration.ResponseTransferMode ?? 'BUFFERED').toBe('BUFFERED');
      expect(JSON.stringify(integration.Uri)).toContain(dashboardApiFunctionId);
      expect(JSON.stringify(integration.Uri)).not.toContain('response-streaming-invocations');
    },
  );

  it('sends any other method on a dashboard path to the function (its JSON 405)', () => {
    for (const path of new Set(Object.values(API_ROUTES).map((route) => route.path))) {
      const [any] = methodsAt(path, 'ANY');
      expect(JSON.stringify(any?.Integration)).toContain(dashboardApiFunctionId);
    }
  });

  it('grants API Gateway one API-wide permission to invoke the dashboard API function', () => {
    dev.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [dashboardApiFunctionId, 'Arn'] },
      Principal: 'apigateway.amazonaws.com',
    });
  });
});
