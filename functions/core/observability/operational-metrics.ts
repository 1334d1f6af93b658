/**
 * The operational metrics Metrion emits, one catalogue for the code that emits them and the CDK
 * alarms that watch them. They travel inside existing JSON log lines: a line carries its values
 * under {@link METRICS_FIELD}, and the Lambda logger turns that into CloudWatch's embedded metric
 * format (no API call, no extra line). Metrics have no dimensions: one series per environment.
 */
export const OPERATIONAL_METRICS = {
  /** Usage records the aggregator folded in: one per recorded proxy request. */
  Requests: { unit: 'Count' },
  /** Answers with a 5xx status that Metrion produced itself (never a provider's passed through). */
  MetrionErrors: { unit: 'Count' },
  /** Recorded requests whose model has no price (cost unknown until a price exists). */
  UnpricedRequests: { unit: 'Count' },
  /** Records written for requests whose proxy died mid-way (from the request's trace). */
  InterruptedRecords: { unit: 'Count' },
  /** How long the oldest record of an aggregated batch waited on the stream. */
  AggregatorLagMs: { unit: 'Milliseconds' },
} as const satisfies Record<string, { readonly unit: 'Count' | 'Milliseconds' }>;

export type OperationalMetric = keyof typeof OPERATIONAL_METRICS;

/** Metric values a log line carries, e.g. `{ MetrionErrors: 1 }`. */
export type MetricValues = Partial<Record<OperationalMetric, number>>;

/** The log field that carries {@link MetricValues}. */
export const METRICS_FIELD = 'metrics';

export function isOperationalMetric(name: string): name is OperationalMetric {
  return Object.hasOwn(OPERATIONAL_METRICS, name);
}
