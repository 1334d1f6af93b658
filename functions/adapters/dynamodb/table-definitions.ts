/**
 * DynamoDB tables as data: the CDK Data construct and local table creation both read this, so
 * deployed and local schemas cannot drift. Keys are generic (`pk`/`sk`); item shapes live in
 * the store adapters.
 */
export type AttributeType = 'S' | 'N';

export interface KeyAttribute {
  readonly name: string;
  readonly type: AttributeType;
}

export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  /** Which attributes the index copies: all, or only the table and index keys. @default 'ALL' */
  readonly projection?: 'ALL' | 'KEYS_ONLY';
}

export interface TableDefinition {
  /** Stable CDK construct id (stateful: never rename). */
  readonly constructId: string;
  /** Suffix of the physical table name: `metrion-<env>-<suffix>`. */
  readonly nameSuffix: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  /** Epoch-seconds attribute DynamoDB TTL deletes by; readers still filter expired items. */
  readonly timeToLiveAttribute?: string;
  /**
   * A DynamoDB Stream of new item images (AWS only: dynalite has no Streams, local mode feeds
   * its consumer in process). @default - no stream
   */
  readonly stream?: 'NEW_IMAGE';
  readonly globalSecondaryIndexes?: readonly IndexDefinition[];
}

const pk: KeyAttribute = { name: 'pk', type: 'S' };
const sk: KeyAttribute = { name: 'sk', type: 'S' };

/**
 * Sort-key prefix of the raw usage records in the `usage` table (`sk=REQ#<at>#<requestId>`): the
 * usage aggregator's stream filter selects on it, so rollups and markers never trigger it.
 */
export const USAGE_RECORD_SORT_KEY_PREFIX = 'REQ#';

/**
 * Partition-key prefix of the request traces in the `usage` table (`pk=TRACE#<shard>`): the
 * proxy's IAM grant lets it delete only items under it.
 */
export const TRACE_PK_PREFIX = 'TRACE#';

/**
 * Usage index from a record's `requestId` to its keys (keys only: no second copy of the data);
 * sparse, since only usage records carry `requestId`. The Logs detail view reads through it.
 */
export const USAGE_BY_REQUEST_ID_INDEX = 'byRequestId';

/**
 * Accounts index of the active (not paused) alert rules of every account, ordered by account
 * then rule: sparse (only active rule items carry `activeShard`/`activeKey`), read page by page
 * by the alert evaluator.
 */
export const ACTIVE_ALERT_RULES_INDEX = 'activeAlertRules';

export const TABLES = {
  /**
   * Accounts (with their billing state), Metrion Key lookup items, stored provider keys, alert
   * rules (in the account's partition, so every rule read is scoped by the account key) and
   * processed Stripe event ids (the only items here that expire).
   */
  accounts: {
    constructId: 'AccountsTable',
    nameSuffix: 'accounts',
    partitionKey: pk,
    sortKey: sk,
    timeToLiveAttribute: 'expiresAtEpochSeconds',
    globalSecondaryIndexes: [
      {
        indexName: ACTIVE_ALERT_RULES_INDEX,
        partitionKey: { name: 'activeShard', type: 'S' },
        sortKey: { name: 'activeKey', type: 'S' },
      },
    ],
  },
  /** Usage records, hourly/daily rollups, seal markers and error copies, expiring by plan retention. */
  usage: {
    constructId: 'UsageTable',
    nameSuffix: 'usage',
    partitionKey: pk,
    sortKey: sk,
    timeToLiveAttribute: 'expiresAtEpochSeconds',
    // The usage aggregator builds the live rollups from the records' inserts.
    stream: 'NEW_IMAGE',
    globalSecondaryIndexes: [
      {
        indexName: USAGE_BY_REQUEST_ID_INDEX,
        partitionKey: { name: 'requestId', type: 'S' },
        projection: 'KEYS_ONLY',
      },
    ],
  },
  /** Opt-in response cache entries. */
  responseCache: {
    constructId: 'ResponseCacheTable',
    nameSuffix: 'response-cache',
    partitionKey: pk,
    timeToLiveAttribute: 'expiresAtEpochSeconds',
  },
  /** Daily euro reference rates (`pk=ECB, sk=<date>`), written by the fx-rates function. */
  fxRates: { constructId: 'FxRatesTable', nameSuffix: 'fx-rates', partitionKey: pk, sortKey: sk },
  /**
   * Price data versions the daily refresh stored (`pk=PRICES, sk=VERSION#<version>`) and which
   * one is current (`sk=CURRENT`), written by the price-refresh function.
   */
  prices: { constructId: 'PricesTable', nameSuffix: 'prices', partitionKey: pk, sortKey: sk },
} as const satisfies Record<string, TableDefinition>;

export type TableKey = keyof typeof TABLES;

export function tableName(prefix: string, table: TableKey): string {
  return `${prefix}-${TABLES[table].nameSuffix}`;
}
