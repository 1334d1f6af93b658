// Records every DynamoDB call made through one SDK client (a middleware on its stack): the
// operation, the items it names, when it started and ended, the capacity dynalite reports for
// it, and the marshalled size of an item it puts. The cost bench reads a request's calls from it.
import { type AttributeValue, itemSizeBytes } from '../../../scripts/cost/item-size.ts';

export type Item = Record<string, AttributeValue>;

export interface RecordedCall {
  /** `PutItem`, `UpdateItem`, ... */
  readonly op: string;
  readonly startMs: number;
  endMs: number;
  /** What dynalite reports (table only: it counts no index writes). */
  capacityUnits: number;
  /** A read asked for strong consistency. */
  readonly consistentRead: boolean;
  /** Marshalled size of the item a Put writes. */
  readonly putItemBytes?: number;
  /** `<table> <pk prefix>/<sk prefix>` of each item the call names (Key, Item or batch keys). */
  readonly kinds: readonly string[];
}

/**
 * Parts of a key that are ids (hex digests, UUIDs, account ids) or instants (a trace's arrival
 * time) are not the item's kind.
 */
const ID_PART = /^([0-9a-f-]{16,}|\d{4}-\d{2}-\d{2}T[\d:.]+Z)$/i;

/** `accounts ACCOUNT/PROFILE`: the table without its local prefix, then the key prefixes. */
export function itemKind(table: string, item: Item): string {
  const prefix = (value: AttributeValue | undefined) => {
    const first = value && 'S' in value ? (value.S.split('#')[0] ?? '') : '';
    return first === '' || ID_PART.test(first) ? '-' : first;
  };
  return `${table.replace(/^metrion-local-/, '')} ${prefix(item.pk)}/${prefix(item.sk)}`;
}

function keysOf(input: Record<string, unknown>): Array<[string, Item]> {
  const table = String(input.TableName ?? '');
  if (input.Key) return [[table, input.Key as Item]];
  if (input.Item) return [[table, input.Item as Item]];
  const batch = (input.RequestItems ?? {}) as Record<string, { Keys?: Item[] }>;
  return Object.entries(batch).flatMap(([name, request]) =>
    (request.Keys ?? []).map((key) => [name, key] as [string, Item]),
  );
}

interface MiddlewareArgs {
  input: Record<string, unknown>;
}
type Middleware = (
  next: (args: MiddlewareArgs) => Promise<{ output: Record<string, unknown> }>,
  context: { commandName?: string },
) => (args: MiddlewareArgs) => Promise<{ output: Record<string, unknown> }>;
/** The slice of the SDK's middleware stack used here (its generic step types add nothing). */
export interface MiddlewareStack {
  add(middleware: Middleware, options: { step: 'initialize' | 'build'; name: string }): void;
}

export interface CallRecorder {
  readonly calls: RecordedCall[];
  /** Calls made before this are not recorded (account set-up). */
  start(): void;
  idle(): boolean;
}

export function recordCalls(stack: MiddlewareStack): CallRecorder {
  const calls: RecordedCall[] = [];
  let inFlight = 0;
  let enabled = false;
  // Asked for before serialisation, so dynalite reports what each call consumed.
  stack.add(
    (next) => async (args) => {
      if (enabled) args.input.ReturnConsumedCapacity = 'TOTAL';
      return next(args);
    },
    { step: 'initialize', name: 'costInputsConsumedCapacity' },
  );
  // At the build step the document client has marshalled the input: sizes are the wire's.
  stack.add(
    (next, context) => async (args) => {
      if (!enabled) return next(args);
      const item = args.input.Item as Item | undefined;
      const call: RecordedCall = {
        op: (context.commandName ?? '?').replace(/Command$/, ''),
        startMs: performance.now(),
        endMs: 0,
        capacityUnits: 0,
        consistentRead: args.input.ConsistentRead === true,
        ...(item ? { putItemBytes: itemSizeBytes(item) } : {}),
        kinds: keysOf(args.input).map(([table, key]) => itemKind(table, key)),
      };
      inFlight += 1;
      try {
        const result = await next(args);
        const consumed = result.output.ConsumedCapacity as
          | { CapacityUnits?: number }
          | Array<{ CapacityUnits?: number }>
          | undefined;
        const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
        call.capacityUnits = list.reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
        return result;
      } finally {
        call.endMs = performance.now();
        inFlight -= 1;
        calls.push(call);
      }
    },
    { step: 'build', name: 'costInputsRecorder' },
  );
  return {
    calls,
    start: () => {
      enabled = true;
    },
    idle: () => inFlight === 0,
  };
}
