// `node test/bench/cost-inputs.bench.ts [--write-snapshot]`: measures what `npm run cost`
// prices, into test-artifacts/bench/cost-inputs.json (and, with --write-snapshot, the committed
// docs/cost-inputs.json that `npm run cost` falls back to). This process plays the Lambda (local
// API Gateway emulation + the real proxy handler + the real DynamoDB adapters and SDK client); a
// forked child holds dynalite, the fake providers and the load generator, so this process's CPU
// and memory are close to what the proxy Lambda itself would spend. Measured:
//  1. every DynamoDB call per request (sequential requests), by phase: before the upstream call,
//     during it, after its body ended (billed), late (after the invocation ended), with the
//     capacity dynalite reports and the sequential round trips of each phase;
//  2. item sizes of the stored items (AWS size rules, scripts/cost/item-size.ts) and the index
//     entries each write adds (the sparse indexes of functions/adapters/dynamodb/table-definitions);
//  3. application log bytes per request (the JSON logger's lines);
//  4. CPU ms per request and peak RSS at concurrency 50; response bytes per case.
import '#local/awslambda-shim.ts';
import { type ChildProcess, fork } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { TABLES } from '#adapters/dynamodb/table-definitions.ts';
import { FetchUpstreamClient } from '#adapters/http/fetch-upstream-client.ts';
import { JsonLogger } from '#adapters/system/json-logger.ts';
import { ROUTE_NOT_FOUND_RESPONSE } from '#contracts/gateway-responses.ts';
import type { UpstreamClient } from '#core/ports/upstream-client.ts';
import { PROXY_PATH_PREFIX } from '#core/providers/routes.ts';
import { createProxyHandler } from '#handlers/proxy.ts';
import { buildProxyDeps } from '#lambda/proxy.deps.ts';
import { startApiGatewayServer } from '#local/api-gateway-server.ts';
import type { StreamingLambdaHandler } from '#local/awslambda-shim.ts';
import { openLocalData } from '#local/local-data.ts';
import { startDynalite } from '#local/stand-ins.ts';
import { itemSizeBytes, writeUnits } from '../../scripts/cost/item-size.ts';
import type { CostInputsFile, MeasuredCall, Phase } from '../../scripts/cost/measured-inputs.ts';
import { startFakeAnthropic } from '../fixtures/fake-anthropic-server.ts';
import { startFakeOpenAi } from '../fixtures/fake-openai-server.ts';
import { createBenchAccounts, REQUESTS_PER_KEY } from './support/bench-stack.ts';
import {
  type CallRecorder,
  type Item,
  itemKind,
  type MiddlewareStack,
  type RecordedCall,
  recordCalls,
} from './support/dynamo-call-recorder.ts';
import { CASES, caseBody, casePaths, credentialHeaders } from './support/handler-cases.ts';
import { keepAliveAgent, runClosedLoop, type Target, timedPost } from './support/load-generator.ts';
import { criticalPathDepth, splitPhases } from './support/store-call-phases.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const OUTPUT = path.join(ROOT, 'test-artifacts/bench/cost-inputs.json');
/** The committed copy `npm run cost` prices on a fresh clone. */
const SNAPSHOT = path.join(ROOT, 'docs/cost-inputs.json');
const WRITE_SNAPSHOT = process.argv.includes('--write-snapshot');
const SEQUENTIAL_PER_CASE = 10;
const LOAD = { concurrency: 50, warmup: 100, requests: 800 } as const;
const ACCOUNTS =
  Math.ceil((LOAD.warmup + LOAD.requests + CASES.length * SEQUENTIAL_PER_CASE) / REQUESTS_PER_KEY) +
  2;

interface WireTarget {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}
type PeerMessage =
  | { kind: 'ready'; dynamoEndpoint: string; openai: string; anthropic: string }
  | { kind: 'done'; sent: number };
type LambdaMessage = { kind: 'load'; targets: WireTarget[]; concurrency: number; count: number };

/** Child: dynalite, fake providers, and the closed-loop load the parent asks for. */
async function runPeers(): Promise<void> {
  const [dynalite, openai, anthropic] = await Promise.all([
    startDynalite(),
    startFakeOpenAi({ scenario: { kind: 'ok' } }),
    startFakeAnthropic({ scenario: { kind: 'ok' } }),
  ]);
  const agent = keepAliveAgent(LOAD.concurrency);
  process.on('disconnect', () => process.exit(0));
  process.on('message', async (message: LambdaMessage | { kind: 'stop' }) => {
    if (message.kind === 'stop') {
      agent.destroy();
      await Promise.all([dynalite.close(), openai.close(), anthropic.close()]);
      process.exit(0);
    }
    const targets: Target[] = message.targets.map((target) => ({
      url: new URL(target.url),
      headers: target.headers,
      body: Buffer.from(target.body),
    }));
    let next = 0;
    const samples = await runClosedLoop(message.count, message.concurrency, () =>
      timedPost(targets[next++ % targets.length] as Target, agent),
    );
    process.send?.({ kind: 'done', sent: samples.length } satisfies PeerMessage);
  });
  process.send?.({
    kind: 'ready',
    dynamoEndpoint: dynalite.endpoint,
    openai: openai.origin,
    anthropic: anthropic.origin,
  } satisfies PeerMessage);
}

