// `npm run bench` (part 2): the proxy Lambda's handler alone, in-process, the way AWS would run it
// but without the network: (a) on in-memory stores (CPU per request, added latency), and (b) with
// every store round trip delayed like DynamoDB in-region (added latency, and how many sequential
// store calls stand before the provider and after the last byte). Each side by side with calls
// straight to the same instant in-process upstream, in interleaved batches. Reports; misses do
// not fail. Options: --quick (or BENCH_QUICK=1), --rtt-ms <ms> (or BENCH_STORE_RTT_MS; default 5).
import '#local/awslambda-shim.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { UpstreamClient } from '#core/ports/upstream-client.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { cannedUpstream } from './support/canned-upstream.ts';
import { delayedPort } from './support/delayed-port.ts';
import {
  type BenchCase,
  type BenchInstance,
  benchInstance,
  CASES,
  caseRequests,
  REQUESTS_PER_KEY,
  warmEveryKey,
} from './support/handler-cases.ts';
import {
  type CaseResult,
  type Comparison,
  type RunFacts,
  renderCases,
  renderOvershootNote,
  renderSequences,
  renderTargets,
} from './support/handler-report.ts';
import { reportJson } from './support/handler-report-json.ts';
import { buildInMemoryProxy, UNWRAPPED } from './support/in-memory-proxy.ts';
import { mergeTraces, RequestTracer, type TracedRequest } from './support/request-tracer.ts';
import { compare, type Load } from './support/side-by-side.ts';
import { usageItemSizes } from './support/usage-item.ts';

interface Settings {
  readonly quick: boolean;
  readonly roundTripMs: number;
}

function readSettings(): Settings {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick') || process.env.BENCH_QUICK === '1';
  const flag = args.findIndex((arg) => arg === '--rtt-ms' || arg.startsWith('--rtt-ms='));
  const flagValue = flag === -1 ? undefined : (args[flag]?.split('=')[1] ?? args[flag + 1]);
  const text = flagValue ?? process.env.BENCH_STORE_RTT_MS ?? '5';
  const roundTripMs = Number(text);
  if (!Number.isFinite(roundTripMs) || roundTripMs < 0) {
    throw new Error(`--rtt-ms / BENCH_STORE_RTT_MS must be a number of ms >= 0, got "${text}"`);
  }
  return { quick, roundTripMs };
}

/** How many requests each part of the run sends. */
interface Workload {
  readonly inMemory: Load;
  readonly delayed: readonly Load[];
  /** Requests traced one by one per case for the store-call phases. */
  readonly traced: number;
}

const FULL: Workload = {
  inMemory: { concurrency: 1, warmup: 200, requests: 2000 },
  delayed: [
    { concurrency: 1, warmup: 20, requests: 300 },
    { concurrency: 10, warmup: 50, requests: 500 },
  ],
  traced: 20,
};
const QUICK: Workload = {
  inMemory: { concurrency: 1, warmup: 20, requests: 200 },
  delayed: [
    { concurrency: 1, warmup: 5, requests: 40 },
    { concurrency: 10, warmup: 10, requests: 100 },
  ],
  traced: 5,
};

function requestsPerInstance(workload: Workload, kind: 'inMemory' | 'delayed'): number {
  const loads = kind === 'inMemory' ? [workload.inMemory] : workload.delayed;
  const perCase = loads.reduce((sum, load) => sum + load.warmup + load.requests, 0);
  const traced = kind === 'delayed' ? workload.traced : 0;
  // Plus the warm-up request per key and provider, which the ring also hands out.
  return Math.ceil((CASES.length * (perCase + traced)) / (1 - 2 / REQUESTS_PER_KEY));
}

function machineInfo(): string[] {
  const cores = cpus();
  return [
    `node ${process.version} (${process.platform}/${process.arch}), ${cores.length} CPUs: ${cores[0]?.model ?? 'unknown'}`,
    `load average ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}`,
    'one process: the handler (middy, core, in-memory stores), the runtime stream shim, an in-process canned upstream',
  ];
}

interface Instances {
  readonly workload: Workload;
  readonly upstream: UpstreamClient;
  /** (a) In-memory stores. */
  readonly inMemory: BenchInstance;
  /** (b) Every store call delayed, and traced through `tracer`. */
  readonly delayed: BenchInstance;
  readonly tracer: RequestTracer;
}

/** (a) side by side, then (b) traced one request at a time, then (b) side by side per load. */
async function measureCase(
  benchCase: BenchCase,
  run: Instances,
): Promise<Omit<CaseResult, 'usageItem'>> {
  const requests = caseRequests(benchCase, run.upstream);
  const inMemory = await compare(run.workload.inMemory, requests.direct, () =>
    requests.proxied(run.inMemory),
  );
  const traces: TracedRequest[] = [];
  for (let index = 0; index < run.workload.traced; index += 1) {
    traces.push(await run.tracer.trace(() => requests.proxied(run.delayed)));
  }
  const delayed: Comparison[] = [];
  for (const load of run.workload.delayed) {
    const { result, appliedRoundTripMs } = await run.tracer.meterRoundTrips(() =>
      compare(load, requests.direct, () => requests.proxied(run.delayed)),
    );
    delayed.push({ ...result, appliedRoundTripMs });
  }
  return {
    name: benchCase.name,
    streaming: benchCase.streaming,
    inMemory,
    delayed,
    storeCalls: mergeTraces(traces),
  };
}

