import { Duration } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Data } from './data.ts';
import { MetrionFunction } from './metrion-function.ts';
import { stackOutput } from './stack-output.ts';

export interface RepricerProps {
  /** The usage table (raw records, rollups, dirty markers, error copies). */
  readonly data: Data;
  /** Retention of the function's log group. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Keep the log group when the stack is deleted.
   * @default false
   */
  readonly retainLogs?: boolean;
}

/**
 * The re-pricing job (`functions/lambda/reprice.ts`, issue 12): re-prices usage records that
 * older price data priced and reseals their hours. Not scheduled: an operator invokes it after a
 * price update (`aws lambda invoke --function-name <output RepriceFunctionName> --payload
 * '{"since":"2026-11-30"}' out.json`), or with `{"reseal": {"since": ...}}` to rebuild the
 * rollups of every hour holding records when no dirty marker exists (the same Scan and seal, so
 * the same grants). Access: Scan and UpdateItem (the records) plus Query, PutItem and DeleteItem
 * (dirty markers and the seal) on the usage table; no other table, no provider-key KMS key, no
 * pepper.
 */
export class Repricer extends Construct {
  public readonly function: MetrionFunction;

  constructor(scope: Construct, id: string, props: RepricerProps) {
    super(scope, id);
    this.function = new MetrionFunction(this, 'Function', {
      entry: 'functions/lambda/reprice.ts',
      description:
        'Metrion reprice job: re-prices usage priced by older price data, or reseals hours (run by hand)',
      memorySize: 1024,
      // The Scan reads the whole usage table; a rerun continues where a timed-out run stopped.
      timeout: Duration.minutes(15),
      logRetention: props.logRetention,
      retainLogs: props.retainLogs,
    });
    props.data.grantUsageReprice(this.function);
    stackOutput(
      this,
      'RepriceFunctionName',
      this.function.functionName,
      `Re-pricing job: aws lambda invoke --function-name <this> --payload '{"since":"<ISO date>"}' out.json (or '{"reseal":{"since":"<ISO date>"}}' to rebuild rollups)`,
    );
  }
}
