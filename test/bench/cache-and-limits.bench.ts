// `npm run bench` (second part): what the response cache saves and what the limiter costs.
// 1. Cache: an OpenAI JSON request straight to the fake upstream, through the proxy without
//    caching, and as a cache HIT (JSON and replayed as SSE), against an instant upstream and one
//    that takes 250 ms like a model would. A hit never reaches the upstream.
// 2. Limiter: `ProxyAdmission.admit` alone on the real DynamoDB adapter (dynalite: one
//    conditional UpdateItem for authentication, plan and both limits) for Pro and Free against a
//    no-op admission, and end to end through the proxy for Free vs Pro accounts. Reports; nothing here fails the run except broken requests.
import '#local/awslambda-shim.ts';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { DynamoAccountStore } from '#adapters/dynamodb/dynamo-account-store.ts';
import { DynamoProxyAdmission } from '#adapters/dynamodb/dynamo-proxy-admission.ts';
import { SystemClock } from '#adapters/system/system-clock.ts';
import { metrionKeyDigest } from '#core/accounts/metrion-key.ts';
import { PLAN_LIMITS } from '#core/billing/plans.ts';
import { admissionRequest } from '#core/limits/request-limits.ts';
import type { ProxyAdmission } from '#core/ports/proxy-admission.ts';
import { FAKE_OPENAI_API_KEY } from '../fixtures/fake-openai-server.ts';
import { type BenchStack, REQUESTS_PER_KEY, startBenchStack } from './support/bench-stack.ts';
import {
  keepAliveAgent,
  runClosedLoop,
  type Sample,
  type Target,
  timedPost,
} from './support/load-generator.ts';
import { type Percentiles, summarize } from './support/percentiles.ts';

interface Load {
  readonly concurrency: number;
  readonly requests: number;
  readonly warmup: number;
}

const INSTANT_LOADS: readonly Load[] = [
  { concurrency: 1, requests: 300, warmup: 30 },
  { concurrency: 20, requests: 500, warmup: 50 },
];
const SLOW_UPSTREAM_MS = 250;
const SLOW_LOADS: readonly Load[] = [
  { concurrency: 1, requests: 40, warmup: 4 },
  { concurrency: 20, requests: 400, warmup: 40 },
];
const LIMITER_LOADS: readonly Load[] = [
  { concurrency: 1, requests: 1000, warmup: 100 },
  { concurrency: 20, requests: 2000, warmup: 200 },
];

const BODY = Buffer.from(
  JSON.stringify({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Say hello in five words.' }],
  }),
);
const STREAM_BODY = Buffer.from(
  JSON.stringify({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Say hello in five words.' }],
    stream: true,
  }),
);

/** Hands out keys round-robin; throws before any key would carry more than REQUESTS_PER_KEY. */
class KeyPool {
  readonly #keys: readonly string[];
  #sent = 0;

  constructor(keys: readonly string[]) {
    this.#keys = keys;
  }

  next(): string {
    if (this.#sent >= this.#keys.length * REQUESTS_PER_KEY) {
      throw new Error('bench sizing: the key pool would reach the rate limit');
    }
    const key = this.#keys[this.#sent % this.#keys.length] as string;
    this.#sent += 1;
    return key;
  }
}

interface Row {
  readonly name: string;
  readonly concurrency: number;
  readonly total: Percentiles;
  readonly requestsPerSecond: number;
  /** The row this one is compared with; none for a baseline. */
  readonly baseline?: Row;
}

async function measure(
  name: string,
  load: Load,
  send: () => Promise<Sample>,
  baseline?: Row,
): Promise<Row> {
  await runClosedLoop(load.warmup, load.concurrency, send);
  const startedAt = performance.now();
  const samples = await runClosedLoop(load.requests, load.concurrency, send);
  const elapsedMs = performance.now() - startedAt;
  return {
    name,
    concurrency: load.concurrency,
    total: summarize(samples.map((sample) => sample.totalMs)),
    requestsPerSecond: (samples.length / elapsedMs) * 1000,
    ...(baseline === undefined ? {} : { baseline }),
  };
}

/** Times one async call as a Sample (for component-level measurements). */
async function timed(call: () => Promise<unknown>): Promise<Sample> {
  const startedAt = performance.now();
  await call();
  const totalMs = performance.now() - startedAt;
  return { ttfbMs: totalMs, totalMs };
}

