// `node test/bench/cost-inputs.bench.ts`: measures what `npm run cost` prices, into
// test-artifacts/bench/cost-inputs.json. This process plays the Lambda (local API Gateway
// emulation + the real proxy handler + the real DynamoDB adapters and SDK client); a forked
// child holds dynalite, the fake providers and the load generator, so this process's CPU and
// memory are close to what the proxy Lambda itself would spend. Measured:
//  1. DynamoDB calls per request, split at the upstream call (sequential requests), with the
//     capacity dynalite reports for each (it applies AWS's size rules, writes: max(old, new));
//  2. item sizes of the written and read items (AWS size rules, scripts/cost/item-size.ts);
//  3. application log bytes per request (the JSON logger's lines);
//  4. CPU ms per request and peak RSS at concurrency 50; response bytes per case.
import '#local/awslambda-shim.ts';
import { type ChildProcess, fork } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { FetchUpstreamClient } from '#adapters/http/fetch-upstream-client.ts';
import { JsonLogger } from '#adapters/system/json-logger.ts';
import { ROUTE_NOT_FOUND_RESPONSE } from '#contracts/gateway-responses.ts';
import type { UpstreamClient } from '#core/ports/upstream-client.ts';
import { PROXY_PATH_PREFIX, sdkBaseUrls } from '#core/providers/routes.ts';
import { createProxyHandler } from '#handlers/proxy.ts';
import { buildProxyDeps } from '#lambda/proxy.deps.ts';
import { startApiGatewayServer } from '#local/api-gateway-server.ts';
import { openLocalData } from '#local/local-data.ts';
import { startDynalite } from '#local/stand-ins.ts';
import { type AttributeValue, itemSizeBytes } from '../../scripts/cost/item-size.ts';
import { FAKE_ANTHROPIC_API_KEY, startFakeAnthropic } from '../fixtures/fake-anthropic-server.ts';
import { FAKE_OPENAI_API_KEY, startFakeOpenAi } from '../fixtures/fake-openai-server.ts';
import { REQUESTS_PER_KEY } from './support/bench-stack.ts';
import { keepAliveAgent, runClosedLoop, type Target, timedPost } from './support/load-generator.ts';

const OUTPUT = path.resolve(import.meta.dirname, '../../test-artifacts/bench/cost-inputs.json');
const SEQUENTIAL_PER_CASE = 10;
const LOAD = { concurrency: 50, warmup: 100, requests: 800 } as const;
const ACCOUNTS =
  Math.ceil((LOAD.warmup + LOAD.requests + 4 * SEQUENTIAL_PER_CASE) / REQUESTS_PER_KEY) + 2;

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

interface StoreCall {
  readonly op: string;
  readonly table: string;
  readonly startMs: number;
  endMs: number;
  capacityUnits: number;
  /** Marshalled size of the item a Put writes. */
  readonly putItemBytes?: number;
  /** `<table> <pk prefix>/<sk prefix>` of each item the call names (Key, Item or batch keys). */
  readonly kinds: readonly string[];
}

type Item = Record<string, AttributeValue>;

