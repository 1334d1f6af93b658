import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { USAGE_RECORD_SORT_KEY_PREFIX } from '#adapters/dynamodb/table-definitions.ts';
import type { Data } from './data.ts';
import { failureQueue } from './failure-queue.ts';
import { MetrionFunction } from './metrion-function.ts';

export interface UsageAggregatorProps {
  /** The usage table: its stream in, rollups, dirty markers and error copies out. */
  readonly data: Data;
  readonly logRetention: logs.RetentionDays;
  /** @default false */
  readonly retainLogs?: boolean;
  /** Reserved concurrency: the proxy's streams can never starve the rollups. */
  readonly reservedConcurrency: number;
}

/** Records per invocation at most; a batch becomes about one ADD per rollup item it touches. */
export const AGGREGATOR_BATCH_SIZE = 500;
/** How long the event source gathers records: the Dashboard's live lag stays about a second. */
export const AGGREGATOR_BATCHING_WINDOW = Duration.seconds(1);
/** Retries of a failing batch (halved by bisection, resumed from the reported record). */
export const AGGREGATOR_RETRY_ATTEMPTS = 10;

/**
 * The usage aggregator (`functions/lambda/aggregate-usage.ts`) on the usage table's stream:
 * inserts of usage records only (the filter drops rollup, marker and error-copy writes and every
 * MODIFY/REMOVE, including TTL deletions, before Lambda is invoked), in batches, with partial
 * batch responses, bisection and bounded retries. A batch that still fails goes to the
 * on-failure queue (its shard and sequence range, not the records): the `UsageAggregatorDlq`
 * alarm in Monitoring watches it. Access: PutItem and UpdateItem on the usage table, its stream,
 * GetItem and UpdateItem on the accounts table (budget settles), and the table key through
 * DynamoDB only.
 */
export class UsageAggregator extends Construct {
  public readonly function: MetrionFunction;
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: UsageAggregatorProps) {
    super(scope, id);
    // A stream record lives 24 hours; the queue keeps the pointer to it long enough to act on.
    this.deadLetterQueue = failureQueue(this, 'FailedBatches', 'the usage aggregator');
    this.function = new MetrionFunction(this, 'Function', {
      entry: 'functions/lambda/aggregate-usage.ts',
      description: 'Metrion usage aggregator: folds new usage records into the live rollups',
      memorySize: 256,
      timeout: Duration.minutes(1),
      logRetention: props.logRetention,
      retainLogs: props.retainLogs,
      reservedConcurrentExecutions: props.reservedConcurrency,
    });
    props.data.grantUsageAggregate(this.function);
    props.data.grantBudgetSettle(this.function);
    this.function.addEventSource(
      new DynamoEventSource(props.data.usageStreamFor(this.function), {
        // From the oldest record kept: nothing written between the stream's start and the
        // mapping's is skipped.
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: AGGREGATOR_BATCH_SIZE,
        maxBatchingWindow: AGGREGATOR_BATCHING_WINDOW,
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: AGGREGATOR_RETRY_ATTEMPTS,
        onFailure: new SqsDlq(this.deadLetterQueue),
        filters: [
          lambda.FilterCriteria.filter({
            eventName: lambda.FilterRule.isEqual('INSERT'),
            dynamodb: {
              Keys: { sk: { S: lambda.FilterRule.beginsWith(USAGE_RECORD_SORT_KEY_PREFIX) } },
            },
          }),
        ],
      }),
    );
  }
}
