import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { Alerts } from './alerts.ts';
import type { Data } from './data.ts';
import type { Keys } from './keys.ts';
import { MetrionFunction } from './metrion-function.ts';

export interface AlertDeliveriesProps {
  readonly data: Data;
  readonly keys: Keys;
  /** The alert emails' SES identity, its domain and sender. */
  readonly identity: ses.EmailIdentity;
  readonly domain: string;
  readonly sender: string;
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
 * next minute's run is the retry; `RetryRunErrors` alarms when runs keep failing.
 */
export class AlertDeliveries extends Construct {
  public readonly function: MetrionFunction;
  public readonly schedule: events.Rule;
  public readonly errorsAlarm: cloudwatch.Alarm;

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
    props.keys.grantDataKeyDecrypt(this.function);
    Alerts.grantSend(this.function, props.identity, props.domain, props.sender, props.dashboardUrl);
    this.schedule = new events.Rule(this, 'EveryMinute', {
      description: 'Metrion: retry due alert deliveries',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });
    this.errorsAlarm = this.function
      .metricErrors({ period: Duration.minutes(5) })
      .createAlarm(this, 'RetryRunErrors', {
        alarmDescription: 'Metrion alert delivery retry runs failed (deliveries wait meanwhile)',
        threshold: 3,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
  }
}
