// The cost model's arithmetic: pure functions from stated inputs and a price table to cost lines
// per 1 M proxied requests. An estimate, not billing: plain floats, rounded only when printed.

import { readUnits, writeUnits } from './item-size.ts';
import type { PriceTable } from './prices.ts';

export const REQUESTS = 1_000_000;
/** Lambda gives a function one full vCPU at 1,769 MB and CPU in proportion below that. */
export const MB_PER_VCPU = 1769;
const GB = 1e9;

/** One DynamoDB call the proxy makes per request (fractional `perRequest` for amortised ones). */
export interface StoreCall {
  readonly label: string;
  readonly kind: 'write' | 'read';
  /** Item size by AWS's rules; for an update, the larger of before and after. */
  readonly itemBytes: number;
  readonly perRequest: number;
  /** Reads only. @default true */
  readonly consistent?: boolean;
  /** Extra index entries the write also writes (each under 1 KB). @default 0 */
  readonly indexWrites?: number;
}

export interface CostInputs {
  readonly memoryMb: number;
  readonly architecture: 'arm64' | 'x86_64';
  /** Wall time the provider takes, per request (the stream's length). */
  readonly providerSeconds: number;
  /** Sequential store round trips the invocation waits for (before + after the provider). */
  readonly storeRoundTrips: number;
  readonly storeRoundTripMs: number;
  /** The proxy's own CPU per request, measured on one full core. */
  readonly cpuMsPerRequest: number;
  readonly responseBytes: number;
  readonly requestBytes: number;
  readonly storeCalls: readonly StoreCall[];
  readonly logBytesPerRequest: number;
  readonly kmsDecryptsPerRequest: number;
  readonly tracedFraction: number;
  /**
   * Stream aggregator: records per invocation, and its billed time per invocation. Absent when
   * the measured proxy writes the rollups itself (no aggregator Lambda to pay for).
   */
  readonly aggregator?: {
    readonly batchSize: number;
    readonly seconds: number;
    readonly memoryMb: number;
  };
}

export interface CostLine {
  readonly component: string;
  readonly arithmetic: string;
  readonly usd: number;
}

/** Wall milliseconds `cpuMs` of one-core CPU takes at `memoryMb` (never faster than one core). */
export function cpuWallMs(cpuMs: number, memoryMb: number): number {
  return cpuMs * Math.max(1, MB_PER_VCPU / memoryMb);
}

/** Billed seconds per request: the provider's time plus what Metrion adds to the invocation. */
export function billedSeconds(inputs: CostInputs): number {
  const overheadMs =
    inputs.storeRoundTrips * inputs.storeRoundTripMs +
    cpuWallMs(inputs.cpuMsPerRequest, inputs.memoryMb);
  return inputs.providerSeconds + overheadMs / 1000;
}

/** Request units one request consumes (writes include index entries). */
export function storeUnits(calls: readonly StoreCall[]): { wru: number; rru: number } {
  let wru = 0;
  let rru = 0;
  for (const call of calls) {
    if (call.kind === 'write') {
      wru += call.perRequest * (writeUnits(call.itemBytes) + (call.indexWrites ?? 0));
    } else {
      rru += call.perRequest * readUnits(call.itemBytes, call.consistent ?? true);
    }
  }
  return { wru, rru };
}

/** One data-key cache window (the TTL) of KMS Decrypt calls. */
export interface KmsWindow {
  readonly requests: number;
  readonly requestsPerEnvironment: number;
  readonly decrypts: number;
  /** `decrypts / requests`, at most 1 (every request unwraps). */
  readonly perRequest: number;
}

/** Expected distinct values among `draws` uniform random draws from `values` equally likely ones. */
export function expectedDistinct(values: number, draws: number): number {
  return values * (1 - (1 - 1 / values) ** draws);
}

/**
 * KMS Decrypt calls when each execution environment caches a data key for `ttlS`:
 * `environments` warm sandboxes share `requestsPerSecond` at random, so in one TTL window each
 * sees `rps x ttl / environments` requests spread evenly at random over `dataKeys` data keys
 * (one per account since accounts have one; one per stored secret before), and unwraps each
 * key it sees once. Decrypts scale with environments x keys seen per window, not with requests.
 * Real traffic is skewed towards a few busy accounts, which need fewer unwraps than this.
 */
export function kmsWindow(args: {
  readonly requestsPerSecond: number;
  readonly environments: number;
  readonly dataKeys: number;
  readonly ttlS: number;
}): KmsWindow {
  const requests = args.requestsPerSecond * args.ttlS;
  const requestsPerEnvironment = requests / args.environments;
  const decrypts = args.environments * expectedDistinct(args.dataKeys, requestsPerEnvironment);
  return { requests, requestsPerEnvironment, decrypts, perRequest: decrypts / requests };
}

/** {@link kmsWindow}'s Decrypt calls per request. */
export function kmsDecryptsPerRequest(args: Parameters<typeof kmsWindow>[0]): number {
  return kmsWindow(args).perRequest;
}

/** X-Ray's default sampling rule: the first request each second, then 5 % of the rest. */
export function tracedFraction(requestsPerSecond: number): number {
  if (requestsPerSecond <= 1) return 1;
  return (1 + 0.05 * (requestsPerSecond - 1)) / requestsPerSecond;
}

