import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import {
  ACTIVE_ALERT_RULES_INDEX,
  type IndexDefinition,
  type KeyAttribute,
  TABLES,
  type TableDefinition,
  type TableKey,
  TRACE_PK_PREFIX,
  tableName,
  USAGE_BY_REQUEST_ID_INDEX,
} from '#adapters/dynamodb/table-definitions.ts';
import { LAMBDA_ENV } from '#lambda/env.ts';

export interface DataProps {
  /** Environment name; tables are named `metrion-<envName>-<suffix>`. */
  readonly envName: string;
  /**
   * Retain tables and their key on stack deletion and turn on deletion protection.
   * Off only for environments whose data may be lost.
   */
  readonly retainData: boolean;
}

/** Which function environment variable carries each table's name. */
const TABLE_NAME_ENV = {
  accounts: LAMBDA_ENV.accountsTable,
  usage: LAMBDA_ENV.usageTable,
  responseCache: LAMBDA_ENV.responseCacheTable,
  fxRates: LAMBDA_ENV.fxRatesTable,
  prices: LAMBDA_ENV.pricesTable,
} as const satisfies Record<TableKey, string>;

/** Single-item reads and queries (only the trace sweeper batches reads: `grantTraceSweep`). */
const READ = ['dynamodb:GetItem', 'dynamodb:Query'] as const;
/** Single-item conditional writes (no transactions: the local stand-in has none). */
const WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] as const;

/**
 * With a customer-managed key, DynamoDB decrypts the table's data key with the caller's
 * credentials, so callers need these on the key; `kms:ViaService` confines them to calls DynamoDB
 * makes. Writes use the same table data key as reads: no Encrypt, GenerateDataKey or ReEncrypt
 * (which CDK's grantReadWriteData would add).
 */
const TABLE_KEY_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'] as const;

/**
 * stateful: one DynamoDB table per entry of `TABLES` (on-demand, point-in-time recovery, TTL
 * where defined), all encrypted with one customer-managed, rotating KMS key. Construct ids come
 * from the table definitions and must never change.
 *
 * Functions get access only through the `grant*` methods, which also set the table-name
 * environment variable the function reads (`LAMBDA_ENV`).
 */
export class Data extends Construct {
  /** Customer-managed key encrypting every table. */
  public readonly tableKey: kms.IKey;
  /** The tables, keyed like `TABLES`. */
  public readonly tables: Readonly<Record<TableKey, dynamodb.ITableV2>>;

  constructor(scope: Construct, id: string, props: DataProps) {
    super(scope, id);
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.tableKey = new kms.Key(this, 'TableKey', {
      description: `Metrion ${props.envName}: DynamoDB table encryption`,
      enableKeyRotation: true,
      removalPolicy,
    });

    const tables = {} as Record<TableKey, dynamodb.ITableV2>;
    for (const key of Object.keys(TABLES) as TableKey[]) {
      const definition: TableDefinition = TABLES[key];
      tables[key] = new dynamodb.TableV2(this, definition.constructId, {
        tableName: tableName(`metrion-${props.envName}`, key),
        partitionKey: toAttribute(definition.partitionKey),
        sortKey: definition.sortKey && toAttribute(definition.sortKey),
        timeToLiveAttribute: definition.timeToLiveAttribute,
        globalSecondaryIndexes: definition.globalSecondaryIndexes?.map(toIndex),
        // Turning a stream on is an in-place update of the existing table (same logical id).
        dynamoStream:
          'stream' in definition && definition.stream === 'NEW_IMAGE'
            ? dynamodb.StreamViewType.NEW_IMAGE
            : undefined,
        billing: dynamodb.Billing.onDemand(),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: dynamodb.TableEncryptionV2.customerManagedKey(this.tableKey),
        deletionProtection: props.retainData,
        removalPolicy,
      });
    }
    this.tables = tables;
  }

