import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface MonitoringProps {
  /** The proxy Lambda whose failures and throttles page someone. */
  readonly proxyFunction: lambda.IFunction;
  /**
   * E-mail subscribed to the alarm topic.
   * @default - no subscription; alarms still change state and can be subscribed to later
   */
  readonly alarmEmail?: string;
}

/**
 * Minimal alarms for the proxy hot path. Provider errors are passed through to callers and are
 * not Lambda errors, so `Errors` counts only Metrion's own unhandled failures.
 */
export class Monitoring extends Construct {
  public readonly alarmTopic: sns.ITopic;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);

    const topic = new sns.Topic(this, 'AlarmTopic', { enforceSSL: true });
    if (props.alarmEmail) {
      topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }
    this.alarmTopic = topic;

    const period = Duration.minutes(5);
    const alarms = [
      props.proxyFunction.metricErrors({ period }).createAlarm(this, 'ProxyErrors', {
        alarmDescription: 'The proxy Lambda failed with an unhandled error.',
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      props.proxyFunction.metricThrottles({ period }).createAlarm(this, 'ProxyThrottles', {
        alarmDescription: 'The proxy Lambda was throttled: callers got 5xx from API Gateway.',
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
    for (const alarm of alarms) this.notify(alarm);
  }

  /**
   * Alarms (and notifies) as soon as a dead-letter queue holds a message: each one is work that
   * failed every retry and needs an operator.
   */
  public alarmOnDeadLetters(id: string, queue: sqs.IQueue, description: string): cloudwatch.Alarm {
    const alarm = queue
      .metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      })
      .createAlarm(this, id, {
        alarmDescription: description,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.notify(alarm);
    return alarm;
  }

  /**
   * Alarms (and notifies) when a stream consumer falls behind: the age of the newest record it
   * read stays above `maxAge` (failing batches being retried, or throttling).
   */
  public alarmOnStreamLag(
    id: string,
    fn: lambda.IFunction,
    maxAge: Duration,
    description: string,
  ): cloudwatch.Alarm {
    const alarm = fn
      .metric('IteratorAge', { period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM })
      .createAlarm(this, id, {
        alarmDescription: description,
        threshold: maxAge.toMilliseconds(),
        evaluationPeriods: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.notify(alarm);
    return alarm;
  }

  /** Sends an alarm's state changes (alarm and OK) to the alarm topic. */
  public notify(alarm: cloudwatch.Alarm): void {
    alarm.addAlarmAction(new actions.SnsAction(this.alarmTopic));
    alarm.addOkAction(new actions.SnsAction(this.alarmTopic));
  }
}