/** `accounts ACCOUNT/PROFILE`: table without the local prefix, then the key prefixes. */
function itemKind(table: string, item: Item): string {
  const prefix = (value: AttributeValue | undefined) =>
    value && 'S' in value ? (value.S.split('#')[0] ?? '') : '';
  return `${table.replace(/^metrion-local-/, '')} ${prefix(item.pk)}/${prefix(item.sk) || '-'}`;
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

/** Records every DynamoDB call (op, table, timing, consumed capacity) on the shared client. */
interface MiddlewareArgs {
  input: Record<string, unknown>;
}
type Middleware = (
  next: (args: MiddlewareArgs) => Promise<{ output: Record<string, unknown> }>,
  context: { commandName?: string },
) => (args: MiddlewareArgs) => Promise<{ output: Record<string, unknown> }>;
/** The slice of the SDK's middleware stack used here (its generic step types add nothing). */
interface MiddlewareStack {
  add(middleware: Middleware, options: { step: 'initialize' | 'build'; name: string }): void;
}

function recordCalls(stack: MiddlewareStack) {
  const calls: StoreCall[] = [];
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
  stack.add(
    (next, context) => async (args) => {
      if (!enabled) return next(args);
      const item = args.input.Item as Record<string, AttributeValue> | undefined;
      const call: StoreCall = {
        op: (context.commandName ?? '?').replace(/Command$/, ''),
        table: String(args.input.TableName ?? Object.keys(args.input.RequestItems ?? {})[0]),
        startMs: performance.now(),
        endMs: 0,
        capacityUnits: 0,
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

/** Upstream client that notes when the current request went upstream and when its body ended. */
function timedUpstream(inner: UpstreamClient) {
  const marks = { sentMs: 0, endMs: 0 };
  const client: UpstreamClient = {
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
  return { client, marks };
}

/** Groups of calls whose time ranges overlap: each group costs one round trip of wall time. */
function rounds(calls: readonly StoreCall[]): number {
  const sorted = [...calls].sort((a, b) => a.startMs - b.startMs);
  let count = 0;
  let groupEnd = Number.NEGATIVE_INFINITY;
  for (const call of sorted) {
    if (call.startMs >= groupEnd) count += 1;
    groupEnd = Math.max(groupEnd, call.endMs);
  }
  return count;
}

function caseTargets(baseUrls: Record<string, string>, metrionKey: string) {
  const openAiBody = (stream: boolean) =>
    JSON.stringify({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hello in five words.' }],
      ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
    });
  const anthropicBody = (stream: boolean) =>
    JSON.stringify({
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Say hello in five words.' }],
      ...(stream ? { stream: true } : {}),
    });
  const openAi = { 'content-type': 'application/json', authorization: `Bearer ${metrionKey}` };
  const anthropic = {
    'content-type': 'application/json',
    'anthropic-version': '2023-06-01',
    'x-api-key': metrionKey,
  };
  const chat = `${baseUrls.openai}/chat/completions`;
  const messages = `${baseUrls.anthropic}/v1/messages`;
  return {
    'OpenAI JSON': { url: chat, headers: openAi, body: openAiBody(false) },
    'OpenAI stream': { url: chat, headers: openAi, body: openAiBody(true) },
    'Anthropic JSON': { url: messages, headers: anthropic, body: anthropicBody(false) },
    'Anthropic stream': { url: messages, headers: anthropic, body: anthropicBody(true) },
  } satisfies Record<string, WireTarget>;
}

async function waitForIdle(recorder: { calls: StoreCall[]; idle(): boolean }): Promise<void> {
  for (;;) {
    const count = recorder.calls.length;
    await sleep(60);
    if (recorder.idle() && recorder.calls.length === count) return;
  }
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
const round2 = (value: number) => Math.round(value * 100) / 100;

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
  const upstream = timedUpstream(new FetchUpstreamClient());
  const handler = createProxyHandler(
    buildProxyDeps({
      ...data,
      upstreamOrigins: { openai: ready.openai, anthropic: ready.anthropic },
      logger,
      upstream: upstream.client,
    }),
  );
  const server = await startApiGatewayServer({
    routes: [{ matches: (p) => p.startsWith(`${PROXY_PATH_PREFIX}/`), handler }],
    routeNotFound: { pathPrefix: '/api', response: ROUTE_NOT_FOUND_RESPONSE },
  });
  const keys = await Promise.all(
    Array.from({ length: ACCOUNTS }, async (_, index) => {
      const { account, metrionKey } = await data.accountService.createAccount({
        email: `cost-${index}@example.com`,
      });
      await data.accountService.putProviderKey(account.accountId, 'openai', FAKE_OPENAI_API_KEY);
      await data.accountService.putProviderKey(
        account.accountId,
        'anthropic',
        FAKE_ANTHROPIC_API_KEY,
      );
      return metrionKey;
    }),
  );
  const baseUrls = sdkBaseUrls(`${server.url}${PROXY_PATH_PREFIX}`);
  recorder.start();

  // 1. Sequential requests: every call belongs to the one request in flight.
  const perCase: Record<string, unknown> = {};
  let keyIndex = 0;
  for (const [name] of Object.entries(caseTargets(baseUrls, ''))) {
    const rows: Array<{
      before: StoreCall[];
      during: StoreCall[];
      after: StoreCall[];
      bytes: number;
      events: number;
    }> = [];
    for (let i = 0; i < SEQUENTIAL_PER_CASE; i += 1) {
      const target = caseTargets(baseUrls, keys[keyIndex++ % keys.length] as string)[
        name as 'OpenAI JSON'
      ];
      const first = recorder.calls.length;
      const response = await fetch(target.url, {
        method: 'POST',
        headers: target.headers,
        body: target.body,
      });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`${name}: HTTP ${response.status} ${text}`);
      await waitForIdle(recorder);
      const calls = recorder.calls.slice(first);
      rows.push({
        before: calls.filter((call) => call.startMs < upstream.marks.sentMs),
        after: calls.filter((call) => call.startMs >= upstream.marks.endMs),
        during: calls.filter(
          (c) => c.startMs >= upstream.marks.sentMs && c.startMs < upstream.marks.endMs,
        ),
        bytes: Buffer.byteLength(text),
        events: (text.match(/^data: /gm) ?? []).length,
      });
    }
    const mean = (pick: (row: (typeof rows)[number]) => number) =>
      round2(sum(rows.map(pick)) / rows.length);
    const ops = (pick: (row: (typeof rows)[number]) => StoreCall[]) => [
      ...new Set(
        rows.flatMap((row) =>
          pick(row).map((call) => `${call.op} ${call.table.replace(/^metrion-local-/, '')}`),
        ),
      ),
    ];
    const units = (pick: (row: (typeof rows)[number]) => StoreCall[], reads: boolean) =>
      mean((row) =>
        sum(
          pick(row)
            .filter((c) => isRead(c.op) === reads)
            .map((c) => c.capacityUnits),
        ),
      );
    const all = (row: (typeof rows)[number]) => [...row.before, ...row.during, ...row.after];
    perCase[name] = {
      requests: rows.length,
      callsBefore: mean((row) => row.before.length),
      roundTripsBefore: mean((row) => rounds(row.before)),
      callsDuring: mean((row) => row.during.length),
      callsAfter: mean((row) => row.after.length),
      roundTripsAfter: mean((row) => rounds(row.after)),
      opsBefore: ops((row) => row.before),
      opsAfter: ops((row) => row.after),
      lastRequestCalls: [
        ...(['before', 'during', 'after'] as const).flatMap((phase) =>
          (rows.at(-1)?.[phase] ?? []).map((call) => ({
            phase,
            op: call.op,
            items: call.kinds,
            capacityUnits: call.capacityUnits,
          })),
        ),
      ],
      readUnitsPerRequest: units(all, true),
      writeUnitsPerRequest: units(all, false),
      responseBytes: mean((row) => row.bytes),
      sseEvents: mean((row) => row.events),
      requestBodyBytes: Buffer.byteLength(caseTargets(baseUrls, 'k')[name as 'OpenAI JSON'].body),
    };
  }
  const sequentialRequests = 4 * SEQUENTIAL_PER_CASE;
  const logs = {
    appLinesPerRequest: round2(log.lines / sequentialRequests),
    appBytesPerRequest: round2(log.bytes / sequentialRequests),
  };
  const putSizes = recorder.calls.filter((c) => c.putItemBytes !== undefined);

  // 2. Load at c=50: CPU and memory of this process only.
  const mixed = (count: number) => ({
    kind: 'load' as const,
    concurrency: LOAD.concurrency,
    count,
    targets: Array.from({ length: 40 }, (_, i) => {
      const all = Object.values(
        caseTargets(baseUrls, keys[(keyIndex + i) % keys.length] as string),
      );
      return all[i % all.length] as WireTarget;
    }),
  });
  peers.send(mixed(LOAD.warmup));
  await messages('done');
  keyIndex += 40;
  let peakRss = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  }, 20);
  const cpuBefore = process.cpuUsage();
  const startedMs = performance.now();
  peers.send(mixed(LOAD.requests));
  const done = (await messages('done')) as Extract<PeerMessage, { kind: 'done' }>;
  await waitForIdle(recorder);
  const elapsedMs = performance.now() - startedMs;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);

  // 3. Item sizes as stored, read back raw (marshalled) from the tables.
  const raw = new DynamoDBClient({
    endpoint: ready.dynamoEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const items: Record<string, { count: number; meanBytes: number; maxBytes: number }> = {};
  for (const table of [data.accountsTable, data.usageTable, data.countersTable]) {
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await raw.send(
        new ScanCommand({
          TableName: table,
          ...(startKey ? { ExclusiveStartKey: startKey as never } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const kind = itemKind(table, item as Item).replace(/^usage DIRTY\/.*/, 'usage DIRTY/-');
        const size = itemSizeBytes(item as Record<string, AttributeValue>);
        const entry = items[kind] ?? { count: 0, meanBytes: 0, maxBytes: 0 };
        entry.meanBytes = round2((entry.meanBytes * entry.count + size) / (entry.count + 1));
        entry.count += 1;
        entry.maxBytes = Math.max(entry.maxBytes, size);
        items[kind] = entry;
      }
      startKey = page.LastEvaluatedKey as Record<string, AttributeValue> | undefined;
    } while (startKey);
  }
  raw.destroy();

  const result = {
    measuredAt: new Date().toISOString(),
    command: 'node test/bench/cost-inputs.bench.ts',
    node: process.version,
    cpu: `${cpus()[0]?.model ?? '?'} x${cpus().length}`,
    note: "Sequential per-request counts from the local stack on dynalite (today's code). Capacity units as dynalite computes them (table only, no GSI writes).",
    dynamo: {
      perCase,
      putItemBytes: putSizes
        .map((c) => `${c.op} ${c.table.replace(/^metrion-local-/, '')}: ${c.putItemBytes}`)
        .filter((v, i, a) => a.indexOf(v) === i)
        .slice(0, 12),
    },
    items,
    logs,
    load: {
      concurrency: LOAD.concurrency,
      requests: done.sent,
      elapsedMs: Math.round(elapsedMs),
      requestsPerSecond: Math.round((done.sent / elapsedMs) * 1000),
      cpuMsPerRequest: round2((cpu.user + cpu.system) / 1000 / done.sent),
      cpuUserMs: Math.round(cpu.user / 1000),
      cpuSystemMs: Math.round(cpu.system / 1000),
      peakRssMb: Math.round(peakRss / 2 ** 20),
      peakHeapUsedMb: Math.round(peakHeap / 2 ** 20),
    },
  };
  await mkdir(path.dirname(OUTPUT), { recursive: true });
  await writeFile(OUTPUT, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
  console.log(`written to ${path.relative(process.cwd(), OUTPUT)}`);
  peers.send({ kind: 'stop' });
  await server.close();
}

function isRead(op: string): boolean {
  return op === 'GetItem' || op === 'Query' || op === 'BatchGetItem' || op === 'Scan';
}

// Last, so that every module-level constant above is initialised before either role runs.
if (process.argv[2] === '--peers') await runPeers();
else await runLambdaSide();
