import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { USAGE_RECORD_SORT_KEY_PREFIX } from '#adapters/dynamodb/table-definitions.ts';
import { SWEEP_EVENT } from '#core/rollups/seal-rollups.ts';
import { LONGEST_REQUEST_MS } from '#core/traces/trace-lifetime.ts';
import { LAMBDA_ENV } from '#lambda/env.ts';
import { ENVIRONMENTS } from '../../lib/config/environments.ts';
import { removeOutdirs } from './synth.ts';
import { actionsOf, logicalIdOf, mainTemplate, type Resource } from './template.ts';

afterAll(removeOutdirs);

const dev = mainTemplate('dev');

function fn(id: string) {
  return dev.properties('AWS::Lambda::Function', id) as {
    Environment: { Variables: Record<string, unknown> };
    Timeout: number;
    ReservedConcurrentExecutions?: number;
  };
}
/** Actions on each table itself (`Arn`; not its stream, index or key), by table logical id. */
function tableActions(id: string): Record<string, string[]> {
  const tables = new Set(Object.keys(dev.resources('AWS::DynamoDB::GlobalTable')));
  const byTable: Record<string, string[]> = {};
  for (const statement of dev.roleStatements(id)) {
    // minimizePolicies (cdk.json) merges statements with equal actions into one resource list.
    for (const resource of [statement.Resource].flat()) {
      const [target, attribute] =
        (resource as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'] ?? [];
      if (target === undefined || attribute !== 'Arn' || !tables.has(target)) continue;
      byTable[target] = [...(byTable[target] ?? []), ...actionsOf(statement)].sort();
    }
  }
  return byTable;
}
const statementsOf = (id: string) => dev.roleStatements(id);
function rulesOf(id: string): Resource[] {
  return Object.values(dev.resources('AWS::Events::Rule')).filter((r) =>
    JSON.stringify(r.Properties.Targets).includes(`"${id}"`),
  );
}
/** A scheduled job's async invocation config: retries, and the queue failures go to. */
function asyncFailures(id: string) {
  const [config, ...others] = Object.values(
    dev.resources('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: id } }),
  );
  expect(others).toEqual([]);
  const properties = config?.Properties as {
    MaximumRetryAttempts: number;
    DestinationConfig: { OnFailure: { Destination: unknown } };
  };
  return {
    retries: properties.MaximumRetryAttempts,
    queue: logicalIdOf(properties.DestinationConfig.OnFailure.Destination),
  };
}
function scheduleOf(id: string): string {
  return String(rulesOf(id)[0]?.Properties.ScheduleExpression);
}

describe('fx-rates job', () => {
  const id = dev.functionId('Metrion fx-rates');

  it('runs once a day after the ECB publishes', () => {
    expect(scheduleOf(id)).toBe('cron(30 16 * * ? *)');
  });

  it('may only put items into the fxRates table', () => {
    expect(tableActions(id)).toEqual({
      [dev.tableId('fxRates')]: ['dynamodb:PutItem'],
    });
    expect(fn(id).Environment.Variables).toHaveProperty(LAMBDA_ENV.fxRatesTable);
    expect(fn(id).Environment.Variables).not.toHaveProperty(LAMBDA_ENV.accountsTable);
  });

  it('retries a failed run twice, then parks it in a queue that alarms', () => {
    const { retries, queue } = asyncFailures(id);
    expect(retries).toBe(2);
    expect(JSON.stringify(dev.alarm('FxRatesDlq').Dimensions)).toContain(queue);
  });
});

describe('seal-rollups job', () => {
  const id = dev.functionId('Metrion seal job');

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
      [dev.tableId('usage')]: ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Query'],
    });
  });

  it('never retries a failed run (the next run would overlap it) and parks it in a queue that alarms', () => {
    const { retries, queue } = asyncFailures(id);
    expect(retries).toBe(0);
    expect(JSON.stringify(dev.alarm('SealJobDlq').Dimensions)).toContain(queue);
  });
});

describe('trace sweeper', () => {
  const id = dev.functionId('Metrion trace sweeper');

  it('runs every 5 minutes with a timeout below the interval', () => {
    expect(rulesOf(id).map((rule) => rule.Properties.ScheduleExpression)).toEqual([
      'rate(5 minutes)',
    ]);
    expect(fn(id).Timeout).toBeLessThan(300);
  });

  it('may query, batch-read and put in the usage table only (no update, no delete)', () => {
    expect(tableActions(id)).toEqual({
      [dev.tableId('usage')]: ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
    });
    expect(fn(id).Environment.Variables).toHaveProperty(LAMBDA_ENV.usageTable);
    expect(fn(id).Environment.Variables).not.toHaveProperty(LAMBDA_ENV.accountsTable);
  });

  it('never retries a failed run (the next run starts where it stopped) and parks it in a queue that alarms', () => {
    const { retries, queue } = asyncFailures(id);
    expect(retries).toBe(0);
    expect(JSON.stringify(dev.alarm('TraceSweeperDlq').Dimensions)).toContain(queue);
  });

  it('waits for the proxy: its function times out at the longest request a trace waits for', () => {
    expect(fn(dev.functionId('Metrion proxy')).Timeout).toBe(LONGEST_REQUEST_MS / 1000);
  });
});

describe('dashboard API function', () => {
  it('reads the FX rates without any write', () => {
    const actions = tableActions(dev.functionId('Metrion dashboard API'));
    expect(actions[dev.tableId('fxRates')]).toEqual(['dynamodb:Query']);
  });
});

