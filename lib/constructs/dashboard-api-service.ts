import { Duration } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Auth } from './auth.ts';
import type { Data } from './data.ts';
import type { Keys } from './keys.ts';
import { MetrionFunction } from './metrion-function.ts';

export interface DashboardApiServiceProps {
  /** Accounts (read/write: profile, Metrion Key, provider keys) and usage (read). */
  readonly data: Data;
  /** Sealing provider keys and the viewable Metrion Key; the pepper for new key digests. */
  readonly keys: Keys;
  /** The user pool whose ID tokens the API accepts. */
  readonly auth: Auth;
  /** Retention of the function's log group. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Keep the log group when the stack is deleted.
   * @default false
   */
  readonly retainLogs?: boolean;
}

/**
 * The dashboard JSON API Lambda (`functions/lambda/dashboard-api.ts`) and exactly its access:
 * accounts read/write, usage read (records and rollups), FX rates read, KMS data keys, the pepper. No response cache,
 * no usage writes: those are the proxy's. API Gateway wiring lives in `Api`.
 */
export class DashboardApiService extends Construct {
  public readonly function: MetrionFunction;

  constructor(scope: Construct, id: string, props: DashboardApiServiceProps) {
    super(scope, id);

    this.function = new MetrionFunction(this, 'Function', {
      entry: 'functions/lambda/dashboard-api.ts',
      description:
        'Metrion dashboard API: verifies sign-in tokens; account settings, Metrion Key, provider keys, integration status',
      memorySize: 512,
      // API Gateway answers 504 after 29 s anyway; a dashboard call takes milliseconds.
      timeout: Duration.seconds(10),
      logRetention: props.logRetention,
      retainLogs: props.retainLogs,
    });

    props.data.grantAccountsReadWrite(this.function);
    props.data.grantUsageReadByRequestId(this.function);
    props.data.grantFxRatesRead(this.function);
    props.keys.grantDataKeys(this.function);
    props.keys.grantPepperRead(this.function);
    props.auth.bindTokenVerification(this.function);
  }
}
