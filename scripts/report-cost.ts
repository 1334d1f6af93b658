// `npm run cost [-- --region us-east-1] [-- --memory 512]`: AWS cost per 1 M proxied requests,
// line by line with the arithmetic. It prices exactly the DynamoDB calls, item sizes, index
// writes, log bytes and CPU that `node test/bench/cost-inputs.bench.ts` measured (the fresh
// test-artifacts file, else the committed docs/cost-inputs.json), plus the stated assumptions
// below, each printed with the result. docs/cost.md explains every input and the memory choice.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ENVIRONMENTS } from '../lib/config/environments.ts';
import { PROXY_MEMORY_MB } from '../lib/config/proxy-sizing.ts';
import {
  type CostInputs,
  concurrentExecutions,
  costPerMillion,
  cpuWallMs,
  kmsWindow,
  storeUnits,
  totalUsd,
  tracedFraction,
} from './cost/cost-model.ts';
import { readUnits, writeUnits } from './cost/item-size.ts';
import { accessLogBytes, platformLogBytes } from './cost/log-bytes.ts';
import { loadMeasuredInputs, pricedCalls, rollupWrites } from './cost/measured-inputs.ts';
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
  /**
   * Request rate the KMS and X-Ray lines assume, accounts sending them (the cost table uses the
   * first), and secrets each account opens on the proxy path (for the data-key-per-secret
   * comparison: a provider key or two, plus nothing else the proxy opens).
   */
  requestsPerSecond: 100,
  activeAccounts: [1_000, 100_000],
  providerKeysPerAccount: 2,
  /** createSecretVault's default dataKeyCacheTtlMs (functions/core/vault/secret-vault.ts). */
  dataKeyCacheTtlS: 300,
  /**
   * The stream aggregator's writes, priced only while the bench measures no rollup write: records
   * of a batch sharing an (account, hour/day) item; item sizes as last measured when the proxy
   * wrote rollups itself (largest rollup 609 B, dirty marker 95 B, run of 2026-12-01; both under 1 KB: 1 WRU each).
   */
  aggregatorWrites: {
    mergeFactor: 5,
    rollupItemBytes: 609,
    markersPerBatchItem: 2,
    markerItemBytes: 95,
  },
  /** Records per invocation: its event source takes up to 500 in a 1 s window, ~100 at 100 req/s. */
  aggregatorLambda: { batchSize: 100, seconds: 0.2, memoryMb: 256 },
} as const;

/** Account and stage limits checked in docs/cost.md; stage values are lib/constructs/api.ts defaults. */
const LIMITS = {
  accountLambdaConcurrency: 1_000,
  accountApiGatewayRps: 10_000,
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
type Scenario = (typeof SCENARIOS)[number];

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
  path.join(ROOT, 'docs/cost-inputs.json'),
);
const { file } = measured;
const rollups = rollupWrites(file.calls);
const calls = pricedCalls(file.calls, ASSUMED.aggregatorWrites);
// Late calls (after the invocation ended) cost units but no billed time.
const roundTrips = file.roundTrips.before + file.roundTrips.after;
const logBytes = (memory: number) =>
  file.logs.appBytesPerRequest + platformLogBytes(memory) + accessLogBytes();

/** Warm environments the scenario keeps busy at the assumed rate (Little's law), at least 1. */
const environmentsFor = (scenario: Scenario) =>
  Math.max(1, Math.ceil(concurrentExecutions(ASSUMED.requestsPerSecond, scenario.providerSeconds)));

/** One data key per account (sealed version 2); `perSecret` models version 1 for comparison. */
const kmsFor = (
  scenario: Scenario,
  accounts: number = ASSUMED.activeAccounts[0],
  options: { perSecret?: boolean; ttlS?: number } = {},
) =>
  kmsWindow({
    requestsPerSecond: ASSUMED.requestsPerSecond,
    environments: environmentsFor(scenario),
    dataKeys: options.perSecret ? accounts * ASSUMED.providerKeysPerAccount : accounts,
    ttlS: options.ttlS ?? ASSUMED.dataKeyCacheTtlS,
  });

function inputsFor(scenario: Scenario, memory: number): CostInputs {
  return {
    memoryMb: memory,
    architecture: 'arm64',
    providerSeconds: scenario.providerSeconds,
    storeRoundTrips: roundTrips,
    storeRoundTripMs: ASSUMED.storeRoundTripMs,
    cpuMsPerRequest: file.load.cpuMsPerRequest,
    responseBytes: scenario.streamed
      ? Math.round(
          measured.bytesPerSseEvent * ASSUMED.sseEventsPerSecond * scenario.providerSeconds,
        )
      : ASSUMED.jsonResponseBytes,
    requestBytes: ASSUMED.requestBytes,
    storeCalls: calls,
    logBytesPerRequest: logBytes(memory),
    kmsDecryptsPerRequest: kmsFor(scenario).perRequest,
    tracedFraction: tracedFraction(ASSUMED.requestsPerSecond),
    // The aggregator Lambda exists once the proxy no longer writes the rollups itself.
    aggregator: rollups === 'proxy' ? undefined : ASSUMED.aggregatorLambda,
  };
}

