// Turns what `node test/bench/cost-inputs.bench.ts` measured into the model's inputs. The bench
// writes test-artifacts/bench/cost-inputs.json (gitignored) and, with --write-snapshot, the
// committed docs/cost-inputs.json; the model reads the fresh file when there is one, else the
// snapshot, so `npm run cost` works on a fresh clone and says which one it priced.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { StoreCall } from './cost-model.ts';

/** Where a store call started, relative to the one upstream exchange of its request. */
export type Phase = 'before' | 'during' | 'after' | 'late';

/** One kind of DynamoDB call the measured requests made, as the model prices it. */
export interface MeasuredCall {
  readonly phase: Phase;
  readonly op: string;
  /** `<table> <pk prefix>/<sk prefix>`, e.g. `accounts METRION_KEY/LOOKUP`. */
  readonly item: string;
  readonly kind: 'read' | 'write';
  /** Calls of this kind per request, over every measured request. */
  readonly perRequest: number;
  /** The largest stored item of the kind by AWS's rules (scripts/cost/item-size.ts), after the run. */
  readonly itemBytes: number;
  /** Write units of the index entries each write also writes (sparse indexes: items with the key). */
  readonly indexWrites: number;
  readonly consistent: boolean;
  /** What dynalite reported per call, table only: a cross-check of the size rule. */
  readonly dynaliteUnitsPerCall: number;
}

/** The bench's output file (test-artifacts/bench/cost-inputs.json, docs/cost-inputs.json). */
export interface CostInputsFile {
  readonly measuredAt: string;
  readonly command: string;
  readonly machine: string;
  readonly note: string;
  /** Sequential requests the calls were counted over (every case alike). */
  readonly requests: number;
  readonly calls: readonly MeasuredCall[];
  /** Sequential round trips (critical-path depth), mean per request. */
  readonly roundTrips: { readonly before: number; readonly after: number };
  readonly perCase: Readonly<
    Record<
      string,
      {
        readonly callsBefore: number;
        readonly callsAfter: number;
        readonly responseBytes: number;
        readonly sseEvents: number;
      }
    >
  >;
  readonly items: Readonly<Record<string, { count: number; meanBytes: number; maxBytes: number }>>;
  readonly logs: { readonly appLinesPerRequest: number; readonly appBytesPerRequest: number };
  readonly load: {
    readonly concurrency: number;
    readonly requests: number;
    readonly elapsedMs: number;
    readonly requestsPerSecond: number;
    readonly cpuMsPerRequest: number;
    readonly peakRssMb: number;
  };
}

/** Rollup items (hour and day), whoever writes them: the proxy today, the stream aggregator next. */
export const ROLLUP_ITEM_PREFIX = 'usage ROLLUP/';

export interface MeasuredInputs {
  /** Which file was priced, when and by which command it was measured. */
  readonly source: string;
  readonly file: CostInputsFile;
  /** Streamed response bytes per SSE event (OpenAI wire format, fake provider). */
  readonly bytesPerSseEvent: number;
}

/** The fresh bench output when present, else the committed snapshot. */
export function loadMeasuredInputs(freshPath: string, snapshotPath: string): MeasuredInputs {
  const chosen = existsSync(freshPath) ? freshPath : snapshotPath;
  if (!existsSync(chosen)) {
    throw new Error(
      `neither ${freshPath} nor ${snapshotPath} exists: run node test/bench/cost-inputs.bench.ts`,
    );
  }
  const file = JSON.parse(readFileSync(chosen, 'utf8')) as CostInputsFile;
  if (!Array.isArray(file.calls)) {
    throw new Error(`${chosen} is from an older bench: run node test/bench/cost-inputs.bench.ts`);
  }
  const stream = file.perCase['OpenAI stream'];
  const kind = chosen === freshPath ? 'fresh bench output' : 'committed snapshot';
  return {
    source: `${path.relative(process.cwd(), chosen)} (${kind}; measured ${file.measuredAt} by \`${file.command}\`)`,
    file,
    bytesPerSseEvent: stream && stream.sseEvents > 0 ? stream.responseBytes / stream.sseEvents : 0,
  };
}

/** Who wrote the rollups in the measured run, which decides what the model adds for them. */
export type RollupWrites =
  /** The proxy itself, before its invocation ended: measured, no aggregator to add. */
  | 'proxy'
  /** Something after the invocation (the aggregator's in-process feed): measured. */
  | 'background'
  /** Nothing in the run: the stream aggregator's writes are a model input. */
  | 'modelled';

/** The stream aggregator's writes while the bench does not see them: stated, not measured. */
export interface AggregatorAssumption {
  /** Records of one batch that share an (account, hour) and (account, day) rollup item. */
  readonly mergeFactor: number;
  /** Rollup item size (under 1 KB: 1 WRU per ADD). */
  readonly rollupItemBytes: number;
  /** Dirty-marker writes per (account, hour) per batch: one before the ADDs, one after. */
  readonly markersPerBatchItem: number;
  readonly markerItemBytes: number;
}

export function rollupWrites(calls: readonly MeasuredCall[]): RollupWrites {
  const rollups = calls.filter(
    (call) => call.kind === 'write' && call.item.startsWith(ROLLUP_ITEM_PREFIX),
  );
  if (rollups.length === 0) return 'modelled';
  return rollups.every((call) => call.phase === 'late') ? 'background' : 'proxy';
}

/** Every measured call, priced as measured; plus the aggregator's writes when none were measured. */
export function pricedCalls(
  calls: readonly MeasuredCall[],
  aggregator: AggregatorAssumption,
): StoreCall[] {
  const measured: StoreCall[] = calls.map((call) => ({
    label: `measured, ${call.phase}: ${call.op} ${call.item}`,
    kind: call.kind,
    itemBytes: call.itemBytes,
    perRequest: call.perRequest,
    consistent: call.consistent,
    indexWrites: call.indexWrites,
  }));
  if (rollupWrites(calls) !== 'modelled') return measured;
  const share = 1 / aggregator.mergeFactor;
  const modelled = (label: string, itemBytes: number, perRecord: number): StoreCall => ({
    label: `MODELLED, aggregator: ${label} (${perRecord} per ${aggregator.mergeFactor} records)`,
    kind: 'write',
    itemBytes,
    perRequest: perRecord * share,
  });
  return [
    ...measured,
    modelled('UpdateItem ADD usage ROLLUP/H', aggregator.rollupItemBytes, 1),
    modelled('UpdateItem ADD usage ROLLUP/D', aggregator.rollupItemBytes, 1),
    modelled('PutItem usage DIRTY/-', aggregator.markerItemBytes, aggregator.markersPerBatchItem),
  ];
}
