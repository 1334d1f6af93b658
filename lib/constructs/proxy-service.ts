import { Duration } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ProviderId } from '#core/providers/provider-registry.ts';
import { LONGEST_REQUEST_MS } from '#core/traces/trace-lifetime.ts';
import { LAMBDA_ENV } from '#lambda/env.ts';
import { PROXY_MEMORY_MB } from '../config/proxy-sizing.ts';
import type { Data } from './data.ts';
import type { Keys } from './keys.ts';
import { MetrionFunction } from './metrion-function.ts';

export interface ProxyServiceProps {
  /** Tables the proxy admits requests on (accounts) and writes usage and cache entries to. */
  readonly data: Data;
  /** Provider-key envelope key and Metrion Key pepper. */
  readonly keys: Keys;
  /** Retention of the proxy's log group. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Keep the proxy's log group when the stack is deleted.
   * @default false
   */
  readonly retainLogs?: boolean;
  /**
   * Browser origins allowed to call the proxy (CORS), passed as `CORS_ALLOWED_ORIGINS`,
   * comma-separated. Empty: no cross-origin browser callers.
   */
  readonly corsAllowedOrigins: readonly string[];
  /**
   * Per-provider upstream origin overrides, passed as JSON in `UPSTREAM_ORIGINS`.
   * @default - the variable is not set and the proxy uses the registry's default origins
   */
  readonly upstreamOrigins?: Partial<Record<ProviderId, string>>;
  /**
   * Reserved concurrency, which is also the proxy's ceiling: a stream holds one environment for
   * its whole length, so without a cap long streams could take the account's whole pool from
   * the aggregator, the webhook and the dashboard.
   */
  readonly reservedConcurrency: number;
}

/**
 * The streaming proxy Lambda and exactly the access it needs on the hot path: admit on the
 * accounts table, write usage, read and write the response cache, unwrap provider keys' data
 * keys (never seal), read the pepper. API Gateway wiring lives in `Api`.
 */
export class ProxyService extends Construct {
  public readonly function: MetrionFunction;

  constructor(scope: Construct, id: string, props: ProxyServiceProps) {
    super(scope, id);

    const environment: Record<string, string> = {
      [LAMBDA_ENV.corsAllowedOrigins]: props.corsAllowedOrigins.join(','),
    };
    if (props.upstreamOrigins && Object.keys(props.upstreamOrigins).length > 0) {
      environment[LAMBDA_ENV.upstreamOrigins] = JSON.stringify(props.upstreamOrigins);
    }

    this.function = new MetrionFunction(this, 'Function', {
      entry: 'functions/lambda/proxy.ts',
      description:
        'Metrion proxy: authenticates, forwards to the provider, streams back, records usage',
      memorySize: PROXY_MEMORY_MB,
      // A stream lasts as long as the model generates; the proxy's own 30 s timer covers only
      // the wait for the upstream's response headers. The trace sweeper waits this long (plus
      // grace) before it records a request whose own record never landed.
      timeout: Duration.millis(LONGEST_REQUEST_MS),
      logRetention: props.logRetention,
      retainLogs: props.retainLogs,
      environment,
      // The tokenizer (o200k_base, 2.7 MB) counts a dropped stream's tokens: loaded on demand.
      lazyPackages: ['gpt-tokenizer'],
      leanAwsClients: true,
      reservedConcurrentExecutions: props.reservedConcurrency,
    });

    props.data.grantProxyAdmission(this.function);
    props.data.grantUsageWrite(this.function);
    props.data.grantTraceDiscard(this.function);
    props.data.grantCacheReadWrite(this.function);
    props.keys.grantProviderKeyDecrypt(this.function);
    props.keys.grantPepperRead(this.function);
  }
}
