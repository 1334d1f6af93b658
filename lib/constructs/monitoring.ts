import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environment-config.ts';
import { operationalMetric } from './operational-metrics.ts';
import { stackOutput } from './stack-output.ts';

export interface MonitoringProps {
  /** Alarm names are `Metrion-<envName>-<id>`. */
  readonly envName: string;
  /**
   * E-mail subscribed to the alarm topic (confirmed from the first e-mail AWS sends).
   * @default - no subscription; alarms still change state and can be subscribed to later
   */
  readonly alarmEmail?: string;
  /** The concurrency the functions were given (alarm thresholds follow it). */
  readonly capacity: EnvironmentConfig['capacity'];
}

/** How many periods out of how many must breach, over which period. */
interface Window {
  readonly period: Duration;
  readonly datapoints: number;
  readonly of: number;
}

const FIVE_MINUTES: Window = { period: Duration.minutes(5), datapoints: 1, of: 1 };

/**
 * Every alarm of an environment, all on one SNS topic the operator subscribes to. Each alarm is
 * named `Metrion-<env>-<id>`; `docs/operations.md` says for each id what it means and what to do.
 * Constructs are built first; the stack then hands their functions, queues and tables to the
 * `alarmOn…` methods (a new construct adds its alarms the same way).
 */
export class Monitoring extends Construct {
  public readonly alarmTopic: sns.ITopic;
  readonly #envName: string;
  readonly #capacity: EnvironmentConfig['capacity'];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.#envName = props.envName;
    this.#capacity = props.capacity;
    const topic = new sns.Topic(this, 'AlarmTopic', {
      enforceSSL: true,
      displayName: `Metrion ${props.envName} alarms`,
    });
    if (props.alarmEmail) {
      topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }
    this.alarmTopic = topic;
    stackOutput(this, 'AlarmTopicArn', topic.topicArn, 'Every alarm notifies this topic');
    this.alarmOnOperationalMetrics();
    this.alarmOnAccountConcurrency();
    this.alarmOnEmailReputation();
  }

  /** The proxy: crashes, throttles (API Gateway answered 5xx), and nearing its concurrency cap. */
  public alarmOnProxy(fn: lambda.IFunction): void {
    const { proxyConcurrency } = this.#capacity;
    this.alarmOnFunctionErrors(
      'ProxyErrors',
      fn,
      'The proxy Lambda failed with an unhandled error.',
    );
    this.alarm('ProxyThrottles', fn.metricThrottles(), 1, FIVE_MINUTES, {
      description:
        'The proxy Lambda was throttled (its reserved concurrency or the account quota): callers got 5xx from API Gateway.',
    });
    this.alarm(
      'ProxyNearConcurrencyCap',
      fn.metric('ConcurrentExecutions', { statistic: cloudwatch.Stats.MAXIMUM }),
      Math.ceil(proxyConcurrency * 0.9),
      { period: Duration.minutes(1), datapoints: 3, of: 5 },
      {
        description: `The proxy ran at 90% or more of its ${proxyConcurrency} reserved environments: throttling is next. Raise the quota and capacity.proxyConcurrency.`,
      },
    );
  }

  /**
   * A function's unhandled errors (crashes, timeouts, init failures; errors the handlers map to
   * answers are `MetrionErrors` instead): `threshold` or more in 5 minutes.
   */
  public alarmOnFunctionErrors(
    id: string,
    fn: lambda.IFunction,
    description: string,
    threshold = 1,
  ): void {
    this.alarm(id, fn.metricErrors(), threshold, FIVE_MINUTES, { description });
  }

  /**
   * As soon as a dead-letter or on-failure queue holds a message: each one is work that failed
   * every retry and needs an operator.
   */
  public alarmOnDeadLetters(id: string, queue: sqs.IQueue, description: string): void {
    this.alarm(
      id,
      queue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM }),
      1,
      FIVE_MINUTES,
      { description },
    );
  }

  /**
   * A stream consumer falls behind: the age of the newest record it read stays above `maxAge`
   * (failing batches being retried, or throttling). Lambda reports it even for failing batches,
   * which the EMF `AggregatorLagMs` (written after a batch succeeds) cannot.
   */
  public alarmOnStreamLag(
    id: string,
    fn: lambda.IFunction,
    maxAge: Duration,
    description: string,
  ): void {
    this.alarm(
      id,
      fn.metric('IteratorAge', { statistic: cloudwatch.Stats.MAXIMUM }),
      maxAge.toMilliseconds(),
      { period: Duration.minutes(5), datapoints: 3, of: 3 },
      { description, comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD },
    );
  }

  /**
   * The REST API answered 5xx to more than 5% of requests for 15 minutes. Provider 5xx passed
   * through count too; `MetrionErrors` tells Metrion's own apart.
   */
  public alarmOnApi(restApi: apigw.RestApiBase): void {
    this.alarm(
      'ApiServerErrorRate',
      restApi.metricServerError({ statistic: cloudwatch.Stats.AVERAGE }),
      0.05,
      { period: Duration.minutes(5), datapoints: 3, of: 3 },
      {
        description:
          'More than 5% of API answers were 5xx for 15 minutes (Metrion errors, throttles, or providers failing).',
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      },
    );
  }

  /** Read or write throttle events on any table: 10 or more in 5 minutes. */
  public alarmOnTableThrottles(tables: readonly dynamodb.ITableV2[]): void {
    const usingMetrics: Record<string, cloudwatch.IMetric> = {};
    tables.forEach((table, index) => {
      usingMetrics[`r${index}`] = table.metric('ReadThrottleEvents', { statistic: 'Sum' });
      usingMetrics[`w${index}`] = table.metric('WriteThrottleEvents', { statistic: 'Sum' });
    });
    this.alarm(
      'DynamoDbThrottles',
      new cloudwatch.MathExpression({
        expression: Object.keys(usingMetrics).join(' + '),
        usingMetrics,
        label: 'Throttle events, all tables',
        period: FIVE_MINUTES.period,
      }),
      10,
      FIVE_MINUTES,
      {
        description:
          'DynamoDB throttled 10 or more reads or writes in 5 minutes (a hot item, or a traffic jump beyond on-demand headroom).',
      },
    );
  }

  /** Sends an alarm's state changes (alarm and OK) to the alarm topic. */
  public notify(alarm: cloudwatch.Alarm): void {
    alarm.addAlarmAction(new actions.SnsAction(this.alarmTopic));
    alarm.addOkAction(new actions.SnsAction(this.alarmTopic));
  }

  /** The EMF metrics an operator must act on (`OPERATIONAL_METRICS`). */
  private alarmOnOperationalMetrics(): void {
    const sum = (period: Duration) => ({ period, statistic: cloudwatch.Stats.SUM });
    this.alarm(
      'MetrionErrors',
      operationalMetric(this, 'MetrionErrors', sum(FIVE_MINUTES.period)),
      5,
      FIVE_MINUTES,
      {
        description:
          'Metrion answered 5 or more 5xx of its own in 5 minutes (not provider errors passed through).',
      },
    );
    const hour = Duration.hours(1);
    this.alarm(
      'UnpricedRequests',
      operationalMetric(this, 'UnpricedRequests', sum(hour)),
      1,
      { period: hour, datapoints: 1, of: 1 },
      {
        description: 'Requests were recorded for a model that has no price: their cost is unknown.',
      },
    );
    this.alarm(
      'InterruptedRecords',
      operationalMetric(this, 'InterruptedRecords', sum(FIVE_MINUTES.period)),
      1,
      FIVE_MINUTES,
      {
        description:
          'A proxy invocation died mid-request (crash, out of memory, timeout): its record was written from the trace.',
      },
    );
  }

  /**
   * The account's Lambda pool outside the reservations is at 80% or more: the dashboard API,
   * the export and the jobs share it and throttle next.
   */
  private alarmOnAccountConcurrency(): void {
    const capacity = this.#capacity;
    const unreserved =
      capacity.lambdaConcurrencyQuota -
      capacity.proxyConcurrency -
      capacity.usageAggregatorConcurrency -
      capacity.stripeWebhookConcurrency;
    this.alarm(
      'UnreservedConcurrencyHigh',
      new cloudwatch.Metric({
        namespace: 'AWS/Lambda',
        metricName: 'UnreservedConcurrentExecutions',
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      Math.ceil(unreserved * 0.8),
      { period: Duration.minutes(1), datapoints: 3, of: 5 },
      {
        description: `Functions without a reservation used 80% or more of the ${unreserved} unreserved environments (account quota ${capacity.lambdaConcurrencyQuota}): the dashboard API, export and jobs throttle next.`,
      },
    );
  }

  /**
   * SES reputation (account-wide, region): AWS reviews an account at a 5% bounce or 0.1%
   * complaint rate and may pause sending above 10% or 0.5%. These alarm at the review levels.
   */
  private alarmOnEmailReputation(): void {
    const rate = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/SES',
        metricName,
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.hours(1),
      });
    const hourly: Window = { period: Duration.hours(1), datapoints: 1, of: 1 };
    this.alarm('SesBounceRate', rate('Reputation.BounceRate'), 0.05, hourly, {
      description:
        'The SES bounce rate reached 5%: AWS reviews the account, and pauses sending at 10%.',
    });
    this.alarm('SesComplaintRate', rate('Reputation.ComplaintRate'), 0.001, hourly, {
      description:
        'The SES complaint rate reached 0.1%: AWS reviews the account, and pauses sending at 0.5%.',
    });
  }

  private alarm(
    id: string,
    metric: cloudwatch.IMetric,
    threshold: number,
    window: Window,
    options: { description: string; comparison?: cloudwatch.ComparisonOperator },
  ): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: `Metrion-${this.#envName}-${id}`,
      alarmDescription: `${options.description} See docs/operations.md#${id.toLowerCase()}.`,
      metric: metric instanceof cloudwatch.Metric ? metric.with({ period: window.period }) : metric,
      threshold,
      evaluationPeriods: window.of,
      datapointsToAlarm: window.datapoints,
      comparisonOperator:
        options.comparison ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.notify(alarm);
  }
}
