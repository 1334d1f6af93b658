import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Data } from './data.ts';
import { sendAsyncFailuresToQueue } from './failure-queue.ts';
import { MetrionFunction } from './metrion-function.ts';

export interface FxRatesProps {
  /** Where the rates are stored (write only). */
  readonly data: Data;
  /** Retention of the function's log group. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Keep the log group when the stack is deleted.
   * @default false
   */
  readonly retainLogs?: boolean;
}

/**
 * The daily `fx-rates` Lambda (`functions/lambda/fx-rates.ts`) and its EventBridge schedule:
 * fetches the ECB euro reference rates (published around 16:00 CET) and stores them. A run
 * that still fails after Lambda's two retries (1 and 2 minutes later) lands in
 * `deadLetterQueue`, which Monitoring alarms on. Access: PutItem on the fxRates table, nothing
 * else.
 */
export class FxRates extends Construct {
  public readonly function: MetrionFunction;
  public readonly schedule: events.Rule;
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: FxRatesProps) {
    super(scope, id);
    this.function = new MetrionFunction(this, 'Function', {
      entry: 'functions/lambda/fx-rates.ts',
      description: 'Metrion fx-rates: stores the daily ECB euro reference rates (USD, CHF)',
      memorySize: 256,
      timeout: Duration.seconds(30),
      logRetention: props.logRetention,
      retainLogs: props.retainLogs,
    });
    props.data.grantFxRatesWrite(this.function);
    // The ECB may be briefly unreachable: two retries, then a trace for the operator.
    this.deadLetterQueue = sendAsyncFailuresToQueue(
      this.function,
      'FailedRuns',
      'the fx-rates job',
      2,
    );
    // After the ECB's ~16:00 CET publication; a failed day keeps the previous rates in use.
    this.schedule = new events.Rule(this, 'Daily', {
      description: 'Metrion: fetch the ECB euro reference rates once a day',
      schedule: events.Schedule.cron({ minute: '30', hour: '16' }),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 2 })],
    });
  }
}