/** When the request in flight went upstream, read the upstream body's end, and ended. */
interface Marks {
  sentMs: number;
  endMs: number;
  settledMs: number;
}

/** Upstream client that notes when the current request went upstream and when its body ended. */
function timedUpstream(inner: UpstreamClient, marks: Marks): UpstreamClient {
  return {
    async send(request) {
      marks.sentMs = performance.now();
      const response = await inner.send(request);
      const body = response.body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          flush: () => {
            marks.endMs = performance.now();
          },
        }),
      );
      return { ...response, body };
    },
  };
}

/**
 * The handler, noting when its invocation ended (what Lambda bills until). The wrapper keeps
 * the streaming markers (symbol properties) the local API Gateway looks for.
 */
function timedHandler(inner: StreamingLambdaHandler, marks: Marks): StreamingLambdaHandler {
  const wrapped: StreamingLambdaHandler = async (event, stream, context) => {
    try {
      return await inner(event, stream, context);
    } finally {
      marks.settledMs = performance.now();
    }
  };
  for (const symbol of Object.getOwnPropertySymbols(inner)) {
    Object.defineProperty(wrapped, symbol, { value: (inner as never)[symbol] });
  }
  return wrapped;
}

function caseTargets(origin: string, metrionKey: string): Record<string, WireTarget> {
  return Object.fromEntries(
    CASES.map((benchCase) => [
      benchCase.name,
      {
        url: `${origin}${casePaths(benchCase).proxy}`,
        headers: {
          'content-type': 'application/json',
          ...credentialHeaders(benchCase, metrionKey),
        },
        body: caseBody(benchCase),
      },
    ]),
  );
}

async function waitForIdle(recorder: CallRecorder): Promise<void> {
  for (;;) {
    const count = recorder.calls.length;
    await sleep(60);
    if (recorder.idle() && recorder.calls.length === count) return;
  }
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
const round2 = (value: number) => Math.round(value * 100) / 100;
const READ_OPS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);

/** Calls as intervals for the shared phase and critical-path arithmetic (ms stand in for ticks). */
const asInterval = (call: RecordedCall) => ({
  call,
  name: call.op,
  startTick: call.startMs,
  endTick: call.endMs,
  roundTrips: 1,
});

interface SequentialRow {
  readonly phases: Record<Phase, RecordedCall[]>;
  readonly roundTripsBefore: number;
  readonly roundTripsAfter: number;
  readonly bytes: number;
  readonly events: number;
}