  /**
   * Admits proxy requests on the accounts table: one conditional UpdateItem on the Metrion Key
   * lookup item per request; on the refusal path GetItem, and to rebuild a lookup item's view
   * UpdateItem + Query. No PutItem or DeleteItem: the proxy never creates or removes an item.
   */
  public grantProxyAdmission(fn: lambda.Function): void {
    this.grantTable(fn, 'accounts', ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
  }

  /**
   * Reads single account items (GetItem): the profile's currency, for a function that converts
   * money and needs nothing else of the account.
   */
  public grantAccountProfileRead(fn: lambda.Function): void {
    this.grantTable(fn, 'accounts', ['dynamodb:GetItem']);
  }

  /** Reads and writes accounts, Metrion Key lookups and stored provider keys (dashboard API). */
  public grantAccountsReadWrite(fn: lambda.Function): void {
    this.grantTable(fn, 'accounts', [...READ, ...WRITE]);
  }

  /**
   * Re-seals stored secrets (the secret migrator): Scan of the accounts table, conditional
   * UpdateItem of a sealed field, GetItem/PutItem of the account's data key, and the proxy
   * view's refresh (UpdateItem + Query). No DeleteItem.
   */
  public grantSealedSecretMigration(fn: lambda.Function): void {
    this.grantTable(fn, 'accounts', [
      'dynamodb:Scan',
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
  }

  /**
   * The Stripe webhook: reads the profile and billing state (GetItem), records processed events
   * (conditional PutItem), saves billing state and refreshes the lookup items' view (UpdateItem,
   * Query). No DeleteItem: billing never removes an item.
   */
  public grantBillingState(fn: lambda.Function): void {
    this.grantTable(fn, 'accounts', [...READ, 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
  }

  /**
   * Appends usage records (conditional PutItem), the proxy's one write after a request; cannot
   * update, read or delete usage (rollups are the usage aggregator's).
   */
  public grantUsageWrite(fn: lambda.Function): void {
    this.grantTable(fn, 'usage', ['dynamodb:PutItem']);
  }

  /**
   * Deletes request traces only (`TRACE#…` partitions of the usage table): the proxy discards the
   * trace of a request that did not go upstream. No other usage item can be deleted.
   */
  public grantTraceDiscard(fn: lambda.Function): void {
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ['dynamodb:DeleteItem'],
      resourceArns: [this.tables.usage.tableArn],
      conditions: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${TRACE_PK_PREFIX}*`] },
      },
    });
    this.grantTableKey(fn);
  }

  /**
   * The usage aggregator: rollup ADDs (UpdateItem), dirty markers and error copies (PutItem).
   * No reads and no deletes; reading the table's stream is granted by its event source.
   */
  public grantUsageAggregate(fn: lambda.Function): void {
    this.grantTable(fn, 'usage', ['dynamodb:PutItem', 'dynamodb:UpdateItem']);
  }

  /**
   * Reads usage records and rollups (Query by account on the table); cannot write or delete
   * them, nor query any index (logs export, alert evaluator).
   */
  public grantUsageRead(fn: lambda.Function): void {
    this.grantTable(fn, 'usage', ['dynamodb:Query']);
  }

  /**
   * {@link grantUsageRead} plus Query on the keys-only `byRequestId` index: the Logs detail view
   * finds one record by its request id (dashboard API only).
   */
  public grantUsageReadByRequestId(fn: lambda.Function): void {
    this.grantUsageRead(fn);
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ['dynamodb:Query'],
      resourceArns: [`${this.tables.usage.tableArn}/index/${USAGE_BY_REQUEST_ID_INDEX}`],
    });
  }

  /**
   * The usage table's stream as an event source should read it: the returned reference carries
   * no key, so the event source grants only the stream actions, and the table key is granted
   * here through DynamoDB alone (`kms:ViaService`), like every table grant.
   */
  public usageStreamFor(fn: lambda.Function): dynamodb.ITableV2 {
    this.grantTableKey(fn);
    return dynamodb.TableV2.fromTableAttributes(this, 'UsageStream', {
      tableArn: this.tables.usage.tableArn,
      tableStreamArn: this.tables.usage.tableStreamArn,
    });
  }

  /**
   * The seal job: reads raw records, rollups and dirty markers (Query), overwrites rollups and
   * error copies (PutItem), deletes stale rollups and markers (DeleteItem). No UpdateItem.
   */
  public grantUsageSeal(fn: lambda.Function): void {
    this.grantTable(fn, 'usage', ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem']);
  }

  /**
   * The trace sweeper: reads request traces (Query) and checks whether their records exist
   * (BatchGetItem), writes the missing records and its cursor (PutItem). No update, no delete.
   */
  public grantTraceSweep(fn: lambda.Function): void {
    this.grantTable(fn, 'usage', ['dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:PutItem']);
  }

  /**
   * The re-pricing job: the seal job's access (it reseals what it re-priced and marks hours
   * dirty with PutItem), plus Scan (every account's records in a window) and UpdateItem (the
   * conditional cost update).
   */
  public grantUsageReprice(fn: lambda.Function): void {
    this.grantTable(fn, 'usage', [
      'dynamodb:Scan',
      'dynamodb:UpdateItem',
      'dynamodb:Query',
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
    ]);
  }

  /** Reads the stored FX reference rates (Query, newest first). */
  public grantFxRatesRead(fn: lambda.Function): void {
    this.grantTable(fn, 'fxRates', ['dynamodb:Query']);
  }

  /** Stores the day's FX reference rates (PutItem only). */
  public grantFxRatesWrite(fn: lambda.Function): void {
    this.grantTable(fn, 'fxRates', ['dynamodb:PutItem']);
  }

  /** Reads the current price version and its data (GetItem only). */
  public grantPricesRead(fn: lambda.Function): void {
    this.grantTable(fn, 'prices', ['dynamodb:GetItem']);
  }

  /** Reads and stores price versions (the daily price refresh: GetItem and PutItem). */
  public grantPricesWrite(fn: lambda.Function): void {
    this.grantTable(fn, 'prices', ['dynamodb:GetItem', 'dynamodb:PutItem']);
  }

  /**
   * Alert rules on the accounts table: read and update rule items and the evaluator cursor, read
   * account profiles, and Query the sparse active-rules index (and nothing else of it).
   */
  public grantAlertRules(fn: lambda.Function): void {
    this.grantTable(fn, 'accounts', [
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ['dynamodb:Query'],
      resourceArns: [`${this.tables.accounts.tableArn}/index/${ACTIVE_ALERT_RULES_INDEX}`],
    });
  }

  /**
   * The budget sweep on the accounts table: reads profiles and lookup items (GetItem) and budget
   * items (Query, and the sparse index of active items), and updates lookup items' ledgers,
   * budget items and the proxy's view (UpdateItem). No PutItem or DeleteItem.
   */
  public grantBudgetLedger(fn: lambda.Function): void {
    this.grantTable(fn, 'accounts', ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ['dynamodb:Query'],
      resourceArns: [`${this.tables.accounts.tableArn}/index/${ACTIVE_ALERT_RULES_INDEX}`],
    });
  }

  /**
   * Settles budget reservations from the usage stream: reads the profile (the current key's
   * digest) and the lookup item (GetItem), moves the money (conditional UpdateItem).
   */
  public grantBudgetSettle(fn: lambda.Function): void {
    this.grantTable(fn, 'accounts', ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
  }

  /** Reads and writes (or overwrites) response cache entries; expired ones leave by TTL. */
  public grantCacheReadWrite(fn: lambda.Function): void {
    this.grantTable(fn, 'responseCache', ['dynamodb:GetItem', 'dynamodb:PutItem']);
  }

  private grantTable(fn: lambda.Function, key: TableKey, actions: readonly string[]): void {
    const table = this.tables[key];
    // Table actions on the table itself only: `table.grant` would add every index too (writers
    // need none; readers get the index they query from their grant method).
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: [...actions],
      resourceArns: [table.tableArn],
    });
    this.grantTableKey(fn);
    fn.addEnvironment(TABLE_NAME_ENV[key], table.tableName);
  }

  private grantTableKey(fn: lambda.Function): void {
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: [...TABLE_KEY_ACTIONS],
      resourceArns: [this.tableKey.keyArn],
      conditions: {
        StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` },
      },
    });
  }
}

function toAttribute(attribute: KeyAttribute): dynamodb.Attribute {
  return {
    name: attribute.name,
    type: attribute.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER,
  };
}

function toIndex(index: IndexDefinition): dynamodb.GlobalSecondaryIndexPropsV2 {
  return {
    indexName: index.indexName,
    partitionKey: toAttribute(index.partitionKey),
    sortKey: index.sortKey ? toAttribute(index.sortKey) : undefined,
    projectionType:
      index.projection === 'KEYS_ONLY'
        ? dynamodb.ProjectionType.KEYS_ONLY
        : dynamodb.ProjectionType.ALL,
  };
}