function render(title: string, rows: readonly Row[]) {
  const header = ['case', 'c', 'n', 'p50 / p95 / p99 ms', 'vs baseline p50 / p99', 'req/s'];
  const ms = (value: number) => value.toFixed(2);
  const cells = rows.map((row) => {
    const base = row.baseline;
    return [
      row.name,
      String(row.concurrency),
      String(row.total.count),
      `${ms(row.total.p50)} / ${ms(row.total.p95)} / ${ms(row.total.p99)}`,
      base === undefined
        ? '(baseline)'
        : `${signed(row.total.p50 - base.total.p50)} / ${signed(row.total.p99 - base.total.p99)}`,
      row.requestsPerSecond.toFixed(0),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]?.length ?? 0)));
  const line = (cols: readonly string[]) =>
    `| ${cols.map((col, i) => col.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log('');
  console.log(title);
  console.log(line(header));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  for (const row of cells) console.log(line(row));
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(2)}`;
}

function requestsNeeded(loads: readonly Load[], sides: number): number {
  return sides * loads.reduce((sum, load) => sum + load.warmup + load.requests, 0);
}

async function cacheSection(stack: BenchStack, pool: KeyPool, keys: readonly string[]) {
  const agent = keepAliveAgent(32);
  const direct: Target = {
    url: new URL(`${stack.openai.origin}/v1/chat/completions`),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${FAKE_OPENAI_API_KEY}` },
    body: BODY,
  };
  const proxied = (body: Buffer, cache: boolean): Target => ({
    url: new URL(`${stack.metrion.proxyBaseUrls.openai}/chat/completions`),
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${pool.next()}`,
      ...(cache ? { 'x-metrion-cache': 'true' } : {}),
    },
    body,
  });
  try {
    // Every account stores the answer once (the cache key includes the account).
    for (const key of keys) {
      await timedPost(
        {
          url: new URL(`${stack.metrion.proxyBaseUrls.openai}/chat/completions`),
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${key}`,
            'x-metrion-cache': 'true',
          },
          body: BODY,
        },
        agent,
      );
    }
    const rows: Row[] = [];
    stack.openai.setScenario({ kind: 'ok' });
    for (const load of INSTANT_LOADS) {
      const base = await measure('direct, instant upstream', load, () => timedPost(direct, agent));
      rows.push(
        base,
        await measure(
          'proxied, no cache',
          load,
          () => timedPost(proxied(BODY, false), agent),
          base,
        ),
        await measure(
          'proxied, cache HIT (JSON)',
          load,
          () => timedPost(proxied(BODY, true), agent),
          base,
        ),
        await measure(
          'proxied, cache HIT (SSE replay)',
          load,
          () => timedPost(proxied(STREAM_BODY, true), agent),
          base,
        ),
      );
      console.log(`  measured cache section, instant upstream, c=${load.concurrency}`);
    }
    stack.openai.setScenario({ kind: 'delayHeaders', ms: SLOW_UPSTREAM_MS });
    for (const load of SLOW_LOADS) {
      const base = await measure(`direct, ${SLOW_UPSTREAM_MS} ms upstream`, load, () =>
        timedPost(direct, agent),
      );
      rows.push(
        base,
        await measure(
          `proxied, no cache, ${SLOW_UPSTREAM_MS} ms upstream`,
          load,
          () => timedPost(proxied(BODY, false), agent),
          base,
        ),
        await measure(
          'proxied, cache HIT (JSON)',
          load,
          () => timedPost(proxied(BODY, true), agent),
          base,
        ),
      );
      console.log(
        `  measured cache section, ${SLOW_UPSTREAM_MS} ms upstream, c=${load.concurrency}`,
      );
    }
    stack.openai.setScenario({ kind: 'ok' });
    render('Response cache: latency until the last byte; baseline = the direct call above', rows);
  } finally {
    agent.destroy();
  }
}

async function limiterSection(
  stack: BenchStack,
  freeKeys: KeyPool,
  proKeys: KeyPool,
  keysByPlan: { readonly free: readonly string[]; readonly pro: readonly string[] },
) {
  const admission = new DynamoProxyAdmission({
    client: stack.metrion.data.documentClient,
    tableName: stack.metrion.data.accountsTable,
  });
  const noop: ProxyAdmission = {
    admit: async () => ({ outcome: 'unknown-key' }),
    windowCount: async () => ({ count: 0, refused: 0 }),
  };
  const clock = new SystemClock();
  // Limits high enough that nothing is refused: the write path is the same at any limit.
  const planLimits = {
    free: { ...PLAN_LIMITS.free, monthlyRequests: 1e12, requestsPerMinutePerKey: 1e12 },
    pro: { ...PLAN_LIMITS.pro, requestsPerMinutePerKey: 1e12 },
  };
  const digestsOf = (keys: readonly string[]) =>
    keys.map((key) => metrionKeyDigest(key, stack.metrion.data.pepper));
  let caller = 0;
  const check = (store: ProxyAdmission, digests: readonly string[]) => () =>
    timed(async () => {
      caller += 1;
      const keyDigest = digests[caller % digests.length] as string;
      await store.admit(
        admissionRequest({ keyDigest, provider: 'openai' }, clock.nowMs(), {}, planLimits),
      );
    });

  const component: Row[] = [];
  for (const load of LIMITER_LOADS) {
    const base = await measure('no admission (no-op store)', load, check(noop, ['x']));
    component.push(
      base,
      await measure(
        'Pro: 1 conditional UpdateItem',
        load,
        check(admission, digestsOf(keysByPlan.pro)),
        base,
      ),
      await measure(
        'Free: 1 conditional UpdateItem',
        load,
        check(admission, digestsOf(keysByPlan.free)),
        base,
      ),
    );
    console.log(`  measured admission alone, c=${load.concurrency}`);
  }
  render('Admission alone (ProxyAdmission.admit on dynalite); baseline = no-op store', component);

  const agent = keepAliveAgent(32);
  try {
    const proxied = (pool: KeyPool): Target => ({
      url: new URL(`${stack.metrion.proxyBaseUrls.openai}/chat/completions`),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${pool.next()}` },
      body: BODY,
    });
    const direct: Target = {
      url: new URL(`${stack.openai.origin}/v1/chat/completions`),
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${FAKE_OPENAI_API_KEY}`,
      },
      body: BODY,
    };
    const endToEnd: Row[] = [];
    for (const load of INSTANT_LOADS) {
      const base = await measure('direct', load, () => timedPost(direct, agent));
      endToEnd.push(
        base,
        await measure('proxied, Pro', load, () => timedPost(proxied(proKeys), agent), base),
        await measure('proxied, Free', load, () => timedPost(proxied(freeKeys), agent), base),
      );
      console.log(`  measured limiter end to end, c=${load.concurrency}`);
    }
    render('Limiter end to end (OpenAI JSON, instant upstream); baseline = direct call', endToEnd);
  } finally {
    agent.destroy();
  }
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  console.log('Metrion cache and limiter benchmark');
  console.log(
    `  node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}; one process: load generator, fake upstream, local API Gateway + proxy, dynalite`,
  );
  const cacheRequests = requestsNeeded(INSTANT_LOADS, 3) + requestsNeeded(SLOW_LOADS, 2);
  const freeRequests = cacheRequests + requestsNeeded(INSTANT_LOADS, 1);
  const proRequests = requestsNeeded(INSTANT_LOADS, 1);
  // +1 per key for its cache warm-up request.
  const freeAccounts = Math.ceil(freeRequests / (REQUESTS_PER_KEY - 1));
  const proAccounts = Math.ceil(proRequests / REQUESTS_PER_KEY);
  const stack = await startBenchStack(freeAccounts + proAccounts);
  try {
    const accounts = new DynamoAccountStore({
      client: stack.metrion.data.documentClient,
      tableName: stack.metrion.data.accountsTable,
    });
    const proIds = stack.accountIds.slice(freeAccounts);
    for (const accountId of proIds) await accounts.updateProfile(accountId, { plan: 'pro' });
    const freeKeys = stack.metrionKeys.slice(0, freeAccounts);
    const freePool = new KeyPool(freeKeys);
    const proKeys = stack.metrionKeys.slice(freeAccounts);
    const proPool = new KeyPool(proKeys);
    console.log(
      `  ${freeAccounts} Free and ${proAccounts} Pro accounts; keys rotate below the rate limit`,
    );

    await cacheSection(stack, freePool, freeKeys);
    await limiterSection(stack, freePool, proPool, { free: freeKeys, pro: proKeys });
    console.log('');
    console.log(`Bench runtime: ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
  } finally {
    await stack.close();
  }
}

main().catch((error: unknown) => {
  console.error('The benchmark broke:', error);
  process.exitCode = 2;
});
