// Stands in for `@aws-sdk/lib-dynamodb` in the proxy bundle (esbuild alias,
// lib/constructs/lambda-bundling.ts): the document commands the adapters send, marshalled with
// `@aws-sdk/util-dynamodb` (the functions the SDK's document client uses) and the client's
// translate config. Expression parameters only: the legacy `Expected`, `AttributeUpdates`,
// `KeyConditions` and `*Filter` maps go out unmarshalled. A command missing here fails the
// bundle build (esbuild: no matching export), and the contract suites run the adapters over
// these commands on dynalite (`test/lambda-clients`).
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type {
  DeleteCommandInput,
  DeleteCommandOutput,
  GetCommandInput,
  GetCommandOutput,
  PutCommandInput,
  PutCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
  ScanCommandInput,
  ScanCommandOutput,
  TranslateConfig,
  UpdateCommandInput,
  UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { fromBase64, toBase64 } from './aws-json-client.ts';
import type { DynamoDBClient } from './client-dynamodb.ts';

/** Where items sit in a request or answer: `item` is one item map, `*` every key or element. */
type Shape = 'item' | { readonly [field: string]: Shape };

type Output<T> = Omit<T, '$metadata'>;

/** A document command: the operation and where its items sit both ways. */
abstract class DocumentCommand<Input, Result> {
  readonly input: Input;
  abstract readonly operation: string;
  abstract readonly inputShape: Shape;
  abstract readonly outputShape: Shape;
  /** Only for typing `send`'s answer. */
  declare readonly _result?: Result;

  constructor(input: Input) {
    this.input = input;
  }
}

const KEY_AND_VALUES = { Key: 'item', ExpressionAttributeValues: 'item' } as const;
const ITEMS_AND_LAST_KEY = { Items: { '*': 'item' }, LastEvaluatedKey: 'item' } as const;
const PAGE_REQUEST = { ExclusiveStartKey: 'item', ExpressionAttributeValues: 'item' } as const;

export class GetCommand extends DocumentCommand<GetCommandInput, Output<GetCommandOutput>> {
  readonly operation = 'GetItem';
  readonly inputShape = { Key: 'item' } as const;
  readonly outputShape = { Item: 'item' } as const;
}

export class PutCommand extends DocumentCommand<PutCommandInput, Output<PutCommandOutput>> {
  readonly operation = 'PutItem';
  readonly inputShape = { Item: 'item', ExpressionAttributeValues: 'item' } as const;
  readonly outputShape = { Attributes: 'item' } as const;
}

export class UpdateCommand extends DocumentCommand<
  UpdateCommandInput,
  Output<UpdateCommandOutput>
> {
  readonly operation = 'UpdateItem';
  readonly inputShape = KEY_AND_VALUES;
  readonly outputShape = { Attributes: 'item' } as const;
}

export class DeleteCommand extends DocumentCommand<
  DeleteCommandInput,
  Output<DeleteCommandOutput>
> {
  readonly operation = 'DeleteItem';
  readonly inputShape = KEY_AND_VALUES;
  readonly outputShape = { Attributes: 'item' } as const;
}

export class QueryCommand extends DocumentCommand<QueryCommandInput, Output<QueryCommandOutput>> {
  readonly operation = 'Query';
  readonly inputShape = PAGE_REQUEST;
  readonly outputShape = ITEMS_AND_LAST_KEY;
}

export class ScanCommand extends DocumentCommand<ScanCommandInput, Output<ScanCommandOutput>> {
  readonly operation = 'Scan';
  readonly inputShape = PAGE_REQUEST;
  readonly outputShape = ITEMS_AND_LAST_KEY;
}

export class DynamoDBDocumentClient {
  readonly #client: DynamoDBClient;
  readonly #config: TranslateConfig;

  private constructor(client: DynamoDBClient, config: TranslateConfig) {
    this.#client = client;
    this.#config = config;
  }

  static from(client: DynamoDBClient, config: TranslateConfig = {}): DynamoDBDocumentClient {
    return new DynamoDBDocumentClient(client, config);
  }

  /** Sends one command. A failed call throws the service's error; an item it carries (for
   * `ReturnValuesOnConditionCheckFailure`) is unmarshalled like an answer's. */
  async send<Input, Result>(command: DocumentCommand<Input, Result>): Promise<Result> {
    const toItem = (value: unknown) =>
      toWire(marshall(value as Record<string, unknown>, this.#config.marshallOptions));
    const fromItem = (value: unknown) =>
      unmarshall(fromWire(value as Record<string, WireValue>), this.#config.unmarshallOptions);
    try {
      const output = await this.#client.json.call(
        command.operation,
        reshape(command.input, command.inputShape, toItem),
      );
      return reshape(output, command.outputShape, fromItem) as Result;
    } catch (error) {
      throw reshape(error, { Item: 'item' }, fromItem);
    }
  }

  destroy(): void {
    this.#client.destroy();
  }
}

/** Applies `convert` to every item `shape` names, leaving everything else as it is. */
function reshape<T>(value: T, shape: Shape, convert: (item: unknown) => unknown): T {
  if (value === undefined || value === null) return value;
  if (shape === 'item') return convert(value) as T;
  if (typeof value !== 'object') return value;
  const target = value as Record<string, unknown>;
  const every = shape['*'];
  if (every !== undefined) {
    if (Array.isArray(value)) return value.map((entry) => reshape(entry, every, convert)) as T;
    return Object.fromEntries(
      Object.entries(target).map(([key, entry]) => [key, reshape(entry, every, convert)]),
    ) as T;
  }
  // An error keeps its identity (name, prototype); an answer is copied.
  const copy = value instanceof Error ? target : { ...target };
  for (const [field, inner] of Object.entries(shape)) {
    if (target[field] !== undefined) copy[field] = reshape(target[field], inner, convert);
  }
  return copy as T;
}

/** An attribute value as JSON carries it: binaries in base64. */
type WireValue = Record<string, unknown>;

function toWire(item: Record<string, AttributeValue>): Record<string, WireValue> {
  return Object.fromEntries(
    Object.entries(item).map(([name, value]) => [name, valueToWire(value)]),
  );
}

function valueToWire(value: AttributeValue): WireValue {
  if (value.B !== undefined) return { B: toBase64(value.B) };
  if (value.BS !== undefined) return { BS: value.BS.map(toBase64) };
  if (value.M !== undefined) return { M: toWire(value.M) };
  if (value.L !== undefined) return { L: value.L.map(valueToWire) };
  return value as unknown as WireValue;
}

function fromWire(item: Record<string, WireValue>): Record<string, AttributeValue> {
  return Object.fromEntries(
    Object.entries(item).map(([name, value]) => [name, valueFromWire(value)]),
  );
}

function valueFromWire(value: WireValue): AttributeValue {
  if (typeof value.B === 'string') return { B: fromBase64(value.B) } as AttributeValue;
  if (Array.isArray(value.BS)) return { BS: value.BS.map(fromBase64) } as AttributeValue;
  if (value.M !== undefined) return { M: fromWire(value.M as Record<string, WireValue>) };
  if (Array.isArray(value.L)) return { L: value.L.map(valueFromWire) };
  return value as unknown as AttributeValue;
}
