import { CfnOutput, Duration } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Data } from './data.ts';
import type { Keys } from './keys.ts';
import { MetrionFunction } from './metrion-function.ts';

export interface SecretMigratorProps {
  /** The accounts table (profiles, provider keys, account data keys, lookup views). */
  readonly data: Data;
  /** The provider-key KMS key (unwraps old data keys, creates account data keys). */
  readonly keys: Keys;
  /** Retention of the function's log group. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Keep the log group when the stack is deleted.
   * @default false
   */
  readonly retainLogs?: boolean;
}

/**
 * The secret migrator (`functions/lambda/migrate-secrets.ts`): re-seals stored secrets sealed
 * with a data key each under their account's data key (`docs/decisions/account-data-keys.md`).
 * Not scheduled: an operator invokes it once after the deploy (`aws lambda invoke
 * --function-name <output MigrateSecretsFunctionName> out.json`); a rerun finds what is left.
 * Access: the accounts table (Scan, GetItem, Query, PutItem, UpdateItem) and GenerateDataKey and
 * Decrypt on the provider-key KMS key; no pepper, no other table.
 */
export class SecretMigrator extends Construct {
  public readonly function: MetrionFunction;

  constructor(scope: Construct, id: string, props: SecretMigratorProps) {
    super(scope, id);
    this.function = new MetrionFunction(this, 'Function', {
      entry: 'functions/lambda/migrate-secrets.ts',
      description:
        'Metrion secret migrator: re-seals stored keys under account data keys (run by hand)',
      memorySize: 512,
      timeout: Duration.minutes(15),
      logRetention: props.logRetention,
      retainLogs: props.retainLogs,
      leanAwsClients: true,
    });
    props.data.grantSealedSecretMigration(this.function);
    props.keys.grantDataKeys(this.function);
    const output = new CfnOutput(this, 'FunctionName', {
      value: this.function.functionName,
      description: 'Secret migrator: aws lambda invoke --function-name <this> out.json',
    });
    // A fixed output key the docs can name (one SecretMigrator per stack).
    output.overrideLogicalId('MigrateSecretsFunctionName');
  }
}
