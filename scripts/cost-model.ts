// `npm run cost [-- --region us-east-1] [-- --memory 512]`: AWS cost per 1 M proxied requests,
// line by line with the arithmetic, from measured inputs (test-artifacts/bench/*.json, written by
// `node test/bench/cost-inputs.bench.ts` and the proxy handler bench) and the stated
// assumptions below. docs/cost.md explains every input and the memory choice.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ENVIRONMENTS } from '../lib/config/environments.ts';
import { PROXY_MEMORY_MB } from '../lib/config/proxy-sizing.ts';
import {
  type CostInputs,
  concurrentExecutions,
  costPerMillion,
  cpuWallMs,
  kmsDecryptsPerRequest,
  type StoreCall,
  storeUnits,
  totalUsd,
  tracedFraction,
} from './cost/cost-model.ts';
import { loadMeasuredInputs, targetCalls } from './cost/measured-inputs.ts';
import { isRegion, PRICES } from './cost/prices.ts';

/** Stated assumptions: not measurable locally; each is printed with the result. */
const ASSUMED = {
  /** DynamoDB in-region round trip (issue 13's default). */
  storeRoundTripMs: 5,
  /** Output tokens per second of a stream, one SSE event each. */
  sseEventsPerSecond: 50,
  /** A non-streamed answer (a few hundred tokens plus the JSON envelope). */
  jsonResponseBytes: 2_000,
  /** The prompt the Lambda sends on to the provider (system prompt and some history). */
  requestBytes: 8_000,
  /** START + END + REPORT (with its XRAY line) in Lambda's text format, see platformLogBytes. */
  cloudWatchEventOverheadBytes: 26,
  /** Request rate the KMS and X-Ray lines assume, and provider keys in use across accounts. */
  requestsPerSecond: 100,
  distinctProviderKeys: 1_000,
  /** createSecretVault's default dataKeyCacheTtlMs (functions/core/vault/secret-vault.ts). */
  dataKeyCacheTtlS: 300,
  /** Records of one aggregator batch that share an (account, hour/day) rollup item. */
  rollupMergeFactor: 5,
  aggregator: { batchSize: 100, seconds: 0.2, memoryMb: 256 },
} as const;

/** Account and stage limits checked in docs/cost.md; stage values are lib/constructs/api.ts defaults. */
const LIMITS = {
  accountLambdaConcurrency: 1_000,
  accountApiGatewayRps: 10_000,
  accountApiGatewayBurst: 5_000,
  stageRps: 500,
  stageBurst: 1_000,
  onDemandTableInitialWru: 4_000,
  partitionWruPerSecond: 1_000,
} as const;

const SCENARIOS = [
  { name: 'JSON answer, 0.3 s', providerSeconds: 0.3, streamed: false },
  { name: 'stream, 1 s', providerSeconds: 1, streamed: true },
  { name: 'stream, 10 s', providerSeconds: 10, streamed: true },
] as const;

const ROOT = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    region: { type: 'string', default: ENVIRONMENTS.prod.region },
    memory: { type: 'string', default: String(PROXY_MEMORY_MB) },
  },
});
if (!isRegion(args.region)) throw new Error(`no prices for region '${args.region}'`);
const prices = PRICES[args.region];
const memoryMb = Number(args.memory);
const measured = loadMeasuredInputs(
  path.join(ROOT, 'test-artifacts/bench/cost-inputs.json'),
  path.join(ROOT, 'test-artifacts/bench/proxy-handler.json'),
);

/** Lambda's own lines per invocation (text format, tracing on), sized from real-shaped samples. */
function platformLogBytes(): number {
  const id = '8f5f8c6e-1a2b-4c3d-9e8f-0a1b2c3d4e5f';
  const lines = [
    `START RequestId: ${id} Version: $LATEST`,
    `END RequestId: ${id}`,
    `REPORT RequestId: ${id}\tDuration: 10034.56 ms\tBilled Duration: 10035 ms\tMemory Size: ${memoryMb} MB\tMax Memory Used: 118 MB\t\nXRAY TraceId: 1-6745a1b2-5ac6c58f5c2ef2b5c0a0a8c3\tSegmentId: 6bb3f5a21f8a2e0b\tSampled: true\t`,
  ];
  return lines.reduce(
    (sum, line) => sum + Buffer.byteLength(line) + 1 + ASSUMED.cloudWatchEventOverheadBytes,
    0,
  );
}

/** One access-log line in `AccessLogFormat.jsonWithStandardFields()` (lib/constructs/api.ts). */
function accessLogBytes(): number {
  const line = JSON.stringify({
    requestId: '6a1ad136-a95e-b24f-c4aa-892d7ad5f347',
    ip: '203.0.113.10',
    caller: '-',
    user: '-',
    requestTime: '24/Nov/2026:12:00:00 +0000',
    httpMethod: 'POST',
    resourcePath: '/api/proxy/openai/v1/chat/completions',
    status: '200',
    protocol: 'HTTP/1.1',
    responseLength: '14650',
  });
  return Buffer.byteLength(line) + 1 + ASSUMED.cloudWatchEventOverheadBytes;
}

const logBytes = measured.appLogBytesPerRequest + platformLogBytes() + accessLogBytes();

