// Logger writing one JSON line per entry to stdout (CloudWatch in Lambda), with secret redaction,
// and CloudWatch embedded metric format (EMF) for the operational metrics a line carries.
import {
  isOperationalMetric,
  METRICS_FIELD,
  type MetricValues,
  OPERATIONAL_METRICS,
  type OperationalMetric,
} from '#core/observability/operational-metrics.ts';
import type { Logger } from '#core/ports/logger.ts';

type Level = 'info' | 'warn' | 'error';

const SECRET_FIELD =
  /^(authorization|x-api-key|x-metrion-token|api_?key|key|secret|password|token|upstreamkey|plaintext)$/i;
/** Provider and Metrion key shapes, masked wherever they appear in a string. */
const SECRET_VALUE = /\b(sk-[A-Za-z0-9_-]{8,}|xai-[A-Za-z0-9]{8,}|AIza[A-Za-z0-9_-]{20,})/g;

function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(SECRET_VALUE, '[REDACTED]');
  if (typeof value === 'bigint') return value.toString();
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([name, inner]) => [
      name,
      SECRET_FIELD.test(name) ? '[REDACTED]' : redact(inner, depth + 1),
    ]),
  );
}

/**
 * The entry's own keys (`_aws` is the EMF metadata): a field of the same name is written as
 * `field_<name>` instead.
 */
const RESERVED_KEYS: ReadonlySet<string> = new Set(['level', 'service', 'time', 'message', '_aws']);

function renameReserved(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields).map(([name, value]) => [
      RESERVED_KEYS.has(name) ? `field_${name}` : name,
      value,
    ]),
  );
}

export interface JsonLoggerOptions {
  readonly service: string;
  /** Where lines go; stdout by default. Tests capture them here. */
  readonly write?: (line: string) => void;
  readonly minimumLevel?: Level;
  /**
   * CloudWatch namespace of the metrics lines carry (`Metrion-<env>` in Lambda). Set: a line
   * with metric values is also an EMF document, and CloudWatch Logs extracts the metrics from
   * it. Unset (local mode): the values are plain fields.
   * @default - no EMF metadata
   */
  readonly metricsNamespace?: string | undefined;
}

/** The known metrics among `value` with a finite number each; undefined when there are none. */
function metricValuesOf(value: unknown): MetricValues | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const metrics: MetricValues = {};
  for (const [name, amount] of Object.entries(value)) {
    if (isOperationalMetric(name) && typeof amount === 'number' && Number.isFinite(amount)) {
      metrics[name] = amount;
    }
  }
  return Object.keys(metrics).length > 0 ? metrics : undefined;
}

/** The `_aws` member that makes a line an EMF document (no dimensions: one series each). */
function emfMetadata(namespace: string, metrics: MetricValues, timestampMs: number) {
  return {
    Timestamp: timestampMs,
    CloudWatchMetrics: [
      {
        Namespace: namespace,
        Dimensions: [[]],
        Metrics: (Object.keys(metrics) as OperationalMetric[]).map((name) => ({
          Name: name,
          Unit: OPERATIONAL_METRICS[name].unit,
        })),
      },
    ],
  };
}

const LEVEL_ORDER: Record<Level, number> = { info: 0, warn: 1, error: 2 };

export class JsonLogger implements Logger {
  readonly #service: string;
  readonly #write: (line: string) => void;
  readonly #minimum: number;
  readonly #metricsNamespace: string | undefined;

  constructor(options: JsonLoggerOptions) {
    this.#service = options.service;
    this.#write = options.write ?? ((line) => process.stdout.write(`${line}\n`));
    this.#minimum = LEVEL_ORDER[options.minimumLevel ?? 'info'];
    this.#metricsNamespace = options.metricsNamespace;
  }

  info(message: string, fields?: Record<string, unknown>): void {
    this.#log('info', message, fields);
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.#log('warn', message, fields);
  }

  error(message: string, fields?: Record<string, unknown>): void {
    this.#log('error', message, fields);
  }

  /**
   * A line with metric values is written whatever the minimum level: the metrics must not
   * depend on how chatty the logs are. Metric values sit at the top level (EMF reads them
   * there) and win over a field of the same name.
   */
  #log(level: Level, message: string, fields: Record<string, unknown> | undefined): void {
    const { [METRICS_FIELD]: metricField, ...rest } = fields ?? {};
    const metrics = metricValuesOf(metricField);
    if (LEVEL_ORDER[level] < this.#minimum && metrics === undefined) return;
    const nowMs = Date.now();
    const entry: Record<string, unknown> = {
      ...(redact(renameReserved(rest)) as object),
      level,
      service: this.#service,
      time: new Date(nowMs).toISOString(),
      message: redact(message),
    };
    if (metrics !== undefined) {
      Object.assign(entry, metrics);
      if (this.#metricsNamespace !== undefined) {
        entry._aws = emfMetadata(this.#metricsNamespace, metrics, nowMs);
      }
    }
    this.#write(JSON.stringify(entry));
  }
}
