// `npm run bench`: the proxy's added latency, measured side by side with direct calls in one run.
// The same requests go straight to a fake upstream and through the local Metrion stack (stored
// mode), in interleaved batches so drift hits both sides alike. Reports; misses do not fail.
// Proxied requests rotate over enough Free-plan accounts that no Metrion Key reaches the plan's
// rate limit: the limit checks still run on every request, as in production.
import '#local/awslambda-shim.ts';
import type { Agent } from 'node:http';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { FAKE_ANTHROPIC_API_KEY } from '../fixtures/fake-anthropic-server.ts';
import { FAKE_OPENAI_API_KEY } from '../fixtures/fake-openai-server.ts';
import {
  type BenchStack,
  checkUsageRecords,
  REQUESTS_PER_KEY,
  startBenchStack,
} from './support/bench-stack.ts';
import {
  keepAliveAgent,
  runClosedLoop,
  type Sample,
  type Target,
  timedPost,
} from './support/load-generator.ts';
import { summarize } from './support/percentiles.ts';
import { type CellResult, renderTable, type SideResult, TARGET } from './support/table.ts';

interface Load {
  readonly concurrency: number;
  /** Measured requests per side (direct, proxied). */
  readonly requests: number;
  /** Unmeasured requests per side before the measured ones. */
  readonly warmup: number;
}

const LOADS: readonly Load[] = [
  { concurrency: 1, requests: 400, warmup: 50 },
  { concurrency: 50, requests: 2000, warmup: 250 },
];
const WARM_UP_CONCURRENCY = 50;
/** Each side's measured requests are split into this many batches, run in ABBA order. */
const BATCHES_PER_SIDE = 4;

interface BenchCase {
  readonly name: string;
  readonly provider: 'openai' | 'anthropic';
  readonly streaming: boolean;
}

const CASES: readonly BenchCase[] = [
  { name: 'OpenAI JSON', provider: 'openai', streaming: false },
  { name: 'OpenAI stream', provider: 'openai', streaming: true },
  { name: 'Anthropic JSON', provider: 'anthropic', streaming: false },
  { name: 'Anthropic stream', provider: 'anthropic', streaming: true },
];

const MESSAGES = [{ role: 'user', content: 'Say hello in five words.' }];

/** Direct calls use the provider key; proxied ones the Metrion Key they are given. */
interface CaseTargets {
  readonly direct: Target;
  proxied(metrionKey: string): Target;
}

/** What an SDK sends: the same body both ways; only the URL and the credential differ. */
function targets(stack: BenchStack, benchCase: BenchCase): CaseTargets {
  const { streaming } = benchCase;
  if (benchCase.provider === 'openai') {
    const body = Buffer.from(
      JSON.stringify({
        model: 'gpt-4o-mini',
        messages: MESSAGES,
        ...(streaming ? { stream: true, stream_options: { include_usage: true } } : {}),
      }),
    );
    const headers = (key: string) => ({
      'content-type': 'application/json',
      authorization: `Bearer ${key}`,
    });
    return {
      direct: {
        url: new URL(`${stack.openai.origin}/v1/chat/completions`),
        headers: headers(FAKE_OPENAI_API_KEY),
        body,
      },
      proxied: (metrionKey) => ({
        url: new URL(`${stack.metrion.proxyBaseUrls.openai}/chat/completions`),
        headers: headers(metrionKey),
        body,
      }),
    };
  }
  const body = Buffer.from(
    JSON.stringify({
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      messages: MESSAGES,
      ...(streaming ? { stream: true } : {}),
    }),
  );
  const headers = (key: string) => ({
    'content-type': 'application/json',
    'anthropic-version': '2023-06-01',
    'x-api-key': key,
  });
  return {
    direct: {
      url: new URL(`${stack.anthropic.origin}/v1/messages`),
      headers: headers(FAKE_ANTHROPIC_API_KEY),
      body,
    },
    proxied: (metrionKey) => ({
      url: new URL(`${stack.metrion.proxyBaseUrls.anthropic}/v1/messages`),
      headers: headers(metrionKey),
      body,
    }),
  };
}

/** Hands out the Metrion Keys round-robin, so each carries the same share of the load. */
class KeyRing {
  readonly #keys: readonly string[];
  #next = 0;

  constructor(keys: readonly string[]) {
    this.#keys = keys;
  }

  next(): string {
    const key = this.#keys[this.#next % this.#keys.length] as string;
    this.#next += 1;
    return key;
  }
}

/** Sends a side's requests; collects their samples and the time the batches took. */
class Side {
  readonly #concurrency: number;
  readonly #agent: Agent;
  readonly #nextTarget: () => Target;
  readonly #requestIds: string[] | undefined;
  readonly samples: Sample[] = [];
  elapsedMs = 0;
  /** Process CPU time (user + system, all threads) while this side's batches ran. */
  cpuMs = 0;

  /** `requestIds` collects the proxy's request ids (proxied side only). */
  constructor(concurrency: number, agent: Agent, nextTarget: () => Target, requestIds?: string[]) {
    this.#concurrency = concurrency;
    this.#agent = agent;
    this.#nextTarget = nextTarget;
    this.#requestIds = requestIds;
  }

