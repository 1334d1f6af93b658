// Local-mode stand-ins for AWS services (never bundled into a Lambda): dynalite (on its own
// thread, dynalite-thread.ts) and table creation from the shared table definitions.
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import {
  type AttributeDefinition,
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import {
  type KeyAttribute,
  TABLES,
  type TableDefinition,
  type TableKey,
  tableName,
} from '#adapters/dynamodb/table-definitions.ts';

export {
  type RunningDynalite,
  type StartDynaliteOptions,
  startDynalite,
} from './dynalite-thread.ts';

function keySchema(partitionKey: KeyAttribute, sortKey?: KeyAttribute): KeySchemaElement[] {
  const schema: KeySchemaElement[] = [{ AttributeName: partitionKey.name, KeyType: 'HASH' }];
  if (sortKey !== undefined) schema.push({ AttributeName: sortKey.name, KeyType: 'RANGE' });
  return schema;
}

/** CreateTable input for one definition: on-demand, key schema and GSIs (projection as defined). */
export function createTableInput(
  name: string,
  definition: TableDefinition,
): CreateTableCommandInput {
  const indexes = definition.globalSecondaryIndexes ?? [];
  const attributes = new Map<string, KeyAttribute>();
  for (const attribute of [
    definition.partitionKey,
    definition.sortKey,
    ...indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ]) {
    if (attribute !== undefined) attributes.set(attribute.name, attribute);
  }
  const attributeDefinitions: AttributeDefinition[] = [...attributes.values()].map((attribute) => ({
    AttributeName: attribute.name,
    AttributeType: attribute.type,
  }));
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: attributeDefinitions,
    KeySchema: keySchema(definition.partitionKey, definition.sortKey),
    // DynamoDB refuses an empty list of indexes.
    GlobalSecondaryIndexes:
      indexes.length === 0
        ? undefined
        : indexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection: { ProjectionType: index.projection ?? 'ALL' },
          })),
  };
}

const TABLE_NAME_PATTERN = /^[A-Za-z0-9_.-]{3,255}$/;
const ACTIVE_POLL_MS = 25;
const ACTIVE_POLL_ATTEMPTS = 200;

async function tableStatus(client: DynamoDBClient, name: string): Promise<string | undefined> {
  try {
    const output = await client.send(new DescribeTableCommand({ TableName: name }));
    return output.Table?.TableStatus;
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/**
 * dynalite cannot add an index to an existing table (UpdateTable only changes throughput), so a
 * data folder created before an index was defined keeps working without it; say so once.
 */
async function warnAboutMissingIndexes(
  client: DynamoDBClient,
  name: string,
  definition: TableDefinition,
): Promise<void> {
  const output = await client.send(new DescribeTableCommand({ TableName: name }));
  const present = new Set(
    (output.Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName),
  );
  const missing = (definition.globalSecondaryIndexes ?? [])
    .map((index) => index.indexName)
    .filter((indexName) => !present.has(indexName));
  if (missing.length === 0) return;
  process.stderr.write(
    `[metrion local] table ${name} predates its index(es) ${missing.join(', ')}: features that read them answer 500 (e.g. the Logs detail). Delete the data folder's dynamodb/ directory to recreate the tables.\n`,
  );
}

async function ensureTable(
  client: DynamoDBClient,
  name: string,
  definition: TableDefinition,
): Promise<void> {
  if ((await tableStatus(client, name)) === undefined) {
    try {
      await client.send(new CreateTableCommand(createTableInput(name, definition)));
    } catch (error) {
      // Another process created it between our describe and create.
      if (!(error instanceof Error && error.name === 'ResourceInUseException')) throw error;
    }
  } else {
    await warnAboutMissingIndexes(client, name, definition);
  }
  for (let attempt = 0; attempt < ACTIVE_POLL_ATTEMPTS; attempt += 1) {
    if ((await tableStatus(client, name)) === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, ACTIVE_POLL_MS));
  }
  throw new Error(`Table ${name} did not become ACTIVE`);
}

/**
 * Creates every table in TABLES as `<prefix>-<suffix>` unless it exists, and waits until each is
 * ACTIVE; returns the physical names. TTL is not configured: dynalite does not implement
 * UpdateTimeToLive (and never expires items), so readers filter expired items themselves.
 */
export async function ensureTables(
  client: DynamoDBClient,
  prefix: string,
): Promise<Record<TableKey, string>> {
  const entries = Object.entries(TABLES) as [TableKey, TableDefinition][];
  const names = Object.fromEntries(entries.map(([key]) => [key, tableName(prefix, key)])) as Record<
    TableKey,
    string
  >;
  for (const name of Object.values(names)) {
    if (!TABLE_NAME_PATTERN.test(name)) {
      throw new Error(
        `Invalid table name "${name}": 3-255 characters from A-Z a-z 0-9 _ . - (check the prefix "${prefix}")`,
      );
    }
  }
  await Promise.all(
    entries.map(([key, definition]) => ensureTable(client, names[key], definition)),
  );
  return names;
}

// aws-ses-v2-local is CommonJS; its default export starts an express server.
const sesLocal = (
  createRequire(import.meta.url)('aws-ses-v2-local') as {
    default: (config: { host: string; port: number }) => Promise<Server>;
  }
).default;

export interface RunningSesLocal {
  /** `http://127.0.0.1:<port>`: the SESv2 client's `endpoint`, and the web inbox at `/`. */
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts aws-ses-v2-local (SESv2 `SendEmail` stand-in with a web inbox; `GET /store` lists what
 * was sent) in this process on 127.0.0.1. Its store lives in the module: one inbox per process.
 */
export async function startSesLocal(
  options: { readonly port?: number } = {},
): Promise<RunningSesLocal> {
  const host = '127.0.0.1';
  const server = await sesLocal({ host, port: options.port ?? 0 });
  // Its promise resolves even when listening failed (Express 5 hands the error to the callback).
  if (!server.listening) {
    const error = new Error(`aws-ses-v2-local could not listen on ${host}:${options.port ?? 0}`);
    throw Object.assign(error, { code: await listenFailureCode(host, options.port ?? 0) });
  }
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Why listening on `host:port` fails, found by trying it once (undefined if it now works). */
function listenFailureCode(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const probe = createNetServer();
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code));
    probe.listen(port, host, () => probe.close(() => resolve(undefined)));
  });
}