function inputsFor(
  scenario: (typeof SCENARIOS)[number],
  calls: readonly StoreCall[],
  roundTrips: number,
  memory: number,
): CostInputs {
  const environments = concurrentExecutions(ASSUMED.requestsPerSecond, scenario.providerSeconds);
  return {
    memoryMb: memory,
    architecture: 'arm64',
    providerSeconds: scenario.providerSeconds,
    storeRoundTrips: roundTrips,
    storeRoundTripMs: ASSUMED.storeRoundTripMs,
    cpuMsPerRequest: measured.cpuMsPerRequest,
    responseBytes: scenario.streamed
      ? Math.round(
          measured.bytesPerSseEvent * ASSUMED.sseEventsPerSecond * scenario.providerSeconds,
        )
      : ASSUMED.jsonResponseBytes,
    requestBytes: ASSUMED.requestBytes,
    storeCalls: calls,
    logBytesPerRequest: logBytes,
    kmsDecryptsPerRequest: kmsDecryptsPerRequest({
      requestsPerSecond: ASSUMED.requestsPerSecond,
      environments: Math.max(1, Math.ceil(environments)),
      distinctKeys: ASSUMED.distinctProviderKeys,
      ttlS: ASSUMED.dataKeyCacheTtlS,
    }),
    tracedFraction: tracedFraction(ASSUMED.requestsPerSecond),
    aggregator: ASSUMED.aggregator,
  };
}

const money = (usd: number) => `$${usd.toFixed(2).padStart(8)}`;
const target = targetCalls(measured.itemBytes, ASSUMED.rollupMergeFactor);
const targetRoundTrips = measured.handlerBench?.roundTrips ?? 2;

console.log(
  `Metrion AWS cost per 1,000,000 proxied requests, ${args.region}, proxy at ${memoryMb} MB arm64`,
);
console.log(`measured inputs: ${measured.source}`);
if (measured.handlerBench) console.log(`round trips from: ${measured.handlerBench.source}`);
console.log(`assumptions: ${JSON.stringify(ASSUMED)}`);
const assumedPrices = Object.entries(prices)
  .filter(([, price]) => price.assumed)
  .map(([name]) => name);
console.log(
  `prices not confirmed by the search (see docs/cost.md): ${assumedPrices.join(', ') || 'none'}\n`,
);

console.log('DynamoDB calls per request (sized by AWS rules from measured items):');
for (const [name, calls] of [
  ['today (measured)', measured.todayCalls],
  ['target (issue 13)', target],
] as const) {
  const { wru, rru } = storeUnits(calls);
  console.log(`  ${name}: ${wru.toFixed(2)} WRU + ${rru.toFixed(2)} RRU per request`);
  for (const call of calls) {
    console.log(
      `    ${call.label}: ${call.itemBytes} B x ${call.perRequest.toFixed(2)}${call.indexWrites ? ` (+${call.indexWrites} index WRU)` : ''}`,
    );
  }
}
console.log(
  `log bytes per request: ${measured.appLogBytesPerRequest} app + ${platformLogBytes()} Lambda platform + ${accessLogBytes()} API Gateway access = ${logBytes}\n`,
);

for (const scenario of SCENARIOS) {
  const inputs = inputsFor(scenario, target, targetRoundTrips, memoryMb);
  const lines = costPerMillion(inputs, prices);
  console.log(`== ${scenario.name} (target hot path: ${targetRoundTrips} round trips) ==`);
  for (const line of lines)
    console.log(`  ${money(line.usd)}  ${line.component}: ${line.arithmetic}`);
  const today = costPerMillion(
    inputsFor(scenario, measured.todayCalls, measured.todayRoundTrips, memoryMb),
    prices,
  );
  console.log(
    `  ${money(totalUsd(lines))}  TOTAL (today's code, ${measured.todayRoundTrips} round trips: ${money(totalUsd(today)).trim()})\n`,
  );
}

console.log(
  `== memory size (proxy CPU ${measured.cpuMsPerRequest} ms/request on one core; peak RSS ${measured.peakRssMb} MB at c=50 in one process) ==`,
);
for (const memory of [256, 512, 1024, 1769]) {
  const totals = SCENARIOS.map((scenario) =>
    totalUsd(costPerMillion(inputsFor(scenario, target, targetRoundTrips, memory), prices)),
  );
  const cpuMs = cpuWallMs(measured.cpuMsPerRequest, memory);
  console.log(
    `  ${String(memory).padStart(4)} MB: CPU adds ${cpuMs.toFixed(1)} ms wall per request; total per 1M: ${SCENARIOS.map((s, i) => `${s.name} ${money(totals[i] ?? 0).trim()}`).join(', ')}`,
  );
}

console.log('\n== scale: concurrent executions = requests/s x mean duration ==');
for (const rps of [100, 1_000]) {
  for (const scenario of SCENARIOS) {
    const seconds = scenario.providerSeconds;
    const concurrent = concurrentExecutions(rps, seconds);
    const verdict = concurrent >= LIMITS.accountLambdaConcurrency ? 'AT OR ABOVE' : 'within';
    console.log(
      `  ${rps} req/s x ${seconds} s = ${concurrent.toLocaleString('en-US')} concurrent (${verdict} the default ${LIMITS.accountLambdaConcurrency.toLocaleString('en-US')} account concurrency)`,
    );
  }
  const stage =
    rps > LIMITS.stageRps
      ? `ABOVE the stage's ${LIMITS.stageRps} req/s (burst ${LIMITS.stageBurst})`
      : `within the stage's ${LIMITS.stageRps} req/s`;
  const { wru } = storeUnits(target);
  console.log(
    `  ${rps} req/s: ${stage}; account API Gateway limit ${LIMITS.accountApiGatewayRps.toLocaleString('en-US')} req/s; DynamoDB ${(rps * wru).toFixed(0)} WRU/s (new on-demand table: ${LIMITS.onDemandTableInitialWru.toLocaleString('en-US')} WRU/s; one key item: ${LIMITS.partitionWruPerSecond.toLocaleString('en-US')} WRU/s)`,
  );
}
