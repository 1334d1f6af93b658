import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '#adapters/dynamodb/document-client.ts';
import { DynamoUsageStore } from '#adapters/dynamodb/dynamo-usage-store.ts';
import { tableName } from '#adapters/dynamodb/table-definitions.ts';
import { LocalDataKeyProvider } from '#adapters/local/local-data-key-provider.ts';
import { loadOrCreateMasterKey } from '#adapters/local/master-key-file.ts';
import { CryptoRandom } from '#adapters/system/crypto-random.ts';
import { SystemClock } from '#adapters/system/system-clock.ts';
import type { AccountService } from '#core/accounts/account-service.ts';
import type { WaitingClock } from '#core/ports/clock.ts';
import type { DataKeyProvider } from '#core/ports/data-key-provider.ts';
import type { UsageStore } from '#core/ports/usage-store.ts';
import { buildAccountService } from '#lambda/dashboard-api.deps.ts';
import type { DynaliteHandOff, SdkRequestHandler } from './dynalite-hand-off.ts';
import { ensureTables } from './stand-ins.ts';

export const LOCAL_TABLE_PREFIX = 'metrion-local';
const REGION = 'local';
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
/**
 * Connections to dynalite over HTTP (clients in another process than dynalite's). In AWS each
 * proxy instance serves one request, so the SDK's 50 are plenty; a local process serves them all,
 * and at c=50 calls waited for a socket, the next requests' key lookups queued behind earlier
 * requests' rollup writes. Bounded, so a backlog cannot open connections without limit.
 */
export const LOCAL_DYNAMO_MAX_SOCKETS = 256;

/** Local-mode data access: the AWS adapters pointed at dynalite, local keys instead of KMS. */
export interface LocalData {
  readonly documentClient: DynamoDBDocumentClient;
  readonly accountsTable: string;
  readonly usageTable: string;
  /** The proxy's response cache. */
  readonly responseCacheTable: string;
  /** Daily FX reference rates. */
  readonly fxRatesTable: string;
  /** Price versions the daily price refresh stored. */
  readonly pricesTable: string;
  readonly dataKeyProvider: DataKeyProvider;
  readonly pepper: Uint8Array;
  readonly accountService: AccountService;
  readonly usage: UsageStore;
}

/**
 * A document client on local dynalite: through `handOff` in the process that runs it, else over
 * HTTP. Each local "function" that runs apart in AWS (the usage aggregator) gets its own, so its
 * calls are its own as there.
 */
export function localDocumentClient(
  dynamoEndpoint: string,
  handOff?: SdkRequestHandler,
): DynamoDBDocumentClient {
  return createDocumentClient({
    endpoint: dynamoEndpoint,
    region: REGION,
    credentials: CREDENTIALS,
    ...(handOff === undefined
      ? { maxSockets: LOCAL_DYNAMO_MAX_SOCKETS }
      : { requestHandler: handOff }),
  });
}

async function localSecret(dataDir: string | undefined, file: string): Promise<Uint8Array> {
  return dataDir ? loadOrCreateMasterKey(join(dataDir, file)) : new CryptoRandom().bytes(32);
}

/**
 * Opens local data on a running dynalite. With `dataDir` the master key and the Metrion Key
 * pepper persist in files there (mode 0600); without it they are ephemeral.
 */
export async function openLocalData(options: {
  dynamoEndpoint: string;
  /** dynalite's hand-off, when it runs in this process. @default - HTTP to the endpoint */
  dynamoHandOff?: DynaliteHandOff;
  dataDir?: string;
  /**
   * Decides which records have expired and stamps accounts: the clock of the process that writes
   * them, so a pinned clock's records do not expire by the real date. @default - the system clock
   */
  clock?: WaitingClock;
}): Promise<LocalData> {
  await ensureTables(
    new DynamoDBClient({
      endpoint: options.dynamoEndpoint,
      region: REGION,
      credentials: CREDENTIALS,
    }),
    LOCAL_TABLE_PREFIX,
  );
  const documentClient = localDocumentClient(options.dynamoEndpoint, options.dynamoHandOff);
  const random = new CryptoRandom();
  const clock = options.clock ?? new SystemClock();
  const dataKeyProvider = new LocalDataKeyProvider({
    masterKey: await localSecret(options.dataDir, 'master.key'),
    random,
  });
  const pepper = await localSecret(options.dataDir, 'pepper.key');
  const accountsTable = tableName(LOCAL_TABLE_PREFIX, 'accounts');
  const usageTable = tableName(LOCAL_TABLE_PREFIX, 'usage');
  return {
    documentClient,
    accountsTable,
    usageTable,
    responseCacheTable: tableName(LOCAL_TABLE_PREFIX, 'responseCache'),
    fxRatesTable: tableName(LOCAL_TABLE_PREFIX, 'fxRates'),
    pricesTable: tableName(LOCAL_TABLE_PREFIX, 'prices'),
    dataKeyProvider,
    pepper,
    accountService: buildAccountService(
      { documentClient, accountsTable, dataKeyProvider, pepper },
      { clock, random },
    ),
    usage: new DynamoUsageStore({ client: documentClient, tableName: usageTable, clock }),
  };
}
