// DynamoDB document client factory: marshalling options shared by every Dynamo*Store.
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, type TranslateConfig } from '@aws-sdk/lib-dynamodb';
import { KeyObjectSha256 } from '../system/key-object-sha256.ts';

/**
 * Marshalling shared by every store.
 * - `removeUndefinedValues`: optional fields left `undefined` are simply not written.
 * - bigint is marshalled to `N` with all its digits. On read, integers within
 *   `Number.MAX_SAFE_INTEGER` come back as `number` and larger ones as `bigint` (parsed from
 *   the `N` string), so `BigInt(value)` on either is exact. Stores holding bigint fields
 *   (`costPicoUsd`) convert that way instead of wrapping every number of every table.
 */
export const DOCUMENT_TRANSLATE_CONFIG = {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  unmarshallOptions: { wrapNumbers: false },
} as const satisfies TranslateConfig;

export interface DocumentClientOptions {
  /** Custom endpoint (local dynalite). @default - the regional AWS endpoint */
  readonly endpoint?: string;
  readonly region: string;
  /** @default - the SDK's default credential chain */
  readonly credentials?: DynamoDBClientConfig['credentials'];
  /**
   * Keep-alive connections the client may hold to the endpoint; requests beyond wait in the
   * agent's queue. @default 50 (the SDK's: ample for a Lambda instance, which serves one request
   * at a time; a process serving many at once, like local mode, needs more)
   */
  readonly maxSockets?: number;
  /**
   * What sends the requests instead of the SDK's HTTP handler (local mode hands them to
   * dynalite's thread); `maxSockets` does not apply then. @default - the SDK's node:http handler
   */
  readonly requestHandler?: DynamoDBClientConfig['requestHandler'];
}

/** Wraps an existing low-level client (e.g. one also used for table management). */
export function documentClientFrom(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, DOCUMENT_TRANSLATE_CONFIG);
}

/** A document client with Metrion's marshalling options; one per process, shared by stores. */
export function createDocumentClient(options: DocumentClientOptions): DynamoDBDocumentClient {
  // Signing holds its HMAC keys as KeyObjects: the same signatures, less CPU per call.
  const config: DynamoDBClientConfig = { region: options.region, sha256: KeyObjectSha256 };
  if (options.endpoint !== undefined) config.endpoint = options.endpoint;
  if (options.credentials !== undefined) config.credentials = options.credentials;
  // Options, not an Agent: the SDK builds its agent from them (keep-alive stays on) and still
  // owns it, so client.destroy() closes its sockets.
  if (options.requestHandler !== undefined) config.requestHandler = options.requestHandler;
  else if (options.maxSockets !== undefined) {
    config.requestHandler = { httpAgent: { maxSockets: options.maxSockets } };
  }
  return documentClientFrom(new DynamoDBClient(config));
}
