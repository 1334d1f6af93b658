// `npm run bench` (peer row): local Metrion next to the Portkey AI gateway, side by side in one
// run, so the ratio is measured, not claimed. Both servers run in processes of their own in front
// of the same instant fake OpenAI on loopback (in this process, with the load generator): Metrion
// as `npm start` runs it (stored mode, a data folder on disk, every request recorded), Portkey
// headless with `x-portkey-custom-host` pointing at the fake. Batches alternate (direct, Portkey,
// Metrion, then the reverse) so drift on a shared machine hits all three alike; the table shows
// medians over the batches. The first run installs Portkey outside the repository
// (support/portkey-gateway.ts); without a registry the bench says so and skips.
// Reports; misses do not fail. Options: --quick (or BENCH_QUICK=1).
import type { Agent } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { FAKE_OPENAI_API_KEY, startFakeOpenAi } from '../fixtures/fake-openai-server.ts';
import { REQUESTS_PER_KEY } from './support/bench-stack.ts';
import {
  keepAliveAgent,
  runClosedLoop,
  type Sample,
  type Target,
  timedPost,
} from './support/load-generator.ts';
import { startMetrionProcess } from './support/metrion-process.ts';
import { summarize } from './support/percentiles.ts';
import {
  installPortkey,
  PORTKEY_VERSION,
  RegistryUnreachableError,
  startPortkey,
} from './support/portkey-gateway.ts';
import { cpuTimes } from './support/process-cpu.ts';

interface Load {
  readonly concurrency: number;
  readonly warmup: number;
  /** Batches per side, alternating in order. */
  readonly rounds: number;
  readonly perBatch: number;
}

const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const LOADS: readonly Load[] = QUICK
  ? [
      { concurrency: 1, warmup: 20, rounds: 4, perBatch: 50 },
      { concurrency: 50, warmup: 100, rounds: 2, perBatch: 300 },
    ]
  : [
      { concurrency: 1, warmup: 50, rounds: 8, perBatch: 100 },
      { concurrency: 50, warmup: 200, rounds: 4, perBatch: 600 },
    ];
/** Targets of the comparison: added p50 at c=1 against Portkey's, and throughput at c=50. */
const TARGET = { addedRatioC1: 1.5, requestsPerSecondC50: 300 } as const;
const BODY = Buffer.from(
  JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello.' }] }),
);

/** One server under test (or the fake itself), and the figures of its batches. */
interface Side {
  readonly name: string;
  readonly target: () => Target;
  /** The server's process, whose CPU time is counted (none for the fake in this process). */
  readonly pid?: number;
  /** p50 of each batch, in batch order. */
  readonly batchP50s: number[];
  /** The measured requests; `warmups` the ones before (every Metrion request leaves a record). */
  readonly samples: Sample[];
  readonly warmups: Sample[];
  elapsedMs: number;
  cpu: { processMs: number; mainThreadMs: number };
}