/** Every usage record the instance's accounts hold. */
async function recordsOf(instance: BenchInstance): Promise<UsageRecord[]> {
  const lists = await Promise.all(
    instance.accounts.map((account) =>
      instance.proxy.usage.listRecent(account.accountId, Number.MAX_SAFE_INTEGER),
    ),
  );
  return lists.flat();
}

async function main(): Promise<number> {
  const startedAt = performance.now();
  const settings = readSettings();
  const workload = settings.quick ? QUICK : FULL;
  const machine = machineInfo();
  console.log(`Metrion proxy handler benchmark${settings.quick ? ' (quick)' : ''}`);
  for (const line of machine) console.log(`  ${line}`);

  let logBytes = 0;
  const logWrite = (line: string) => {
    logBytes += Buffer.byteLength(line) + 1;
  };
  const tracer = new RequestTracer({ lateCallWaitMs: 10 * Math.max(1, settings.roundTripMs) });
  const upstream = cannedUpstream({
    onSend: tracer.onUpstreamSend,
    onBodyEnd: tracer.onUpstreamBodyEnd,
  });
  const inMemory = await benchInstance(
    buildInMemoryProxy({ upstream, wrapPort: UNWRAPPED, logWrite }),
    requestsPerInstance(workload, 'inMemory'),
  );
  const delayed = await benchInstance(
    buildInMemoryProxy({
      upstream,
      logWrite: () => undefined,
      wrapPort: (port, name, roundTrips) =>
        delayedPort(port, {
          name,
          roundTripMs: settings.roundTripMs,
          ...(roundTrips === undefined ? {} : { roundTrips }),
          onCall: tracer.onCall,
        }),
    }),
    requestsPerInstance(workload, 'delayed'),
  );
  console.log(
    `  ${inMemory.accounts.length} + ${delayed.accounts.length} Free-plan accounts (keys rotate, every limit check runs); store RTT ${settings.roundTripMs} ms`,
  );
  await warmEveryKey(inMemory, upstream);
  await warmEveryKey(delayed, upstream);
  const logBytesAfterWarmUp = logBytes;
  const inMemorySentAfterWarmUp = inMemory.sent;

  const measured: Omit<CaseResult, 'usageItem'>[] = [];
  for (const benchCase of CASES) {
    const caseStartedAt = performance.now();
    measured.push(await measureCase(benchCase, { workload, upstream, inMemory, delayed, tracer }));
    const seconds = ((performance.now() - caseStartedAt) / 1000).toFixed(1);
    console.log(`  measured ${benchCase.name} in ${seconds} s`);
  }

  const inMemoryRecords = await recordsOf(inMemory);
  const delayedRecords = await recordsOf(delayed);
  const usageRecordsOk =
    inMemoryRecords.length === inMemory.sent && delayedRecords.length === delayed.sent;
  const cases: CaseResult[] = [];
  for (const [index, result] of measured.entries()) {
    const benchCase = CASES[index] as BenchCase;
    const ofCase = inMemoryRecords.filter(
      (record) => record.provider === benchCase.provider && record.streamed === benchCase.streaming,
    );
    cases.push({ ...result, usageItem: await usageItemSizes(ofCase.slice(0, 200)) });
  }
  const command = `node test/bench/proxy-handler.bench.ts${settings.quick ? ' --quick' : ''} --rtt-ms ${settings.roundTripMs}`;
  const facts: RunFacts = {
    command,
    quick: settings.quick,
    machine,
    roundTripMs: settings.roundTripMs,
    logBytesPerRequest:
      (logBytes - logBytesAfterWarmUp) / Math.max(1, inMemory.sent - inMemorySentAfterWarmUp),
    usageRecordsOk,
  };

  console.log('');
  console.log(
    'ADDED = handler minus a direct call to the same instant upstream, to the last body byte, in ms. ' +
      'CPU/req added = process CPU per proxied request minus per direct one (in-memory run). ' +
      'Billed = until the invocation ends (usage written). Round trips = sequential store calls ' +
      '(critical-path depth; a method the Dynamo adapter splits into several calls counts each).',
  );
  for (const line of renderTargets(cases, facts)) console.log(line);
  console.log('');
  for (const line of renderCases(cases, facts)) console.log(line);
  console.log('');
  console.log('Store calls per request, as the traced requests made them:');
  for (const line of renderSequences(cases)) console.log(line);
  console.log('');
  for (const line of renderOvershootNote(cases, facts)) console.log(line);
  console.log(`Log output: ${facts.logBytesPerRequest.toFixed(0)} bytes per request.`);
  console.log(
    `Usage records: ${inMemoryRecords.length} for ${inMemory.sent} in-memory requests, ` +
      `${delayedRecords.length} for ${delayed.sent} delayed ones -> ${usageRecordsOk ? 'OK' : 'FAILED'}`,
  );

  const artifact = new URL('../../test-artifacts/bench/proxy-handler.json', import.meta.url);
  await mkdir(new URL('.', artifact), { recursive: true });
  await writeFile(artifact, `${JSON.stringify(reportJson(cases, facts), null, 2)}\n`);
  console.log(`Figures written to ${artifact.pathname}`);
  console.log(`Bench runtime: ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
  return usageRecordsOk ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('The benchmark broke:', error);
    process.exitCode = 2;
  },
);
