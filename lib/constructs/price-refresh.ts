import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Data } from './data.ts';
import { sendAsyncFailuresToQueue } from './failure-queue.ts';
import { MetrionFunction } from './metrion-function.ts';

export interface PriceRefreshProps {
  /** Where the price versions are stored. */
  readonly data: Data;
  /**
   * Functions that price requests with the current version (read only: GetItem).
   * @default - none
   */
  readonly readers?: readonly lambda.Function[];
  /** Retention of the function's log group. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Keep the log group when the stack is deleted.
   * @default false
   */
  readonly retainLogs?: boolean;
}

/**
 * The daily price refresh (`functions/lambda/price-refresh.ts`) and its EventBridge schedule:
 * fetches the maintained genai-prices data (`PRICES_URL` overrides where from), checks it and
 * stores it as a new price version, which the readers pick up within minutes without a deploy.
 * A run that still fails after Lambda's two retries lands in `deadLetterQueue`, which Monitoring
 * alarms on. Access: GetItem and PutItem on the prices table; readers get GetItem.
 */
export class PriceRefresh extends Construct {
  public readonly function: MetrionFunction;
  public readonly schedule: events.Rule;
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: PriceRefreshProps) {
    super(scope, id);
    this.function = new MetrionFunction(this, 'Function', {
      entry: 'functions/lambda/price-refresh.ts',
      description:
        'Metrion price refresh: stores the maintained genai-prices data as a new version',
      memorySize: 512,
      timeout: Duration.minutes(1),
      logRetention: props.logRetention,
      retainLogs: props.retainLogs,
    });
    props.data.grantPricesWrite(this.function);
    for (const reader of props.readers ?? []) props.data.grantPricesRead(reader);
    // The data host may be briefly unreachable: two retries, then a trace for the operator.
    this.deadLetterQueue = sendAsyncFailuresToQueue(
      this.function,
      'FailedRuns',
      'the price refresh',
      2,
    );
    // Once a day; a failed day keeps the version in use (EventBridge retries twice).
    this.schedule = new events.Rule(this, 'Daily', {
      description: 'Metrion: refresh the LLM price data once a day',
      schedule: events.Schedule.cron({ minute: '10', hour: '4' }),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 2 })],
    });
  }
}
