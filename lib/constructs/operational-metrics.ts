import { type Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { IConstruct } from 'constructs';
import {
  OPERATIONAL_METRICS,
  type OperationalMetric,
} from '#core/observability/operational-metrics.ts';

/**
 * The CloudWatch namespace of an environment's operational metrics: its stack name
 * (`Metrion-dev`), so environments sharing an account keep separate series. Every function gets
 * it as `METRICS_NAMESPACE` (MetrionFunction); the alarms read the same namespace.
 */
export function metricsNamespace(scope: IConstruct): string {
  return Stack.of(scope).stackName;
}

/** One of `OPERATIONAL_METRICS` (no dimensions) as the functions of `scope`'s stack emit it. */
export function operationalMetric(
  scope: IConstruct,
  name: OperationalMetric,
  props: { readonly period: Duration; readonly statistic: string },
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: metricsNamespace(scope),
    metricName: name,
    unit:
      OPERATIONAL_METRICS[name].unit === 'Count'
        ? cloudwatch.Unit.COUNT
        : cloudwatch.Unit.MILLISECONDS,
    ...props,
  });
}