/** Concurrent executions needed: arrivals per second x seconds each one runs (Little's law). */
export function concurrentExecutions(requestsPerSecond: number, meanSeconds: number): number {
  return requestsPerSecond * meanSeconds;
}

const usd = (value: number) => `$${value.toFixed(value < 0.01 ? 5 : 4)}`;
const count = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 3 });

/** Every cost line for 1 M requests under `inputs`. */
export function costPerMillion(inputs: CostInputs, prices: PriceTable): CostLine[] {
  const gb = inputs.memoryMb / 1024;
  const seconds = billedSeconds(inputs);
  const gbSecondPrice =
    inputs.architecture === 'arm64' ? prices.lambdaGbSecondArm64 : prices.lambdaGbSecondX86;
  const { wru, rru } = storeUnits(inputs.storeCalls);
  const { aggregator } = inputs;
  const aggregatorInvocations = aggregator ? REQUESTS / aggregator.batchSize : 0;
  const aggregatorGbSeconds = aggregator
    ? aggregatorInvocations * aggregator.seconds * (aggregator.memoryMb / 1024)
    : 0;
  const logGb = (REQUESTS * inputs.logBytesPerRequest) / GB;
  const egressGb = (REQUESTS * (inputs.responseBytes + inputs.requestBytes)) / GB;
  const streamedBeyond = Math.max(0, inputs.responseBytes - 6 * 2 ** 20);
  const lines: CostLine[] = [
    {
      component: 'Lambda requests',
      arithmetic: `${count(REQUESTS)} x ${usd(prices.lambdaRequests.usd * 1e6)}/M`,
      usd: REQUESTS * prices.lambdaRequests.usd,
    },
    {
      component: `Lambda duration (${inputs.memoryMb} MB ${inputs.architecture})`,
      arithmetic: `${count(REQUESTS)} x ${count(seconds)} s x ${count(gb)} GB = ${count(REQUESTS * seconds * gb)} GB-s x $${gbSecondPrice.usd}`,
      usd: REQUESTS * seconds * gb * gbSecondPrice.usd,
    },
    {
      component: 'Lambda response streaming',
      arithmetic: `${count(streamedBeyond)} B beyond 6 MB per response x ${usd(prices.lambdaStreamedGbBeyond6Mb.usd)}/GB`,
      usd: ((REQUESTS * streamedBeyond) / GB) * prices.lambdaStreamedGbBeyond6Mb.usd,
    },
    {
      component: 'API Gateway REST requests',
      arithmetic: `${count(REQUESTS)} x ${usd(prices.apiGatewayRestRequests.usd * 1e6)}/M`,
      usd: REQUESTS * prices.apiGatewayRestRequests.usd,
    },
    {
      component: 'Data transfer out (responses + requests to the provider)',
      arithmetic: `${count(REQUESTS)} x (${count(inputs.responseBytes)} + ${count(inputs.requestBytes)}) B = ${count(egressGb)} GB x ${usd(prices.dataTransferOutGb.usd)}/GB`,
      usd: egressGb * prices.dataTransferOutGb.usd,
    },
    {
      component: 'DynamoDB writes',
      arithmetic: `${count(wru)} WRU/request x ${count(REQUESTS)} x ${usd(prices.dynamoWriteRequestUnits.usd * 1e6)}/M`,
      usd: wru * REQUESTS * prices.dynamoWriteRequestUnits.usd,
    },
    {
      component: 'DynamoDB reads',
      arithmetic: `${count(rru)} RRU/request x ${count(REQUESTS)} x ${usd(prices.dynamoReadRequestUnits.usd * 1e6)}/M`,
      usd: rru * REQUESTS * prices.dynamoReadRequestUnits.usd,
    },
    {
      component: 'Stream aggregator Lambda (stream reads free for Lambda triggers)',
      arithmetic: aggregator
        ? `${count(aggregatorInvocations)} invocations x ${usd(prices.lambdaRequests.usd * 1e6)}/M + ${count(aggregatorGbSeconds)} GB-s x $${prices.lambdaGbSecondArm64.usd}`
        : 'none: the measured proxy writes the rollups itself',
      usd:
        aggregatorInvocations * prices.lambdaRequests.usd +
        aggregatorGbSeconds * prices.lambdaGbSecondArm64.usd,
    },
    {
      component: 'CloudWatch Logs ingestion',
      arithmetic: `${count(REQUESTS)} x ${count(inputs.logBytesPerRequest)} B = ${count(logGb)} GB x ${usd(prices.logsIngestedGb.usd)}/GB`,
      usd: logGb * prices.logsIngestedGb.usd,
    },
    {
      component: 'KMS Decrypt (data-key cache misses)',
      arithmetic: `${count(inputs.kmsDecryptsPerRequest)} x ${count(REQUESTS)} x ${usd(prices.kmsRequests.usd * 1e4)}/10k`,
      usd: inputs.kmsDecryptsPerRequest * REQUESTS * prices.kmsRequests.usd,
    },
    {
      component: 'X-Ray traces (default sampling)',
      arithmetic: `${count(inputs.tracedFraction)} x ${count(REQUESTS)} x ${usd(prices.xrayTracesRecorded.usd * 1e6)}/M`,
      usd: inputs.tracedFraction * REQUESTS * prices.xrayTracesRecorded.usd,
    },
  ];
  return lines;
}

export function totalUsd(lines: readonly CostLine[]): number {
  return lines.reduce((sum, line) => sum + line.usd, 0);
}
