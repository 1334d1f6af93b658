import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { TABLES, USAGE_RECORD_SORT_KEY_PREFIX } from '#adapters/dynamodb/table-definitions.ts';
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
        const [target, attribute] =
          (resource as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'] ?? [];
        // The table itself (`Arn`), not its stream (`StreamArn`, see streamActions).
        if (
          target === undefined ||
          attribute !== 'Arn' ||
          !/Table[0-9A-F]+$/.test(target) ||
          target.includes('TableKey')
        )
          continue;
        byTable[target] = [...(byTable[target] ?? []), ...[statement.Action].flat()].sort();
      }
    }
  }
  return byTable;
}
function statementsOf(id: string): (Statement & { Condition?: unknown })[] {
  const roleId = fn(id).Role['Fn::GetAtt'][0];
  const policies = dev.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: roleId }] },
  }) as Record<string, Resource>;
  return Object.values(policies).flatMap(
    (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
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

describe('usage aggregator', () => {
  const id = functionId('^Metrion usage aggregator');
  const usageTable = tableId(TABLES.usage.nameSuffix);
  /** The function's one event source mapping. */
  const mapping = (): Resource => {
    const found = Object.values(
      dev.findResources('AWS::Lambda::EventSourceMapping', {
        Properties: { FunctionName: { Ref: id } },
      }) as Record<string, Resource>,
    );
    expect(found).toHaveLength(1);
    return found[0] as Resource;
  };
  /** The logical id of the mapping's on-failure queue. */
  const dlqId = (): string =>
    (
      mapping().Properties.DestinationConfig as {
        OnFailure: { Destination: { 'Fn::GetAtt': [string] } };
      }
    ).OnFailure.Destination['Fn::GetAtt'][0];

  it('keeps the usage table (same logical id) and turns on its stream of new images', () => {
    // Enabling a stream is an in-place update; a new logical id would replace the table.
    expect(usageTable).toBe('DataUsageTable202A59A5');
    dev.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'metrion-dev-usage',
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
    });
    for (const other of ['accounts', 'response-cache', 'fx-rates']) {
      dev.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        TableName: `metrion-dev-${other}`,
        StreamSpecification: Match.absent(),
      });
    }
  });

  it('reads the usage stream: usage-record inserts only, in batches, with partial failures, bisection, bounded retries and a DLQ', () => {
    const queues = Object.keys(dev.findResources('AWS::SQS::Queue'));
    expect(mapping().Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [usageTable, 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 500,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } },
      },
    });
    expect(queues).toContain(dlqId());
    const filters = (mapping().Properties.FilterCriteria as { Filters: { Pattern: string }[] })
      .Filters;
    expect(filters.map((filter) => JSON.parse(filter.Pattern))).toEqual([
      {
        eventName: ['INSERT'],
        dynamodb: { Keys: { sk: { S: [{ prefix: USAGE_RECORD_SORT_KEY_PREFIX }] } } },
      },
    ]);
    expect(fn(id).Timeout).toBeLessThanOrEqual(60);
  });

  it('may put and update items of the usage table, read its stream, settle budgets on the accounts table, and nothing else', () => {
    expect(tableActions(id)).toEqual({
      [usageTable]: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
      [tableId(TABLES.accounts.nameSuffix)]: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    });
    const onStream = statementsOf(id).filter((statement) =>
      JSON.stringify(statement.Resource).includes('StreamArn'),
    );
    expect(onStream.flatMap((statement) => [statement.Action].flat()).sort()).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
    ]);
    for (const statement of onStream) {
      expect([statement.Resource].flat()).toEqual([{ 'Fn::GetAtt': [usageTable, 'StreamArn'] }]);
    }
    const actions = statementsOf(id).flatMap((statement) => [statement.Action].flat());
    expect(actions.filter((action) => action.startsWith('dynamodb:')).sort()).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetItem',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:UpdateItem',
    ]);
    expect(actions.some((action) => action.includes('*'))).toBe(false);
    expect(fn(id).Environment.Variables).toHaveProperty(LAMBDA_ENV.usageTable);
    expect(fn(id).Environment.Variables).toHaveProperty(LAMBDA_ENV.accountsTable);
  });

  it('alarms to the topic when a batch lands in the DLQ, and when the stream lags', () => {
    const queue = dlqId();
    const topics = Object.keys(dev.findResources('AWS::SNS::Topic'));
    dev.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      Threshold: 1,
      AlarmActions: [{ Ref: Match.anyValue() }],
    });
    dev.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: id } }],
      Threshold: 300_000,
    });
    const alarms = Object.values(
      dev.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>,
    ).filter((alarm) => JSON.stringify(alarm.Properties.Dimensions).includes(queue));
    expect(alarms).toHaveLength(1);
    expect(topics).toContain(
      (alarms[0]?.Properties.AlarmActions as { Ref: string }[] | undefined)?.[0]?.Ref,
    );
  });
});
