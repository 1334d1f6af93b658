import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Data } from './data.ts';
import { sendAsyncFailuresToQueue } from './failure-queue.ts';
import { MetrionFunction } from './metrion-function.ts';

export interface TraceSweeperProps {
  /** The usage table (request traces and the records they stand in for). */
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
 * The trace sweeper (`functions/lambda/sweep-traces.ts`) every 5 minutes: records, exactly once,
 * each request whose trace outlived the longest request (20 minutes) without its own record, as
 * `interrupted`. Lambda does not retry a failed run (the next run starts where it stopped): the
 * failed event goes to `deadLetterQueue`, which Monitoring alarms on. Access: Query,
 * BatchGetItem and PutItem on the usage table; nothing else.
 */
export class TraceSweeper extends Construct {
  public readonly function: MetrionFunction;
  public readonly schedule: events.Rule;
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: TraceSweeperProps) {
    super(scope, id);
    this.function = new MetrionFunction(this, 'Function', {
      entry: 'functions/lambda/sweep-traces.ts',
      description:
        'Metrion trace sweeper: records requests whose proxy stopped before their record',
      memorySize: 512,
      // Shorter than the 5-minute schedule, so runs never overlap for long.
      timeout: Duration.minutes(4),
      logRetention: props.logRetention,
      retainLogs: props.retainLogs,
    });
    props.data.grantTraceSweep(this.function);
    this.deadLetterQueue = sendAsyncFailuresToQueue(
      this.function,
      'FailedRuns',
      'the trace sweeper',
      0,
    );
    this.schedule = new events.Rule(this, 'Every5Minutes', {
      description: 'Metrion: record requests whose proxy stopped before writing their record',
      schedule: events.Schedule.rate(Duration.minutes(5)),
      // A failed run is retried by the next one, which starts where it stopped.
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });
  }
}
