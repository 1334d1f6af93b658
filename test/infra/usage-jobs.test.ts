import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { TABLES } from '#adapters/dynamodb/table-definitions.ts';
import { SWEEP_EVENT } from '#core/rollups/seal-rollups.ts';
import { LAMBDA_ENV } from '#lambda/env.ts';
import { parseEnvironmentConfig } from '../../lib/config/environment-config.ts';
import { ENVIRONMENTS } from '../../lib/config/environments.ts';
import { buildStack, removeOutdirs } from './synth.ts';

afterAll(removeOutdirs);

const dev: Template = buildStack(parseEnvironmentConfig('dev', ENVIRONMENTS.dev)).template;

type Resource = { Type: string; Properties: Record<string, unknown> };
interface Statement {
  Action: string | string[];
  Resource: unknown;
}

function functionId(description: RegExp | string): string {
  const ids = Object.keys(
    dev.findResources('AWS::Lambda::Function', {
      Properties: { Description: Match.stringLikeRegexp(String(description)) },
    }),
  );
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}
const tableId = (suffix: string) => {
  const ids = Object.keys(
    dev.findResources('AWS::DynamoDB::GlobalTable', {
      Properties: { TableName: `metrion-dev-${suffix}` },
    }),
  );
  return ids[0] as string;
};
function fn(id: string) {
  return (dev.findResources('AWS::Lambda::Function')[id] as Resource).Properties as {
    Role: { 'Fn::GetAtt': [string, string] };
    Environment: { Variables: Record<string, unknown> };
    Timeout: number;
  };
}
function tableActions(id: string): Record<string, string[]> {
  const roleId = fn(id).Role['Fn::GetAtt'][0];
  const policies = dev.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: roleId }] },
  }) as Record<string, Resource>;
  const byTable: Record<string, string[]> = {};
  for (const policy of Object.values(policies)) {
    for (const statement of (policy.Properties.PolicyDocument as { Statement: Statement[] })
      .Statement) {
      // minimizePolicies (cdk.json) merges statements with equal actions into one resource list.
      for (const resource of [statement.Resource].flat()) {
        const target = (resource as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt']?.[0];
        if (target === undefined || !/Table[0-9A-F]+$/.test(target) || target.includes('TableKey'))
          continue;
        byTable[target] = [...(byTable[target] ?? []), ...[statement.Action].flat()].sort();
      }
    }
  }
  return byTable;
}
function rulesOf(id: string): Resource[] {
  const rules = Object.values(dev.findResources('AWS::Events::Rule') as Record<string, Resource>);
  return rules.filter((r) => JSON.stringify(r.Properties.Targets).includes(`"${id}"`));
}
function scheduleOf(id: string): string {
  return String(rulesOf(id)[0]?.Properties.ScheduleExpression);
}

describe('fx-rates job', () => {
  const id = functionId('^Metrion fx-rates');

  it('runs once a day after the ECB publishes', () => {
    expect(scheduleOf(id)).toBe('cron(30 16 * * ? *)');
  });

  it('may only put items into the fxRates table', () => {
    expect(tableActions(id)).toEqual({
      [tableId(TABLES.fxRates.nameSuffix)]: ['dynamodb:PutItem'],
    });
    expect(fn(id).Environment.Variables).toHaveProperty(LAMBDA_ENV.fxRatesTable);
    expect(fn(id).Environment.Variables).not.toHaveProperty(LAMBDA_ENV.accountsTable);
  });
});

describe('seal-rollups job', () => {
  const id = functionId('^Metrion seal job');

  it('runs every 5 minutes with a timeout below the interval, and sweeps once a day', () => {
    const schedules = rulesOf(id).map((rule) => ({
      expression: rule.Properties.ScheduleExpression,
      input: (rule.Properties.Targets as { Input?: string }[])[0]?.Input,
    }));
    expect(schedules).toEqual([
      { expression: 'rate(5 minutes)', input: undefined },
      { expression: 'cron(17 3 * * ? *)', input: JSON.stringify(SWEEP_EVENT) },
    ]);
    expect(fn(id).Timeout).toBeLessThan(300);
  });

  it('may query, put and delete in the usage table only (no UpdateItem, no accounts)', () => {
    expect(tableActions(id)).toEqual({
      [tableId(TABLES.usage.nameSuffix)]: [
        'dynamodb:DeleteItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
      ],
    });
  });
});

describe('dashboard API function', () => {
  it('reads the FX rates without any write', () => {
    const actions = tableActions(functionId('^Metrion dashboard API'));
    expect(actions[tableId(TABLES.fxRates.nameSuffix)]).toEqual(['dynamodb:Query']);
  });
});

describe('reprice job', () => {
  const id = functionId('^Metrion reprice job');
  const statements = (): Statement[] => {
    const roleId = fn(id).Role['Fn::GetAtt'][0];
    const policies = dev.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: roleId }] },
    }) as Record<string, Resource>;
    return Object.values(policies).flatMap(
      (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    );
  };

  it('is not scheduled: an operator invokes it, with the 15-minute maximum timeout', () => {
    expect(rulesOf(id)).toEqual([]);
    expect(fn(id).Timeout).toBe(900);
  });

  it('may scan, update, query, put and delete in the usage table only', () => {
    expect(tableActions(id)).toEqual({
      [tableId(TABLES.usage.nameSuffix)]: [
        'dynamodb:DeleteItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:Scan',
        'dynamodb:UpdateItem',
      ],
    });
    expect(fn(id).Environment.Variables).toHaveProperty(LAMBDA_ENV.usageTable);
    for (const other of ['accountsTable', 'fxRatesTable', 'providerKeysKmsKeyArn'] as const) {
      expect(fn(id).Environment.Variables).not.toHaveProperty(LAMBDA_ENV[other]);
    }
  });

  it('gets no KMS access beyond the table key through DynamoDB, and no secrets', () => {
    // Besides the table grants, every MetrionFunction has its log group and X-Ray tracing.
    const actions = statements().flatMap((statement) => [statement.Action].flat());
    const service = (action: string) => action.split(':')[0];
    expect(new Set(actions.map(service))).toEqual(new Set(['dynamodb', 'kms', 'logs', 'xray']));
    expect(actions.filter((action) => service(action) === 'kms').sort()).toEqual([
      'kms:Decrypt',
      'kms:DescribeKey',
    ]);
    const kms = statements().filter((statement) =>
      [statement.Action].flat().some((action) => action.startsWith('kms:')),
    );
    expect(kms).toHaveLength(1);
    expect(kms[0]).toMatchObject({
      Condition: { StringEquals: { 'kms:ViaService': expect.stringMatching(/^dynamodb\./) } },
    });
    expect(JSON.stringify(kms[0]?.Resource)).toMatch(/DataTableKey/);
  });

  it('outputs its function name for `aws lambda invoke`', () => {
    expect(dev.findOutputs('RepriceFunctionName')).toEqual({
      RepriceFunctionName: expect.objectContaining({ Value: { Ref: id } }),
    });
  });
});