/** One request alone: every call the recorder sees until it is idle belongs to it. */
async function measureOne(
  target: WireTarget,
  recorder: CallRecorder,
  marks: Marks,
): Promise<SequentialRow> {
  const first = recorder.calls.length;
  const response = await fetch(target.url, {
    method: 'POST',
    headers: target.headers,
    body: target.body,
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${target.url}: HTTP ${response.status} ${text}`);
  await waitForIdle(recorder);
  const split = splitPhases(recorder.calls.slice(first).map(asInterval), {
    upstreamCalledTick: marks.sentMs,
    upstreamEndedTick: marks.endMs,
    settledTick: marks.settledMs,
  });
  const calls = (phase: Phase) => split[phase].map((interval) => interval.call);
  return {
    phases: {
      before: calls('before'),
      during: calls('during'),
      after: calls('after'),
      late: calls('late'),
    },
    roundTripsBefore: criticalPathDepth(split.before),
    roundTripsAfter: criticalPathDepth(split.after),
    bytes: Buffer.byteLength(text),
    events: (text.match(/^data: /gm) ?? []).length,
  };
}

type ItemSizes = Record<string, { count: number; meanBytes: number; maxBytes: number }>;

/** Write units of the index entries a write of this item adds: one per sparse index it is in. */
function indexWriteUnits(table: string, item: Item, itemBytes: number): number {
  const definition = Object.values(TABLES).find((candidate) =>
    table.endsWith(`-${candidate.nameSuffix}`),
  );
  const indexes =
    definition && 'globalSecondaryIndexes' in definition ? definition.globalSecondaryIndexes : [];
  return sum(
    indexes
      .filter((index) => index.partitionKey.name in item)
      // A keys-only entry is far below 1 KB; an ALL projection copies the item.
      .map((index) =>
        'projection' in index && index.projection === 'KEYS_ONLY' ? 1 : writeUnits(itemBytes),
      ),
  );
}

/** Stored items by kind, read back raw (marshalled) from the tables: sizes and index writes. */
async function scanItems(
  endpoint: string,
  tables: readonly string[],
): Promise<{ items: ItemSizes; indexWrites: Record<string, number> }> {
  const raw = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const items: ItemSizes = {};
  const indexWrites: Record<string, number> = {};
  for (const table of tables) {
    let startKey: Item | undefined;
    do {
      const page = await raw.send(
        new ScanCommand({
          TableName: table,
          ...(startKey ? { ExclusiveStartKey: startKey as never } : {}),
        }),
      );
      for (const stored of (page.Items ?? []) as Item[]) {
        const kind = itemKind(table, stored);
        const size = itemSizeBytes(stored);
        const entry = items[kind] ?? { count: 0, meanBytes: 0, maxBytes: 0 };
        entry.meanBytes = round2((entry.meanBytes * entry.count + size) / (entry.count + 1));
        entry.count += 1;
        entry.maxBytes = Math.max(entry.maxBytes, size);
        items[kind] = entry;
        indexWrites[kind] = Math.max(indexWrites[kind] ?? 0, indexWriteUnits(table, stored, size));
      }
      startKey = page.LastEvaluatedKey as Item | undefined;
    } while (startKey);
  }
  raw.destroy();
  return { items, indexWrites };
}

/** Every (phase, op, item) of the rows, per request, sized from the stored items. */
function measuredCalls(
  rows: readonly SequentialRow[],
  stored: { items: ItemSizes; indexWrites: Record<string, number> },
): MeasuredCall[] {
  const groups = new Map<
    string,
    { phase: Phase; call: RecordedCall; item: string; n: number; units: number }
  >();
  for (const row of rows) {
    for (const phase of ['before', 'during', 'after', 'late'] as const) {
      for (const call of row.phases[phase]) {
        // A batch names several items and is billed per item: each becomes its own call.
        for (const item of call.kinds) {
          const key = `${phase} ${call.op} ${item}`;
          const group = groups.get(key) ?? { phase, call, item, n: 0, units: 0 };
          group.n += 1;
          group.units += call.capacityUnits / call.kinds.length;
          groups.set(key, group);
        }
      }
    }
  }
  return [...groups.values()].map(({ phase, call, item, n, units }) => {
    const kind = READ_OPS.has(call.op) ? 'read' : 'write';
    // The largest stored item of the kind: where sizes straddle a KB boundary, units go up.
    const itemBytes = stored.items[item]?.maxBytes ?? call.putItemBytes;
    if (itemBytes === undefined) throw new Error(`no stored size for item kind '${item}'`);
    return {
      phase,
      op: call.op,
      item,
      kind,
      perRequest: round2(n / rows.length),
      itemBytes: Math.round(itemBytes),
      indexWrites: kind === 'write' ? (stored.indexWrites[item] ?? 0) : 0,
      consistent: call.consistentRead,
      dynaliteUnitsPerCall: round2(units / n),
    };
  });
}

async function runLambdaSide(): Promise<void> {
  const peers: ChildProcess = fork(import.meta.filename, ['--peers']);
  const messages = (kind: PeerMessage['kind']) =>
    new Promise<PeerMessage>((resolve) => {
      const listener = (message: PeerMessage) => {
        if (message.kind !== kind) return;
        peers.off('message', listener);
        resolve(message);
      };
      peers.on('message', listener);
    });
  const ready = (await messages('ready')) as Extract<PeerMessage, { kind: 'ready' }>;

  const data = await openLocalData({ dynamoEndpoint: ready.dynamoEndpoint });
  const recorder = recordCalls(data.documentClient.middlewareStack as unknown as MiddlewareStack);
  const log = { lines: 0, bytes: 0 };
  const logger = new JsonLogger({
    service: 'metrion-proxy',
    write: (line) => {
      log.lines += 1;
      log.bytes += Buffer.byteLength(line) + 1;
    },
  });
  const marks: Marks = { sentMs: 0, endMs: 0, settledMs: 0 };
  const handler = timedHandler(
    createProxyHandler(
      buildProxyDeps({
        ...data,
        upstreamOrigins: { openai: ready.openai, anthropic: ready.anthropic },
        logger,
        upstream: timedUpstream(new FetchUpstreamClient(), marks),
      }),
    ) as unknown as StreamingLambdaHandler,
    marks,
  );
  const server = await startApiGatewayServer({
    routes: [{ matches: (p) => p.startsWith(`${PROXY_PATH_PREFIX}/`), handler }],
    routeNotFound: { pathPrefix: '/api', response: ROUTE_NOT_FOUND_RESPONSE },
  });
  const keys = (await createBenchAccounts(data.accountService, ACCOUNTS, 'cost')).map(
    (account) => account.metrionKey,
  );
  recorder.start();

  // 1. Sequential requests: every call belongs to the one request in flight.
  const rows: SequentialRow[] = [];
  const perCase: Record<string, CostInputsFile['perCase'][string]> = {};
  let keyIndex = 0;
  for (const benchCase of CASES) {
    const caseRows: SequentialRow[] = [];
    for (let i = 0; i < SEQUENTIAL_PER_CASE; i += 1) {
      const key = keys[keyIndex++ % keys.length] as string;
      const target = caseTargets(server.url, key)[benchCase.name] as WireTarget;
      caseRows.push(await measureOne(target, recorder, marks));
    }
    const mean = (pick: (row: SequentialRow) => number) =>
      round2(sum(caseRows.map(pick)) / caseRows.length);
    perCase[benchCase.name] = {
      callsBefore: mean((row) => row.phases.before.length),
      callsAfter: mean((row) => row.phases.after.length),
      responseBytes: mean((row) => row.bytes),
      sseEvents: mean((row) => row.events),
    };
    rows.push(...caseRows);
  }
  const logs = {
    appLinesPerRequest: round2(log.lines / rows.length),
    appBytesPerRequest: round2(log.bytes / rows.length),
  };

  // 2. Load at c=50: CPU and memory of this process only.
  const mixed = (count: number) => ({
    kind: 'load' as const,
    concurrency: LOAD.concurrency,
    count,
    targets: Array.from({ length: 40 }, (_, i) => {
      const all = Object.values(
        caseTargets(server.url, keys[(keyIndex + i) % keys.length] as string),
      );
      return all[i % all.length] as WireTarget;
    }),
  });
  peers.send(mixed(LOAD.warmup));
  await messages('done');
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  const cpuBefore = process.cpuUsage();
  const startedMs = performance.now();
  peers.send(mixed(LOAD.requests));
  const done = (await messages('done')) as Extract<PeerMessage, { kind: 'done' }>;
  await waitForIdle(recorder);
  const elapsedMs = performance.now() - startedMs;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);

  // 3. Item sizes as stored (after the load: every item has seen its counters and updates).
  const stored = await scanItems(ready.dynamoEndpoint, [
    data.accountsTable,
    data.usageTable,
    data.responseCacheTable,
  ]);
  const cores = cpus();
  const result: CostInputsFile & Record<string, unknown> = {
    measuredAt: new Date().toISOString(),
    command: `node test/bench/cost-inputs.bench.ts${WRITE_SNAPSHOT ? ' --write-snapshot' : ''}`,
    machine: `node ${process.version}, ${cores[0]?.model ?? '?'} x${cores.length}, load average ${loadavg()
      .map((value) => value.toFixed(1))
      .join(' ')}`,
    note:
      'Calls per request over sequential requests on the local stack (real adapters, dynalite). ' +
      "Sizes by AWS's rules from the stored items; dynaliteUnitsPerCall is dynalite's own figure " +
      '(table only, no index writes). Load figures: this process only, at concurrency 50.',
    requests: rows.length,
    calls: measuredCalls(rows, stored),
    roundTrips: {
      before: round2(sum(rows.map((row) => row.roundTripsBefore)) / rows.length),
      after: round2(sum(rows.map((row) => row.roundTripsAfter)) / rows.length),
    },
    perCase,
    items: stored.items,
    logs,
    load: {
      concurrency: LOAD.concurrency,
      requests: done.sent,
      elapsedMs: Math.round(elapsedMs),
      requestsPerSecond: Math.round((done.sent / elapsedMs) * 1000),
      cpuMsPerRequest: round2((cpu.user + cpu.system) / 1000 / done.sent),
      peakRssMb: Math.round(peakRss / 2 ** 20),
    },
  };
  const text = `${JSON.stringify(result, null, 2)}\n`;
  const outputs = WRITE_SNAPSHOT ? [OUTPUT, SNAPSHOT] : [OUTPUT];
  for (const output of outputs) {
    await mkdir(path.dirname(output), { recursive: true });
    await writeFile(output, text);
  }
  console.log(text);
  console.log(
    `written to ${outputs.map((output) => path.relative(process.cwd(), output)).join(', ')}`,
  );
  peers.send({ kind: 'stop' });
  await server.close();
}

// Last, so that every module-level constant above is initialised before either role runs.
if (process.argv[2] === '--peers') await runPeers();
else await runLambdaSide();
