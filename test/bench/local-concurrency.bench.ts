// `node test/bench/local-concurrency.bench.ts`: how local mode's DynamoDB clients reach dynalite,
// both ways in one run. Two local stacks side by side, dynalite on its worker thread in both:
// `HTTP` over loopback with LOCAL_DYNAMO_MAX_SOCKETS, `hand-off` through the worker's MessagePort
// (dynalite-hand-off.ts, what local mode runs). Their batches alternate (ABBA) so the load of a
// shared machine hits both alike. Main-thread CPU per request is the figure that load barely
// moves: one event loop serves every request, so it bounds requests/s.
import '#local/awslambda-shim.ts';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { FAKE_OPENAI_API_KEY } from '../fixtures/fake-openai-server.ts';
import { type BenchStack, REQUESTS_PER_KEY, startBenchStack } from './support/bench-stack.ts';
import { keepAliveAgent, runClosedLoop, type Target, timedPost } from './support/load-generator.ts';
import { summarize } from './support/percentiles.ts';

const LOADS = [
  { concurrency: 1, requests: 200 },
  { concurrency: 50, requests: 800 },
] as const;
const BATCHES = 4;
const BODY = Buffer.from(
  JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello.' }] }),
);

/** One stack under test, with what its DynamoDB client did. */
interface Variant {
  readonly name: string;
  readonly stack: BenchStack;
  readonly calls: { started: number; inFlight: number };
  nextKey: number;
}

/** Counts the stack's DynamoDB calls, and those still running (the writes after an answer). */
function countCalls(client: DynamoDBDocumentClient): Variant['calls'] {
  const calls = { started: 0, inFlight: 0 };
  client.middlewareStack.add(
    (next) => async (args) => {
      calls.started += 1;
      calls.inFlight += 1;
      try {
        return await next(args);
      } finally {
        calls.inFlight -= 1;
      }
    },
    { step: 'initialize', name: 'benchCallCounter' },
  );
  return calls;
}

function proxiedTarget(variant: Variant): Target {
  const keys = variant.stack.metrionKeys;
  const key = keys[variant.nextKey++ % keys.length] as string;
  return {
    url: new URL(`${variant.stack.metrion.proxyBaseUrls.openai}/chat/completions`),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: BODY,
  };
}

/** Accumulated figures of one variant at one load. */
class Tally {
  readonly totals: number[] = [];
  wallMs = 0;
  mainCpuMs = 0;
  processCpuMs = 0;
  calls = 0;

  get p50(): number {
    return summarize(this.totals).p50;
  }

  get mainCpuPerRequest(): number {
    return this.mainCpuMs / this.totals.length;
  }

  get requestsPerSecond(): number {
    return (this.totals.length / this.wallMs) * 1000;
  }

  row(name: string): string {
    const n = this.totals.length;
    const { p50, p99 } = summarize(this.totals);
    return [
      name.padEnd(8),
      p50.toFixed(1).padStart(8),
      p99.toFixed(1).padStart(8),
      ((n / this.wallMs) * 1000).toFixed(0).padStart(6),
      (this.mainCpuMs / n).toFixed(2).padStart(9),
      (this.processCpuMs / n).toFixed(2).padStart(9),
      (this.calls / n).toFixed(1).padStart(6),
    ].join(' ');
  }
}

/** Waits until the writes after the last answers have landed, so they do not bill the next batch. */
async function drain(variant: Variant): Promise<void> {
  while (variant.calls.inFlight > 0) await sleep(20);
}

async function measureBatch(variant: Variant, tally: Tally, count: number, concurrency: number) {
  const agent = keepAliveAgent(concurrency);
  try {
    await runClosedLoop(concurrency, concurrency, () => timedPost(proxiedTarget(variant), agent));
    await drain(variant);
    const callsBefore = variant.calls.started;
    const main = process.threadCpuUsage();
    const all = process.cpuUsage();
    const startedAt = performance.now();
    const samples = await runClosedLoop(count, concurrency, () =>
      timedPost(proxiedTarget(variant), agent),
    );
    tally.wallMs += performance.now() - startedAt;
    await drain(variant);
    const mainUsed = process.threadCpuUsage(main);
    const allUsed = process.cpuUsage(all);
    tally.mainCpuMs += (mainUsed.user + mainUsed.system) / 1000;
    tally.processCpuMs += (allUsed.user + allUsed.system) / 1000;
    tally.calls += variant.calls.started - callsBefore;
    tally.totals.push(...samples.map((sample) => sample.totalMs));
  } finally {
    agent.destroy();
  }
}

async function directP50(stack: BenchStack, concurrency: number): Promise<number> {
  const agent = keepAliveAgent(concurrency);
  const target: Target = {
    url: new URL(`${stack.openai.origin}/v1/chat/completions`),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${FAKE_OPENAI_API_KEY}` },
    body: BODY,
  };
  const samples = await runClosedLoop(concurrency * 10, concurrency, () =>
    timedPost(target, agent),
  );
  agent.destroy();
  return summarize(samples.map((sample) => sample.totalMs)).p50;
}

async function main(): Promise<void> {
  const perVariant = LOADS.reduce(
    (sum, load) => sum + load.requests + BATCHES * load.concurrency,
    0,
  );
  const accounts = Math.ceil(perVariant / (REQUESTS_PER_KEY - 1));
  const start = async (name: string, options: Parameters<typeof startBenchStack>[1]) => {
    const stack = await startBenchStack(accounts, options);
    return { name, stack, calls: countCalls(stack.metrion.data.documentClient), nextKey: 0 };
  };
  const variants: Variant[] = [
    await start('HTTP', { dynamoTransport: 'http' }),
    await start('hand-off', {}),
  ];
  // One request per key: every account's data key is unwrapped and cached before measuring.
  for (const variant of variants) {
    const agent = keepAliveAgent(10);
    await runClosedLoop(variant.stack.metrionKeys.length, 10, () =>
      timedPost(proxiedTarget(variant), agent),
    );
    agent.destroy();
  }
  console.log(`Local mode under concurrency, OpenAI JSON, stored mode; load average ${loadavg()}`);
  try {
    for (const load of LOADS) {
      const tallies = variants.map(() => new Tally());
      for (let batch = 0; batch < BATCHES; batch += 1) {
        const order = batch % 2 === 0 ? [0, 1] : [1, 0];
        for (const index of order) {
          const variant = variants[index] as Variant;
          const count = Math.ceil(load.requests / BATCHES);
          await measureBatch(variant, tallies[index] as Tally, count, load.concurrency);
        }
      }
      const direct = await directP50(variants[1]?.stack as BenchStack, load.concurrency);
      console.log(`\nc=${load.concurrency} (direct to the fake: p50 ${direct.toFixed(1)} ms)`);
      console.log('variant     p50 ms   p99 ms  req/s  main CPU  proc CPU  Dynamo');
      console.log('                                      ms/req    ms/req  calls/req');
      for (const [index, variant] of variants.entries()) {
        console.log((tallies[index] as Tally).row(variant.name));
      }
      const [http, handOff] = tallies as [Tally, Tally];
      console.log(
        `hand-off / HTTP: p50 ${(handOff.p50 / http.p50).toFixed(2)}, ` +
          `main CPU per request ${(handOff.mainCpuPerRequest / http.mainCpuPerRequest).toFixed(2)}, ` +
          `req/s ${(handOff.requestsPerSecond / http.requestsPerSecond).toFixed(2)}`,
      );
    }
    console.log(`\nload average at the end ${loadavg()}`);
  } finally {
    for (const variant of variants) await variant.stack.close();
  }
}

await main();
