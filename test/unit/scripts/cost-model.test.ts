import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  billedSeconds,
  type CostInputs,
  concurrentExecutions,
  costPerMillion,
  cpuWallMs,
  expectedDistinct,
  kmsDecryptsPerRequest,
  kmsWindow,
  storeUnits,
  totalUsd,
  tracedFraction,
} from '../../../scripts/cost/cost-model.ts';
import { PRICES, type PriceTable } from '../../../scripts/cost/prices.ts';

/** Round prices so that every figure below is checkable by hand. */
const PRICES_FOR_TEST: PriceTable = Object.fromEntries(
  Object.entries(PRICES['us-east-1']).map(([name, price]) => [name, { ...price, usd: 0 }]),
) as unknown as PriceTable;
const prices = (overrides: Partial<Record<keyof PriceTable, number>>): PriceTable =>
  Object.fromEntries(
    Object.entries(PRICES_FOR_TEST).map(([name, price]) => [
      name,
      { ...price, usd: overrides[name as keyof PriceTable] ?? 0 },
    ]),
  ) as unknown as PriceTable;

const BASE: CostInputs = {
  memoryMb: 1024,
  architecture: 'arm64',
  providerSeconds: 10,
  storeRoundTrips: 2,
  storeRoundTripMs: 5,
  cpuMsPerRequest: 0,
  responseBytes: 100_000,
  requestBytes: 10_000,
  storeCalls: [],
  logBytesPerRequest: 1_000,
  kmsDecryptsPerRequest: 0,
  tracedFraction: 0,
  aggregator: { batchSize: 100, seconds: 0, memoryMb: 256 },
};

const line = (lines: ReturnType<typeof costPerMillion>, prefix: string) =>
  lines.find((entry) => entry.component.startsWith(prefix))?.usd;

describe('cost per 1M requests', () => {
  it('bills Lambda GB-seconds for the provider time plus the store round trips', () => {
    // 1M x (10 s + 2 x 5 ms) x 1 GB = 10,010,000 GB-s; at $0.00001 per GB-s = $100.10
    const lines = costPerMillion(BASE, prices({ lambdaGbSecondArm64: 0.00001 }));
    expect(line(lines, 'Lambda duration')).toBeCloseTo(100.1, 6);
  });

  it('stretches CPU time below one vCPU (1,769 MB) and never shortens it above', () => {
    expect(cpuWallMs(2, 1769 / 4)).toBeCloseTo(8, 9);
    expect(cpuWallMs(2, 3538)).toBe(2);
    // 0.3 s + 0 round trips + 1 ms CPU at 1769/2 MB (2 ms wall) = 0.302 s
    expect(
      billedSeconds({
        ...BASE,
        providerSeconds: 0.3,
        storeRoundTrips: 0,
        cpuMsPerRequest: 1,
        memoryMb: 884.5,
      }),
    ).toBeCloseTo(0.302, 9);
  });

  it('prices API Gateway, egress, logs, KMS and X-Ray per request or per byte', () => {
    const lines = costPerMillion(
      { ...BASE, kmsDecryptsPerRequest: 0.5, tracedFraction: 0.1 },
      prices({
        apiGatewayRestRequests: 3.5e-6,
        dataTransferOutGb: 0.1,
        logsIngestedGb: 0.5,
        kmsRequests: 3e-6,
        xrayTracesRecorded: 5e-6,
        lambdaRequests: 2e-7,
      }),
    );
    expect(line(lines, 'API Gateway')).toBeCloseTo(3.5, 9);
    // (100,000 + 10,000) B x 1M = 110 GB x $0.10
    expect(line(lines, 'Data transfer')).toBeCloseTo(11, 9);
    // 1,000 B x 1M = 1 GB x $0.50
    expect(line(lines, 'CloudWatch Logs')).toBeCloseTo(0.5, 9);
    expect(line(lines, 'KMS')).toBeCloseTo(1.5, 9);
    expect(line(lines, 'X-Ray')).toBeCloseTo(0.5, 9);
    // 1M Lambda requests + 10,000 aggregator invocations, both at $0.20/M
    expect(line(lines, 'Lambda requests')).toBeCloseTo(0.2, 9);
    expect(line(lines, 'Stream aggregator')).toBeCloseTo(0.002, 9);
    expect(totalUsd(lines)).toBeCloseTo(3.5 + 11 + 0.5 + 1.5 + 0.5 + 0.2 + 0.002, 9);
  });

  it('counts DynamoDB units from item sizes, index entries and amortised calls', () => {
    const calls = [
      { label: 'key item', kind: 'write', itemBytes: 1500, perRequest: 1 },
      { label: 'record', kind: 'write', itemBytes: 500, perRequest: 1, indexWrites: 1 },
      { label: 'rollup', kind: 'write', itemBytes: 600, perRequest: 0.25 },
      { label: 'read', kind: 'read', itemBytes: 5000, perRequest: 1, consistent: true },
    ] as const;
    // writes: 2 + (1 + 1) + 0.25 = 4.25 WRU; reads: 2 RRU
    expect(storeUnits(calls)).toEqual({ wru: 4.25, rru: 2 });
    const lines = costPerMillion(
      { ...BASE, storeCalls: calls },
      prices({ dynamoWriteRequestUnits: 1e-6, dynamoReadRequestUnits: 2e-7 }),
    );
    expect(line(lines, 'DynamoDB writes')).toBeCloseTo(4.25, 9);
    expect(line(lines, 'DynamoDB reads')).toBeCloseTo(0.4, 9);
  });

  it('charges streaming bandwidth only beyond the first 6 MB of a response', () => {
    const lines = costPerMillion(
      { ...BASE, responseBytes: 6 * 2 ** 20 + 1000 },
      prices({ lambdaStreamedGbBeyond6Mb: 1 }),
    );
    // 1,000 B x 1M = 1 GB x $1
    expect(line(lines, 'Lambda response streaming')).toBeCloseTo(1, 9);
  });
});

