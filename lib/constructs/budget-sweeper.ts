import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { Alerts } from './alerts.ts';
import type { Data } from './data.ts';
import type { EmailSending } from './email-sending.ts';
import { failureQueue } from './failure-queue.ts';
import { MetrionFunction } from './metrion-function.ts';

export interface BudgetSweeperProps {
  /** The accounts table (budgets, lookup items' ledgers) and the FX rates. */
  readonly data: Data;
  /** Where emails come from: budget emails go out like alert emails. */
  readonly email: EmailSending;
  /** The Dashboard's base URL, for links in emails. */
  readonly dashboardUrl: string;
  readonly logRetention: logs.RetentionDays;
  /** @default false */
  readonly retainLogs?: boolean;
}

/**
 * The budget sweep (`functions/lambda/budget-sweep.ts`) every 5 minutes over the active budgets
 * (the accounts table's sparse index of active items, partition `BUDGET`): releases reservations
 * of requests that never settled, prunes old ledger periods, converts EUR and CHF limits with a
 * newer reference rate, and emails the 90% and 100% levels through SES. A failed run goes to a
 * DLQ (on-failure destination); Monitoring alarms on the DLQ and on the function's errors.
 */
export class BudgetSweeper extends Construct {
  public readonly function: MetrionFunction;
  public readonly schedule: events.Rule;
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: BudgetSweeperProps) {
    super(scope, id);
    this.deadLetterQueue = failureQueue(this, 'SweepDlq', 'the budget sweep');
    this.function = new MetrionFunction(this, 'Function', {
      entry: 'functions/lambda/budget-sweep.ts',
      description: 'Metrion budget sweep: lost reservations, old periods, FX, 90%/100% emails',
      memorySize: 256,
      // Under the 5-minute schedule, so runs never overlap for long.
      timeout: Duration.minutes(4),
      logRetention: props.logRetention,
      retainLogs: props.retainLogs,
    });
    // The next run is the retry; claims make a repeat harmless.
    this.function.configureAsyncInvoke({
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
      retryAttempts: 0,
    });
    props.data.grantBudgetLedger(this.function);
    props.data.grantFxRatesRead(this.function);
    Alerts.grantSend(this.function, props.email, props.dashboardUrl);
    this.schedule = new events.Rule(this, 'Every5Minutes', {
      description: 'Metrion: sweep budgets (lost reservations, FX, level emails)',
      schedule: events.Schedule.rate(Duration.minutes(5)),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });
  }
}