  async send(count: number): Promise<Sample[]> {
    const samples = await runClosedLoop(count, this.#concurrency, () =>
      timedPost(this.#nextTarget(), this.#agent),
    );
    if (this.#requestIds) {
      for (const { requestId } of samples) {
        if (requestId === undefined) throw new Error('a proxied response had no request id');
        this.#requestIds.push(requestId);
      }
    }
    return samples;
  }

  async measure(count: number): Promise<void> {
    const startedAt = performance.now();
    const cpuBefore = process.cpuUsage();
    this.samples.push(...(await this.send(count)));
    const cpu = process.cpuUsage(cpuBefore);
    this.elapsedMs += performance.now() - startedAt;
    this.cpuMs += (cpu.user + cpu.system) / 1000;
  }

  result(): SideResult {
    return {
      total: summarize(this.samples.map((sample) => sample.totalMs)),
      ttfb: summarize(this.samples.map((sample) => sample.ttfbMs)),
      requestsPerSecond: (this.samples.length / this.elapsedMs) * 1000,
      cpuMsPerRequest: this.cpuMs / this.samples.length,
    };
  }
}

/**
 * Measures one case at one load: warm-up on both sides, then the batches in ABBA order
 * (D P, P D, D P, P D) so linear drift cancels. Every proxied request id goes to `proxiedIds`.
 */
async function measureCell(
  stack: BenchStack,
  agent: Agent,
  keys: KeyRing,
  benchCase: BenchCase,
  load: Load,
  proxiedIds: string[],
): Promise<CellResult> {
  const { direct, proxied } = targets(stack, benchCase);
  const directSide = new Side(load.concurrency, agent, () => direct);
  const proxiedSide = new Side(load.concurrency, agent, () => proxied(keys.next()), proxiedIds);

  // Opens the sockets and warms the JIT. Not measured.
  await directSide.send(load.warmup);
  await proxiedSide.send(load.warmup);

  const batch = Math.ceil(load.requests / BATCHES_PER_SIDE);
  for (let index = 0; index < BATCHES_PER_SIDE; index += 1) {
    const order = index % 2 === 0 ? [directSide, proxiedSide] : [proxiedSide, directSide];
    for (const side of order) await side.measure(batch);
  }
  return {
    caseName: benchCase.name,
    streaming: benchCase.streaming,
    concurrency: load.concurrency,
    direct: directSide.result(),
    proxied: proxiedSide.result(),
  };
}

/** One JSON request per key and provider: every account's data key is unwrapped and cached. */
async function warmEveryKey(stack: BenchStack, agent: Agent, proxiedIds: string[]): Promise<void> {
  for (const benchCase of CASES.filter((candidate) => !candidate.streaming)) {
    const { proxied } = targets(stack, benchCase);
    const keys = new KeyRing(stack.metrionKeys);
    const side = new Side(WARM_UP_CONCURRENCY, agent, () => proxied(keys.next()), proxiedIds);
    await side.send(stack.metrionKeys.length);
  }
}

/** Accounts (one key each) so that no key carries more than {@link REQUESTS_PER_KEY}. */
function accountsNeeded(): number {
  const perCase = LOADS.reduce((sum, load) => sum + load.warmup + load.requests, 0);
  const warmups = CASES.filter((benchCase) => !benchCase.streaming).length;
  return Math.ceil((CASES.length * perCase) / (REQUESTS_PER_KEY - warmups));
}

function machineInfo(): string[] {
  const cores = cpus();
  const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(1);
  const load = loadavg().map((value) => value.toFixed(2));
  return [
    `node ${process.version} (${process.platform}/${process.arch}), ${cores.length} CPUs: ${cores[0]?.model ?? 'unknown'}`,
    `memory ${gib(freemem())} GiB free of ${gib(totalmem())} GiB, load average ${load.join(' ')}`,
    'one process: load generator, fake upstreams (instant answers), local API Gateway + proxy, dynalite',
  ];
}

async function main(): Promise<number> {
  const startedAt = performance.now();
  console.log('Metrion proxy overhead benchmark');
  for (const line of machineInfo()) console.log(`  ${line}`);

  const accounts = accountsNeeded();
  const stack = await startBenchStack(accounts);
  console.log(`  ${accounts} Free-plan accounts, proxied requests rotate over their Metrion Keys`);
  // One shared keep-alive agent: a socket per in-flight request, per origin.
  const agent = keepAliveAgent(64);
  try {
    const proxiedIds: string[] = [];
    await warmEveryKey(stack, agent, proxiedIds);
    const keys = new KeyRing(stack.metrionKeys);
    const cells: CellResult[] = [];
    for (const benchCase of CASES) {
      for (const load of LOADS) {
        const cellStartedAt = performance.now();
        cells.push(await measureCell(stack, agent, keys, benchCase, load, proxiedIds));
        const seconds = ((performance.now() - cellStartedAt) / 1000).toFixed(1);
        console.log(`  measured ${benchCase.name}, c=${load.concurrency} in ${seconds} s`);
      }
    }

    console.log('');
    console.log(
      'Latency in ms until the last byte read; TTFB+ = added time to the first body byte ' +
        "(streaming). ADDED = proxied minus direct, per percentile. CPU/req = this process's CPU " +
        'time per request (client, fakes, proxy and dynalite together). ' +
        `Target: ADDED p50 <= ${TARGET.addedP50Ms} ms, p99 <= ${TARGET.addedP99Ms} ms.`,
    );
    for (const line of renderTable(cells)) console.log(line);
    console.log('');

    const records = await checkUsageRecords(stack, proxiedIds);
    console.log(
      `Usage records: ${records.found} for ${records.expected} proxied requests (warm-up included); ` +
        `missing ${records.missing}, duplicated ${records.duplicates}, unexpected ${records.unexpected}, ` +
        `non-200 ${records.failed} -> ${records.ok ? 'OK' : 'FAILED'}`,
    );
    console.log(`Bench runtime: ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
    return records.ok ? 0 : 1;
  } finally {
    agent.destroy();
    await stack.close();
  }
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
