import { afterAll, describe, expect, it } from 'vitest';
import { LOGS_EXPORT_ROUTE } from '#contracts/logs-api.ts';
import { LAMBDA_ENV } from '#lambda/env.ts';
import { removeOutdirs } from './synth.ts';
import { actionsOf, mainTemplate } from './template.ts';

afterAll(removeOutdirs);

const dev = mainTemplate('dev');
const exportFunctionId = dev.functionId('Metrion Logs CSV export');
const dashboardApiFunctionId = dev.functionId('Metrion dashboard API');
const usageTableId = dev.tableId('usage');
const statements = () => dev.roleStatements(exportFunctionId);

describe('Logs export function', () => {
  it('runs Node 24 on arm64 with the 15-minute streaming timeout', () => {
    expect(dev.properties('AWS::Lambda::Function', exportFunctionId)).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 900,
    });
  });

  it('gets the usage, accounts and FX tables and the user pool, nothing else', () => {
    const variables = dev.environmentOf(exportFunctionId);
    expect(Object.keys(variables).sort()).toEqual(
      [
        'NODE_OPTIONS',
        LAMBDA_ENV.metricsNamespace,
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
    // Exports query windows by account; the request-id index is the Logs detail's alone.
    expect(resources).not.toContain('/index/');
    expect(dev.statementsOn(exportFunctionId, dev.tableId('accounts')).flatMap(actionsOf)).toEqual([
      'dynamodb:GetItem',
    ]);
    expect(JSON.stringify(statements())).not.toContain(dev.tableId('responseCache'));
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
      const [found, ...others] = dev.methodsAt(LOGS_EXPORT_ROUTE.path, method);
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

  it('leaves the detail route beside it on the settings function', () => {
    const [detail] = dev.methodsAt('/api/logs/{requestId}', 'GET');
    expect(JSON.stringify(detail?.Integration)).toContain(dashboardApiFunctionId);
  });
});