describe('reprice job', () => {
  const id = dev.functionId('Metrion reprice job');
  const statements = () => dev.roleStatements(id);

  it('is not scheduled: an operator invokes it, with the 15-minute maximum timeout', () => {
    expect(rulesOf(id)).toEqual([]);
    expect(fn(id).Timeout).toBe(900);
  });

  // The same grants serve its reseal events: a Scan for the records, markers and the seal.
  it('may scan, update, query, put and delete in the usage table, and read the prices', () => {
    expect(tableActions(id)).toEqual({
      [dev.tableId('usage')]: [
        'dynamodb:DeleteItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:Scan',
        'dynamodb:UpdateItem',
      ],
      [dev.tableId('prices')]: ['dynamodb:GetItem'],
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
    expect(dev.template.findOutputs('RepriceFunctionName')).toEqual({
      RepriceFunctionName: expect.objectContaining({ Value: { Ref: id } }),
    });
  });
});

describe('price refresh job', () => {
  const id = dev.functionId('Metrion price refresh');
  const prices = dev.tableId('prices');

  it('runs once a day', () => {
    expect(scheduleOf(id)).toBe('cron(10 4 * * ? *)');
  });

  it('may get and put items of the prices table only', () => {
    expect(tableActions(id)).toEqual({ [prices]: ['dynamodb:GetItem', 'dynamodb:PutItem'] });
    expect(fn(id).Environment.Variables).toHaveProperty(LAMBDA_ENV.pricesTable);
    expect(fn(id).Environment.Variables).not.toHaveProperty(LAMBDA_ENV.usageTable);
  });

  it('lets the proxy read the current price version, and nothing more of the table', () => {
    const proxy = dev.functionId('Metrion proxy');
    expect(tableActions(proxy)[prices]).toEqual(['dynamodb:GetItem']);
    expect(fn(proxy).Environment.Variables).toHaveProperty(LAMBDA_ENV.pricesTable);
  });
});

describe('usage aggregator', () => {
  const id = dev.functionId('Metrion usage aggregator');
  const usageTable = dev.tableId('usage');
  /** The function's one event source mapping. */
  const mapping = (): Resource => {
    const found = Object.values(
      dev.resources('AWS::Lambda::EventSourceMapping', { FunctionName: { Ref: id } }),
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
    dev.template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'metrion-dev-usage',
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
    });
    for (const other of ['accounts', 'response-cache', 'fx-rates']) {
      dev.template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        TableName: `metrion-dev-${other}`,
        StreamSpecification: Match.absent(),
      });
    }
  });

  it('reads the usage stream: usage-record inserts only, in batches, with partial failures, bisection, bounded retries and a DLQ', () => {
    const queues = Object.keys(dev.resources('AWS::SQS::Queue'));
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
    expect(fn(id).ReservedConcurrentExecutions).toBe(
      ENVIRONMENTS.dev.capacity.usageAggregatorConcurrency,
    );
  });

  it('may put and update items of the usage table, read its stream, settle budgets on the accounts table, and nothing else', () => {
    expect(tableActions(id)).toEqual({
      [usageTable]: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
      [dev.tableId('accounts')]: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
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

  it('decrypts stream records with the table key only through DynamoDB', () => {
    const kms = statementsOf(id).filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('kms:')),
    );
    expect(kms).toHaveLength(1);
    expect(kms[0]?.Condition).toEqual({
      StringEquals: { 'kms:ViaService': `dynamodb.${ENVIRONMENTS.dev.region}.amazonaws.com` },
    });
  });

  it('alarms to the topic when a batch lands in the DLQ, and when the stream lags', () => {
    const topics = Object.keys(dev.resources('AWS::SNS::Topic'));
    const dlq = dev.alarm('UsageAggregatorDlq');
    expect(dlq).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId(), 'QueueName'] } }],
      Threshold: 1,
    });
    expect(topics).toContain(logicalIdOf((dlq.AlarmActions as unknown[])[0]));
    expect(dev.alarm('UsageAggregatorLag')).toMatchObject({
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: id } }],
      Threshold: 300_000,
    });
  });
});

describe('secret migrator', () => {
  const id = dev.functionId('Metrion secret migrator');

  it('is not scheduled: an operator invokes it, with the 15-minute maximum timeout', () => {
    expect(rulesOf(id)).toEqual([]);
    expect(fn(id).Timeout).toBe(900);
  });

  it('may scan, read, put and update in the accounts table only, never delete', () => {
    expect(tableActions(id)).toEqual({
      [dev.tableId('accounts')]: [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:Scan',
        'dynamodb:UpdateItem',
      ],
    });
  });

  it('wraps and unwraps data keys with the provider-key KMS key, and reads no pepper', () => {
    const actions = statementsOf(id).flatMap((statement) => [statement.Action].flat());
    // Table key through DynamoDB; account data keys; version-1 secrets' own keys.
    expect(actions.filter((action) => action.startsWith('kms:')).sort()).toEqual([
      'kms:Decrypt',
      'kms:Decrypt',
      'kms:Decrypt',
      'kms:DescribeKey',
      'kms:GenerateDataKey',
    ]);
    expect(actions.some((action) => action.startsWith('secretsmanager:'))).toBe(false);
    expect(fn(id).Environment.Variables).toHaveProperty(LAMBDA_ENV.providerKeysKmsKeyArn);
    expect(fn(id).Environment.Variables).not.toHaveProperty(LAMBDA_ENV.metrionKeyPepperSecretArn);
  });

  it('outputs its function name for `aws lambda invoke`', () => {
    expect(dev.template.findOutputs('MigrateSecretsFunctionName')).toEqual({
      MigrateSecretsFunctionName: expect.objectContaining({ Value: { Ref: id } }),
    });
  });
});
