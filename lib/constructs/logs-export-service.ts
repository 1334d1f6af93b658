import { Duration } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Auth } from './auth.ts';
import type { Data } from './data.ts';
import { MetrionFunction } from './metrion-function.ts';

export interface LogsExportServiceProps {
  /** Usage (read: the window Query), the account profile (GetItem: currency), FX rates (read). */
  readonly data: Data;
  /** The user pool whose ID tokens the export accepts. */
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
 * The Logs CSV export Lambda (`functions/lambda/logs-export.ts`, response streaming) and exactly
 * its access: usage read, accounts and FX rates read (costs in the account's currency), and the
 * user pool's ids for token verification. No KMS, no pepper (the token's `sub` is the account
 * id). API Gateway wiring lives in `Api`.
 */
export class LogsExportService extends Construct {
  public readonly function: MetrionFunction;

  constructor(scope: Construct, id: string, props: LogsExportServiceProps) {
    super(scope, id);

    this.function = new MetrionFunction(this, 'Function', {
      entry: 'functions/lambda/logs-export.ts',
      description:
        'Metrion Logs CSV export: verifies the sign-in token, streams the filtered usage records as CSV',
      // Memory holds one store page and one chunk at a time, whatever the export's size.
      memorySize: 512,
      // A streamed export may run long (API Gateway's STREAM limit is 15 minutes).
      timeout: Duration.minutes(15),
      logRetention: props.logRetention,
      retainLogs: props.retainLogs,
    });

    props.data.grantUsageRead(this.function);
    props.data.grantAccountProfileRead(this.function);
    props.data.grantFxRatesRead(this.function);
    props.auth.bindTokenVerification(this.function);
  }
}