const money = (usd: number) => `$${usd.toFixed(2).padStart(8)}`;
const total = (scenario: Scenario, memory: number) =>
  totalUsd(costPerMillion(inputsFor(scenario, memory), prices));

console.log(
  `Metrion AWS cost per 1,000,000 proxied requests, ${args.region}, proxy at ${memoryMb} MB arm64`,
);
console.log(`measured inputs: ${measured.source}`);
console.log(`  on ${file.machine}`);
console.log(`assumptions: ${JSON.stringify(ASSUMED)}`);
const assumedPrices = Object.entries(prices)
  .filter(([, price]) => price.assumed)
  .map(([name]) => name);
console.log(
  `prices not confirmed by the search (see docs/cost.md): ${assumedPrices.join(', ') || 'none'}\n`,
);

const { wru, rru } = storeUnits(calls);
console.log(
  `DynamoDB per request: ${wru.toFixed(2)} WRU + ${rru.toFixed(2)} RRU; ${file.roundTrips.before} round trip(s) before the provider, ${file.roundTrips.after} after (measured over ${file.requests} sequential requests)`,
);
for (const call of calls) {
  const units =
    call.kind === 'write'
      ? `${writeUnits(call.itemBytes)} WRU${call.indexWrites ? ` + ${call.indexWrites} index WRU` : ''}`
      : `${readUnits(call.itemBytes, call.consistent ?? true)} RRU${call.consistent === false ? ' (eventual)' : ''}`;
  console.log(`  ${call.label}: ${call.itemBytes} B -> ${units}, x ${call.perRequest.toFixed(2)}`);
}
const rollupNote = {
  proxy: 'rollups: written by the proxy itself after each request (measured above)',
  background: 'rollups: written after the invocation by the aggregator feed (measured above)',
  modelled:
    'rollups: none in the measured run, so the stream aggregator writes are MODELLED (merge factor above)',
}[rollups];
console.log(rollupNote);
console.log(
  `log bytes per request: ${file.logs.appBytesPerRequest} app (measured) + ${platformLogBytes(memoryMb)} Lambda platform + ${accessLogBytes()} API Gateway access = ${logBytes(memoryMb)}\n`,
);

for (const scenario of SCENARIOS) {
  const inputs = inputsFor(scenario, memoryMb);
  const lines = costPerMillion(inputs, prices);
  console.log(`== ${scenario.name} (${roundTrips} store round trips billed) ==`);
  for (const line of lines)
    console.log(`  ${money(line.usd)}  ${line.component}: ${line.arithmetic}`);
  console.log(`  ${money(totalUsd(lines))}  TOTAL\n`);
}

const perMillion = (perRequest: number) => Math.round(perRequest * 1e6).toLocaleString('en-US');
console.log(
  `== KMS Decrypt per 1M requests (modelled): one data key per account, cached ${ASSUMED.dataKeyCacheTtlS} s per warm environment; ${ASSUMED.requestsPerSecond} req/s spread at random over accounts and environments ==`,
);
for (const accounts of ASSUMED.activeAccounts) {
  for (const scenario of SCENARIOS) {
    const kms = kmsFor(scenario, accounts);
    const perSecret = kmsFor(scenario, accounts, { perSecret: true });
    console.log(
      `  ${accounts.toLocaleString('en-US')} accounts, ${scenario.name}: ${environmentsFor(scenario)} environments x ${(kms.decrypts / environmentsFor(scenario)).toFixed(0)} accounts seen of ${kms.requestsPerEnvironment.toFixed(0)} requests each = ${perMillion(kms.perRequest)} Decrypts per 1M requests (a data key per secret, ${ASSUMED.providerKeysPerAccount} keys per account: ${perMillion(perSecret.perRequest)})`,
    );
  }
}
const longerTtl = [900, 3600].map((ttlS) => {
  const perRequest = SCENARIOS.map((scenario) =>
    perMillion(kmsFor(scenario, undefined, { ttlS }).perRequest),
  );
  return `${ttlS / 60} min: ${perRequest.join(' / ')}`;
});
console.log(
  `  the same at ${ASSUMED.activeAccounts[0].toLocaleString('en-US')} accounts with a longer cache period (same scenarios): ${longerTtl.join('; ')}`,
);

console.log(
  `\n== memory size (proxy CPU ${file.load.cpuMsPerRequest} ms/request on one core; peak RSS ${file.load.peakRssMb} MB at c=${file.load.concurrency} in one process) ==`,
);
for (const memory of [256, 512, 1024, 1769]) {
  const cpuMs = cpuWallMs(file.load.cpuMsPerRequest, memory);
  console.log(
    `  ${String(memory).padStart(4)} MB: CPU adds ${cpuMs.toFixed(1)} ms wall per request; total per 1M: ${SCENARIOS.map((s) => `${s.name} ${money(total(s, memory)).trim()}`).join(', ')}`,
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
  console.log(
    `  ${rps} req/s: ${stage}; account API Gateway limit ${LIMITS.accountApiGatewayRps.toLocaleString('en-US')} req/s; DynamoDB ${(rps * wru).toFixed(0)} WRU/s (new on-demand table: ${LIMITS.onDemandTableInitialWru.toLocaleString('en-US')} WRU/s; one key item: ${LIMITS.partitionWruPerSecond.toLocaleString('en-US')} WRU/s)`,
  );
}
