import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { Alerts } from './alerts.ts';
import type { Data } from './data.ts';
import type { EmailSending } from './email-sending.ts';
import type { Keys } from './keys.ts';
import { MetrionFunction } from './metrion-function.ts';

export interface AlertDeliveriesProps {
  readonly data: Data;
  readonly keys: Keys;
  /** Where alert emails come from (the evaluator's identity and configuration set). */
  readonly email: EmailSending;
  readonly dashboardUrl: string;
  readonly logRetention: logs.RetentionDays;
  /** @default false */
  readonly retainLogs?: boolean;
}

/**
 * The alert delivery retry run (`functions/lambda/alert-deliveries.ts`) every minute: attempts
 * the email, webhook and Slack deliveries whose earlier attempt failed, with backoff for 24 h.
 * Outside a VPC, so it reaches customer webhooks over the internet (HTTPS only; the URL policy
 * refuses private addresses after DNS). No DLQ: a failed run leaves every delivery due, and the
 * next minute's run is the retry; Monitoring alarms when runs keep failing.
 */
export class AlertDeliveries extends Construct {
  public readonly function: MetrionFunction;
  public readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: AlertDeliveriesProps) {
    super(scope, id);
    this.function = new MetrionFunction(this, 'RetryRun', {
      entry: 'functions/lambda/alert-deliveries.ts',
      description: 'Metrion alert delivery retries: due email, webhook and Slack deliveries',
      memorySize: 256,
      // Under the 1-minute schedule; the run starts no new group of attempts after 40 s.
      timeout: Duration.seconds(55),
      logRetention: props.logRetention,
      retainLogs: props.retainLogs,
    });
    this.function.configureAsyncInvoke({ retryAttempts: 0 });
    props.data.grantAlertRules(this.function);
    props.keys.grantChannelSecretDecrypt(this.function);
    Alerts.grantSend(this.function, props.email, props.dashboardUrl);
    this.schedule = new events.Rule(this, 'EveryMinute', {
      description: 'Metrion: retry due alert deliveries',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });
  }
}