function side(name: string, target: () => Target, pid?: number): Side {
  const cpu = { processMs: 0, mainThreadMs: 0 };
  return { name, target, pid, batchP50s: [], samples: [], warmups: [], elapsedMs: 0, cpu };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function batch(entry: Side, agent: Agent, load: Load): Promise<Sample[]> {
  const cpuBefore = entry.pid === undefined ? undefined : cpuTimes(entry.pid);
  const startedAt = performance.now();
  const samples = await runClosedLoop(load.perBatch, load.concurrency, () =>
    timedPost(entry.target(), agent),
  );
  entry.elapsedMs += performance.now() - startedAt;
  // Work a request leaves behind (Metrion's usage writes) is billed to the next batch.
  const cpuAfter = entry.pid === undefined ? undefined : cpuTimes(entry.pid);
  if (cpuBefore !== undefined && cpuAfter !== undefined) {
    entry.cpu.processMs += cpuAfter.processMs - cpuBefore.processMs;
    entry.cpu.mainThreadMs += cpuAfter.mainThreadMs - cpuBefore.mainThreadMs;
  }
  entry.batchP50s.push(summarize(samples.map((sample) => sample.totalMs)).p50);
  entry.samples.push(...samples);
  return samples;
}

/** Runs one load on every side: warm-up, then `rounds` alternating batches. */
async function measure(sides: readonly Side[], load: Load): Promise<void> {
  const agents = sides.map(() => keepAliveAgent(load.concurrency));
  try {
    for (const [index, entry] of sides.entries()) {
      const agent = agents[index] as Agent;
      const warmups = await runClosedLoop(load.warmup, load.concurrency, () =>
        timedPost(entry.target(), agent),
      );
      entry.warmups.push(...warmups);
    }
    for (let round = 0; round < load.rounds; round += 1) {
      const order = sides.map((_, index) => index);
      if (round % 2 === 1) order.reverse();
      for (const index of order) await batch(sides[index] as Side, agents[index] as Agent, load);
    }
  } finally {
    for (const agent of agents) agent.destroy();
  }
}

/** Median over the rounds of (this side's batch p50 - the direct batch p50 of the same round). */
function addedP50(entry: Side, direct: Side): number {
  return median(entry.batchP50s.map((p50, round) => p50 - (direct.batchP50s[round] as number)));
}

function report(sides: readonly Side[], load: Load): { ratio: number; metrionRps: number } {
  const [direct, portkey, metrion] = sides as [Side, Side, Side];
  console.log(`\nc=${load.concurrency}: ${load.rounds} batches of ${load.perBatch} per side`);
  console.log('side       p50 ms  added p50 ms  p99 ms   req/s  CPU ms/req  main thread');
  for (const entry of sides) {
    const added = entry === direct ? '-' : addedP50(entry, direct).toFixed(2);
    const p99 = summarize(entry.samples.map((sample) => sample.totalMs)).p99;
    const rps = (entry.samples.length / entry.elapsedMs) * 1000;
    const perRequest = (ms: number) =>
      entry.pid === undefined ? '-' : (ms / entry.samples.length).toFixed(2);
    console.log(
      [
        entry.name.padEnd(8),
        median(entry.batchP50s).toFixed(2).padStart(8),
        added.padStart(13),
        p99.toFixed(2).padStart(7),
        rps.toFixed(0).padStart(7),
        perRequest(entry.cpu.processMs).padStart(11),
        perRequest(entry.cpu.mainThreadMs).padStart(12),
      ].join(' '),
    );
  }
  const ratio = addedP50(metrion, direct) / addedP50(portkey, direct);
  const metrionRps = (metrion.samples.length / metrion.elapsedMs) * 1000;
  const perRequest = (entry: Side, ms: number) => ms / entry.samples.length;
  const cpuRatio = (pick: (cpu: Side['cpu']) => number) =>
    (perRequest(metrion, pick(metrion.cpu)) / perRequest(portkey, pick(portkey.cpu))).toFixed(2);
  console.log(
    `Metrion / Portkey: added p50 ${ratio.toFixed(2)}, CPU per request ${cpuRatio((cpu) => cpu.processMs)}, ` +
      `main thread CPU per request ${cpuRatio((cpu) => cpu.mainThreadMs)}`,
  );
  // One event loop serves every request: its CPU per request bounds requests/s on a free core.
  const mainMs = perRequest(metrion, metrion.cpu.mainThreadMs);
  console.log(
    `Metrion main thread ${mainMs.toFixed(2)} ms per request: at most ${(1000 / mainMs).toFixed(0)} req/s with a core to itself`,
  );
  return { ratio, metrionRps };
}

/**
 * Where Metrion's time at c=1 goes, by its own `server-timing` (p50 of each phase): `auth` (key
 * lookup and limits, DynamoDB calls), `upstream` (the fake's answer over loopback), `overhead` (all
 * of Metrion's time before the answer's headers but the upstream wait), and what the client saw
 * beyond the server's figures (HTTP in and out of the API Gateway emulation, the relay).
 */
function reportPhases(metrion: Side): void {
  const phases = new Map<string, number[]>([['outside', []]]);
  const add = (name: string, ms: number) => {
    const values = phases.get(name) ?? [];
    values.push(ms);
    phases.set(name, values);
  };
  for (const sample of metrion.samples) {
    let serverMs = 0;
    for (const metric of (sample.serverTiming ?? '').split(',')) {
      const match = /^\s*([\w-]+);dur=([\d.]+)/.exec(metric);
      if (match === null) continue;
      const [, name, ms] = match as unknown as [string, string, string];
      add(name, Number(ms));
      // auth is part of overhead; overhead and the upstream waits add up to the server's time.
      if (name !== 'auth') serverMs += Number(ms);
    }
    add('outside', sample.totalMs - serverMs);
  }
  const p50 = (name: string) => summarize(phases.get(name) ?? [Number.NaN]).p50.toFixed(2);
  console.log(
    `Metrion at c=1, p50 by its server-timing: auth+limits ${p50('auth')} ms, ` +
      `upstream ${p50('upstream')} ms, overhead ${p50('overhead')} ms (auth included); ` +
      `outside the server's figures (the API Gateway emulation, HTTP in and out) ${p50('outside')} ms`,
  );
}

/** Accounts so that no Metrion Key carries more than REQUESTS_PER_KEY over the run. */
function accountsNeeded(): number {
  const perSide = LOADS.reduce((sum, load) => sum + load.warmup + load.rounds * load.perBatch, 0);
  return Math.ceil(perSide / (REQUESTS_PER_KEY - 1));
}

function verdict(ok: boolean): string {
  return ok ? 'MET' : 'MISSED';
}

async function main(): Promise<number> {
  const load = () =>
    loadavg()
      .map((value) => value.toFixed(2))
      .join(' ');
  console.log(`Local mode next to the Portkey AI gateway ${PORTKEY_VERSION} (OpenAI JSON)`);
  console.log(`  node ${process.version}, ${cpus().length} CPUs, load average ${load()}`);
  let installed: Awaited<ReturnType<typeof installPortkey>>;
  try {
    installed = await installPortkey((line) => console.log(`  ${line}`));
  } catch (error) {
    if (!(error instanceof RegistryUnreachableError)) throw error;
    console.log(
      `  SKIPPED: the npm registry is unreachable, Portkey is not installed (${error.message})`,
    );
    return 0;
  }
  const fake = await startFakeOpenAi({ scenario: { kind: 'ok' } });
  const metrion = await startMetrionProcess({
    openAiOrigin: fake.origin,
    accounts: accountsNeeded(),
  });
  const portkeyHeaders = {
    'content-type': 'application/json',
    authorization: `Bearer ${FAKE_OPENAI_API_KEY}`,
    'x-portkey-provider': 'openai',
    'x-portkey-custom-host': `${fake.origin}/v1`,
  };
  const portkeyTarget = (origin: string): Target => ({
    url: new URL(`${origin}/v1/chat/completions`),
    headers: portkeyHeaders,
    body: BODY,
  });
  const probe = async (origin: string) => {
    const agent = keepAliveAgent(1);
    await timedPost(portkeyTarget(origin), agent).finally(() => agent.destroy());
    return true;
  };
  const portkey = await startPortkey(installed, probe).catch(async (error: unknown) => {
    await metrion.stop();
    await fake.close();
    throw error;
  });
  try {
    let nextKey = 0;
    const metrionIds: string[] = [];
    const metrionTarget = (): Target => ({
      url: new URL(`${metrion.openAiBaseUrl}/chat/completions`),
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${metrion.metrionKeys[nextKey++ % metrion.metrionKeys.length]}`,
      },
      body: BODY,
    });
    const sides = () => [
      side('direct', () => ({
        url: new URL(`${fake.origin}/v1/chat/completions`),
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${FAKE_OPENAI_API_KEY}`,
        },
        body: BODY,
      })),
      side('Portkey', () => portkeyTarget(portkey.origin), portkey.process.pid),
      side('Metrion', metrionTarget, metrion.process.pid),
    ];
    // Every Metrion Key once, unmeasured: each account's data key is unwrapped and cached.
    const warmKeys = keepAliveAgent(10);
    const warmed = await runClosedLoop(metrion.metrionKeys.length, 10, () =>
      timedPost(metrionTarget(), warmKeys),
    );
    warmKeys.destroy();
    metrionIds.push(...warmed.map((sample) => sample.requestId ?? 'none'));

    const results = [];
    for (const entry of LOADS) {
      const measured = sides();
      await measure(measured, entry);
      const metrionSide = measured[2] as Side;
      for (const sample of [...metrionSide.warmups, ...metrionSide.samples]) {
        metrionIds.push(sample.requestId ?? 'none');
      }
      results.push({ load: entry, ...report(measured, entry) });
      if (entry.concurrency === 1) reportPhases(metrionSide);
    }
    const records = await metrion.checkRecords(metrionIds);
    const [c1, c50] = results;
    console.log('');
    console.log(
      `c=1 added p50 within ${TARGET.addedRatioC1}x of Portkey: ${c1?.ratio.toFixed(2)}x -> ${verdict((c1?.ratio ?? Infinity) <= TARGET.addedRatioC1)}`,
    );
    console.log(
      `c=50 Metrion at least ${TARGET.requestsPerSecondC50} req/s: ${c50?.metrionRps.toFixed(0)} -> ${verdict((c50?.metrionRps ?? 0) >= TARGET.requestsPerSecondC50)}`,
    );
    console.log(
      `Usage records: ${records.found} for ${records.expected} Metrion requests (warm-ups included); ` +
        `missing ${records.missing}, duplicated ${records.duplicates}, unexpected ${records.unexpected}, ` +
        `non-200 ${records.failed} -> ${records.ok ? 'OK' : 'FAILED'}`,
    );
    console.log(`load average at the end ${load()}`);
    return records.ok ? 0 : 1;
  } finally {
    await portkey.stop();
    await metrion.stop();
    await fake.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('The peer benchmark broke:', error);
    process.exitCode = 2;
  },
);
