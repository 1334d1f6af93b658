import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SWEEP_EVENT } from '#core/rollups/seal-rollups.ts';
import type { Data } from './data.ts';
import { sendAsyncFailuresToQueue } from './failure-queue.ts';
import { MetrionFunction } from './metrion-function.ts';

export interface RollupSealerProps {
  /** The usage table (raw records, rollups, dirty markers). */
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
 * The seal job (`functions/lambda/seal-rollups.ts`) every 5 minutes: recomputes each closed,
 * dirty hour of the last 48 hours from its raw records and overwrites its rollups (exact), then
 * the day; once a day it sweeps every hour a dirty marker can exist for (30 days). Lambda does
 * not retry a failed run (the next run, 5 minutes later, is the retry; retries would overlap
 * it): the failed event goes to `deadLetterQueue`, which Monitoring alarms on. Access: Query,
 * PutItem and DeleteItem on the usage table; no UpdateItem, no other table.
 */
export class RollupSealer extends Construct {
  public readonly function: MetrionFunction;
  public readonly schedule: events.Rule;
  public readonly sweepSchedule: events.Rule;
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: RollupSealerProps) {
    super(scope, id);
    this.function = new MetrionFunction(this, 'Function', {
      entry: 'functions/lambda/seal-rollups.ts',
      description: 'Metrion seal job: recomputes closed hours of usage rollups from raw records',
      memorySize: 512,
      // Shorter than the 5-minute schedule, so runs never overlap for long.
      timeout: Duration.minutes(4),
      logRetention: props.logRetention,
      retainLogs: props.retainLogs,
    });
    props.data.grantUsageSeal(this.function);
    this.deadLetterQueue = sendAsyncFailuresToQueue(this.function, 'FailedRuns', 'the seal job', 0);
    this.schedule = new events.Rule(this, 'Every5Minutes', {
      description: 'Metrion: seal closed hours of usage rollups',
      schedule: events.Schedule.rate(Duration.minutes(5)),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });
    this.sweepSchedule = new events.Rule(this, 'DailySweep', {
      description: 'Metrion: seal every dirty hour of the last 30 days (catch-up after outages)',
      schedule: events.Schedule.cron({ minute: '17', hour: '3' }),
      targets: [
        new targets.LambdaFunction(this.function, {
          retryAttempts: 2,
          event: events.RuleTargetInput.fromObject(SWEEP_EVENT),
        }),
      ],
    });
  }
}
