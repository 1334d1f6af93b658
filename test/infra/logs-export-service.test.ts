import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { TABLES, USAGE_BY_REQUEST_ID_INDEX } from '#adapters/dynamodb/table-definitions.ts';
import { LOGS_EXPORT_ROUTE } from '#contracts/logs-api.ts';
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

const exportFunctionId = onlyLogicalId('AWS::Lambda::Function', {
  Description: Match.stringLikeRegexp('^Metrion Logs CSV export'),
});
const dashboardApiFunctionId = onlyLogicalId('AWS::Lambda::Function', {
  Description: Match.stringLikeRegexp('^Metrion dashboard API'),
});
const usageTableId = onlyLogicalId('AWS::DynamoDB::GlobalTable', {
  TableName: `metrion-dev-${TABLES.usage.nameSuffix}`,
});
const exportFunction = dev.findResources('AWS::Lambda::Function')[exportFunctionId] as Resource;

function statements(): Statement[] {
  const roleId = (exportFunction.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
  const policies = dev.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: roleId }] },
  }) as Record<string, Resource>;
  return Object.values(policies).flatMap(
    (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
}

const actionsOf = (statement: Statement): string[] => [statement.Action].flat();

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

describe('Logs export function', () => {
  it('runs Node 24 on arm64 with the 15-minute streaming timeout', () => {
    expect(exportFunction.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 900,
    });
  });

  it('gets the usage, accounts and FX tables and the user pool, nothing else', () => {
    const variables = (exportFunction.Properties.Environment as { Variables: object }).Variables;
    expect(Object.keys(variables).sort()).toEqual(
      [
        'NODE_OPTIONS',
        LAMBDA_ENV.usageTable,
        LAMBDA_ENV.accountsTable,
        LAMBDA_ENV.fxRatesTable,
        LAMBDA_ENV.cognitoUserPoolId,
        LAMBDA_ENV.cognitoClientId,
      ].sort(),
    );
  });
});

describe('Logs export role (least privilege)', () => {
  it('may only Query usage and FX rates, get an account item, decrypt via DynamoDB, log and trace', () => {
    expect([...new Set(statements().flatMap(actionsOf))].sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:Query',
      'kms:Decrypt',
      'kms:DescribeKey',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    const dynamo = statements().filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('dynamodb:')),
    );
    const resources = JSON.stringify(dynamo.map((statement) => statement.Resource));
    expect(resources).toContain(usageTableId);
    expect(resources).toContain(`/index/${USAGE_BY_REQUEST_ID_INDEX}`);
    const accountsId = onlyLogicalId('AWS::DynamoDB::GlobalTable', {
      TableName: 'metrion-dev-accounts',
    });
    const onAccounts = dynamo.filter((statement) =>
      JSON.stringify(statement.Resource).includes(accountsId),
    );
    expect(onAccounts.flatMap(actionsOf)).toEqual(['dynamodb:GetItem']);
    const responseCacheId = onlyLogicalId('AWS::DynamoDB::GlobalTable', {
      TableName: 'metrion-dev-response-cache',
    });
    expect(JSON.stringify(statements())).not.toContain(responseCacheId);
  });

  it('has no secrets, KMS data keys or Cognito permission', () => {
    const actions = statements().flatMap(actionsOf);
    expect(actions).not.toContain('secretsmanager:GetSecretValue');
    expect(actions).not.toContain('kms:GenerateDataKey');
    expect(actions.some((action) => action.startsWith('cognito'))).toBe(false);
  });
});

describe('Logs export route', () => {
  it.each([LOGS_EXPORT_ROUTE.method, 'ANY'])(
    '%s /api/logs/export.csv streams from the export function',
    (method) => {
      const [found, ...others] = methodsAt(LOGS_EXPORT_ROUTE.path, method);
      expect(others).toEqual([]);
      expect(found).toMatchObject({
        AuthorizationType: 'NONE',
        Integration: {
          Type: 'AWS_PROXY',
          ResponseTransferMode: 'STREAM',
          TimeoutInMillis: 900_000,
        },
      });
      const uri = JSON.stringify((found?.Integration as { Uri?: unknown } | undefined)?.Uri);
      expect(uri).toContain('response-streaming-invocations');
      expect(uri).toContain(exportFunctionId);
    },
  );

  it('leaves the detail route beside it on the dashboard API function', () => {
    const [detail] = methodsAt('/api/logs/{requestId}', 'GET');
    expect(JSON.stringify(detail?.Integration)).toContain(dashboardApiFunctionId);
  });
});