describe('rates and scale', () => {
  it('unwraps a data key once per key and environment per cache window', () => {
    // 10 req/s x 300 s = 3,000 requests per window over 10 environments = 300 each over 5 keys:
    // each environment sees all 5 (1 - 0.8^300 is 1 to 29 places) -> 50 unwraps / 3,000 requests
    expect(
      kmsDecryptsPerRequest({ requestsPerSecond: 10, environments: 10, dataKeys: 5, ttlS: 300 }),
    ).toBeCloseTo(50 / 3000, 12);
    // 30 requests per environment over 1,000 keys: 1,000 x (1 - 0.999^30) = 29.569 distinct
    expect(
      kmsDecryptsPerRequest({
        requestsPerSecond: 100,
        environments: 1000,
        dataKeys: 1000,
        ttlS: 300,
      }),
    ).toBeCloseTo(29.569 / 30, 4);
  });

  it('counts Decrypts per cache window by environments and keys, not by requests', () => {
    // 100 req/s x 300 s = 30,000 requests; 30 environments see 1,000 each over 10 keys -> 300
    const window = kmsWindow({ requestsPerSecond: 100, environments: 30, dataKeys: 10, ttlS: 300 });
    expect(window).toMatchObject({ requests: 30_000, requestsPerEnvironment: 1000 });
    expect(window.decrypts).toBeCloseTo(300, 9);
    // Ten times the rate over ten times the environments: the same Decrypts per request.
    expect(
      kmsDecryptsPerRequest({
        requestsPerSecond: 1000,
        environments: 300,
        dataKeys: 10,
        ttlS: 300,
      }),
    ).toBeCloseTo(window.perRequest, 12);
  });

  it('expects n(1 - (1 - 1/n)^k) distinct values among k uniform draws from n', () => {
    expect(expectedDistinct(1, 5)).toBe(1);
    expect(expectedDistinct(2, 2)).toBe(1.5);
    expect(expectedDistinct(1000, 0)).toBe(0);
  });

  it('samples the first request each second and 5 % of the rest', () => {
    expect(tracedFraction(101)).toBeCloseTo(6 / 101, 12);
    expect(tracedFraction(1)).toBe(1);
  });

  it('needs requests/s x duration concurrent executions', () => {
    expect(concurrentExecutions(1000, 10)).toBe(10_000);
    expect(concurrentExecutions(1000, 1)).toBe(1000);
  });
});

describe('npm run cost', () => {
  const root = path.resolve(import.meta.dirname, '../../..');

  // The committed docs/cost-inputs.json makes this real output on a fresh clone too.
  it('prints the measured source, the calls and the totals for the three scenarios', () => {
    const run = spawnSync(process.execPath, ['scripts/report-cost.ts', '--region', 'us-east-1'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /measured inputs: .*cost-inputs\.json \((fresh bench output|committed snapshot); measured /,
    );
    expect(run.stdout).toContain('measured, before: UpdateItem accounts METRION_KEY/LOOKUP');
    expect(run.stdout).toMatch(/== stream, 10 s .*\n(.*\n)*.*TOTAL/);
    expect(run.stdout).toContain('1000 req/s x 10 s = 10,000 concurrent');
  });
});
