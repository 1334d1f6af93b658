import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LAMBDA_ENV } from '#lambda/env.ts';
import type { Data } from './data.ts';
import type { EmailSending } from './email-sending.ts';
import { failureQueue } from './failure-queue.ts';
import type { Keys } from './keys.ts';
import { MetrionFunction } from './metrion-function.ts';

export interface AlertsProps {
  readonly data: Data;
  /** Opens alert channel secrets (webhook signing secrets, Slack URLs). */
  readonly keys: Keys;
  /** Where emails come from: the sender, its SES identity and configuration set. */
  readonly email: EmailSending;
  /** The Dashboard's base URL, for links in emails. */
  readonly dashboardUrl: string;
  readonly logRetention: logs.RetentionDays;
  /** @default false */
  readonly retainLogs?: boolean;
}

/**
 * Alert rules: the evaluator (`functions/lambda/alerts.ts`) every minute over the active rules
 * (accounts table and its active-rules index, rollups, FX rates), notifying channels: SES from
 * the email stack's identity, HTTPS for webhooks and Slack (a Lambda outside a VPC has internet
 * egress and DNS; channel secrets are opened with KMS). A failed run goes to a DLQ (on-failure
 * destination); Monitoring alarms on the DLQ and on the evaluator's errors. Retries of failed
 * deliveries run in `AlertDeliveries`.
 */
export class Alerts extends Construct {
  public readonly function: MetrionFunction;
  public readonly schedule: events.Rule;
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: AlertsProps) {
    super(scope, id);
    this.deadLetterQueue = failureQueue(this, 'EvaluatorDlq', 'the evaluator');
    this.function = new MetrionFunction(this, 'Evaluator', {
      entry: 'functions/lambda/alerts.ts',
      description: 'Metrion alert evaluator: active rules every minute, emails through SES',
      memorySize: 512,
      // Under the 1-minute schedule; the evaluator stops starting pages after 40 s.
      timeout: Duration.seconds(55),
      logRetention: props.logRetention,
      retainLogs: props.retainLogs,
    });
    // Scheduled runs are async invocations: no retry (the next minute's run is the retry; claims
    // make a repeat harmless), failures to the DLQ.
    this.function.configureAsyncInvoke({
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
      retryAttempts: 0,
    });
    props.data.grantAlertRules(this.function);
    props.data.grantUsageRead(this.function);
    props.data.grantFxRatesRead(this.function);
    props.keys.grantChannelSecretDecrypt(this.function);
    Alerts.grantSend(this.function, props.email, props.dashboardUrl);
    this.schedule = new events.Rule(this, 'EveryMinute', {
      description: 'Metrion: evaluate alert rules',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });
  }

  /**
   * `ses:SendEmail` from this identity through its configuration set only (SES authorizes both
   * resources of a send), plus the sender and Dashboard URL variables. The dashboard API gets
   * the same for Test.
   */
  static grantSend(fn: lambda.Function, email: EmailSending, dashboardUrl: string): void {
    const stack = Stack.of(fn);
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ['ses:SendEmail'],
      resourceArns: [
        stack.formatArn({ service: 'ses', resource: 'identity', resourceName: email.domain }),
        stack.formatArn({
          service: 'ses',
          resource: 'configuration-set',
          resourceName: email.configurationSetName,
        }),
      ],
      conditions: { StringEquals: { 'ses:FromAddress': email.sender } },
    });
    fn.addEnvironment(LAMBDA_ENV.alertsSender, email.sender);
    fn.addEnvironment(LAMBDA_ENV.dashboardUrl, dashboardUrl);
  }
}
