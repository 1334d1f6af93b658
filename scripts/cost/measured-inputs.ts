// Turns the benches' JSON into the model's inputs: `test/bench/cost-inputs.bench.ts` writes
// cost-inputs.json (today's calls, item sizes, logs, CPU, memory); the proxy handler bench, when
// it has run, writes proxy-handler.json with the call counts of the redesigned hot path.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { StoreCall } from './cost-model.ts';

export interface MeasuredInputs {
  readonly source: string;
  /** Mean stored sizes by item kind (`accounts ACCOUNT/PROFILE`, `usage ACCOUNT/REQ`, ...). */
  readonly itemBytes: Readonly<Record<string, number>>;
  /** Today's calls of one streamed request, sized. */
  readonly todayCalls: readonly StoreCall[];
  readonly todayRoundTrips: number;
  readonly cpuMsPerRequest: number;
  readonly peakRssMb: number;
  readonly appLogBytesPerRequest: number;
  /** Streamed response bytes per SSE event (OpenAI wire format, fake provider). */
  readonly bytesPerSseEvent: number;
  /** Round trips before + after the provider in the handler bench, when it has run. */
  readonly handlerBench?: { readonly source: string; readonly roundTrips: number };
}

interface CostInputsFile {
  readonly measuredAt: string;
  readonly items: Record<string, { meanBytes: number }>;
  readonly logs: { appBytesPerRequest: number };
  readonly load: { cpuMsPerRequest: number; peakRssMb: number };
  readonly dynamo: {
    readonly perCase: Record<
      string,
      {
        roundTripsBefore: number;
        roundTripsAfter: number;
        responseBytes: number;
        sseEvents: number;
        lastRequestCalls: Array<{ phase: string; op: string; items: string[] }>;
      }
    >;
  };
}

const READ_OPS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan']);
/** Usage records carry `requestId`, so each also writes a keys-only `byRequestId` index entry. */
export const USAGE_RECORD_KIND = 'usage ACCOUNT/REQ';

function sizeOf(itemBytes: Readonly<Record<string, number>>, kind: string): number {
  const size = itemBytes[kind] ?? itemBytes[kind.replace(/\/[^/]*$/, '/-')];
  if (size === undefined) throw new Error(`no measured size for item kind '${kind}'`);
  return size;
}

export function loadMeasuredInputs(
  costInputsPath: string,
  handlerBenchPath: string,
): MeasuredInputs {
  if (!existsSync(costInputsPath)) {
    throw new Error(`${costInputsPath} is missing: run node test/bench/cost-inputs.bench.ts first`);
  }
  const file = JSON.parse(readFileSync(costInputsPath, 'utf8')) as CostInputsFile;
  const itemBytes = Object.fromEntries(
    Object.entries(file.items).map(([kind, entry]) => [kind, Math.round(entry.meanBytes)]),
  );
  const stream = file.dynamo.perCase['OpenAI stream'];
  if (!stream) throw new Error(`${costInputsPath} has no 'OpenAI stream' case`);
  const todayCalls: StoreCall[] = stream.lastRequestCalls.flatMap((call) => {
    const kind = READ_OPS.has(call.op) ? 'read' : 'write';
    // A batch read is billed per item, so each item becomes its own read.
    return call.items.map((item) => ({
      label: `${call.phase}: ${call.op} ${item}`,
      kind,
      itemBytes: sizeOf(itemBytes, item),
      perRequest: 1,
      ...(kind === 'write' && item === USAGE_RECORD_KIND ? { indexWrites: 1 } : {}),
    })) satisfies StoreCall[];
  });
  return {
    source: `${path.relative(process.cwd(), costInputsPath)} (${file.measuredAt})`,
    itemBytes,
    todayCalls,
    todayRoundTrips: stream.roundTripsBefore + stream.roundTripsAfter,
    cpuMsPerRequest: file.load.cpuMsPerRequest,
    peakRssMb: file.load.peakRssMb,
    appLogBytesPerRequest: file.logs.appBytesPerRequest,
    bytesPerSseEvent: stream.sseEvents > 0 ? stream.responseBytes / stream.sseEvents : 0,
    ...readHandlerBench(handlerBenchPath),
  };
}

/** Accepts `{ callsBefore, callsAfter }` (numbers) from the handler bench, if it has run. */
function readHandlerBench(file: string): { handlerBench?: MeasuredInputs['handlerBench'] } {
  if (!existsSync(file)) return {};
  const bench = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const before = Number(bench.callsBefore);
  const after = Number(bench.callsAfter);
  if (!Number.isFinite(before) || !Number.isFinite(after)) return {};
  return { handlerBench: { source: file, roundTrips: before + after } };
}

/**
 * The hot path issue 13 targets, sized with measured items: one conditional UpdateItem of the
 * key item before the provider (it carries the account and its sealed provider keys, so it is
 * the lookup, profile and two provider-key items together), one conditional PutItem of the usage
 * record after, and the stream aggregator's ADDs (hour and day rollup) shared by the
 * `mergeFactor` records of a batch that land in the same bucket.
 */
export function targetCalls(
  itemBytes: Readonly<Record<string, number>>,
  mergeFactor: number,
): StoreCall[] {
  const keyItemBytes =
    sizeOf(itemBytes, 'accounts METRION_KEY/LOOKUP') +
    sizeOf(itemBytes, 'accounts ACCOUNT/PROFILE') +
    2 * sizeOf(itemBytes, 'accounts ACCOUNT/PROVIDER_KEY');
  return [
    {
      label: 'before: UpdateItem key item (auth + plan + limits)',
      kind: 'write',
      itemBytes: keyItemBytes,
      perRequest: 1,
    },
    {
      label: 'after: PutItem usage record (+ byRequestId index entry)',
      kind: 'write',
      itemBytes: sizeOf(itemBytes, USAGE_RECORD_KIND),
      perRequest: 1,
      indexWrites: 1,
    },
    {
      label: `aggregator: UpdateItem ADD hour rollup (1/${mergeFactor} per record)`,
      kind: 'write',
      itemBytes: sizeOf(itemBytes, 'usage ROLLUP/H'),
      perRequest: 1 / mergeFactor,
    },
    {
      label: `aggregator: UpdateItem ADD day rollup (1/${mergeFactor} per record)`,
      kind: 'write',
      itemBytes: sizeOf(itemBytes, 'usage ROLLUP/D'),
      perRequest: 1 / mergeFactor,
    },
  ];
}
