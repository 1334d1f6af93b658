// Requests whose own record cannot be written, on the local stack (dynalite) with DynamoDB faults
// injected into the proxy's and the sweeper's client: the trace sweeper records each exactly once,
// and after the seal the rollups equal the raw records.
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoRequestTraceStore } from '#adapters/dynamodb/dynamo-request-trace-store.ts';
import { HOUR_MS } from '#core/rollups/buckets.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { type DynamoCall, type Fault, injectFaults } from '../../fixtures/dynamodb-faults.ts';
import { hourlyRollupTotals, totalsOfRecords } from '../../fixtures/usage-totals.ts';
import { type ProxyStack, startProxyStack, storedOpenAi } from '../support/proxy-stack.ts';

let stack: ProxyStack;
let calls: DynamoCall[];
let decide: (call: DynamoCall) => Fault;

beforeAll(async () => {
  stack = await startProxyStack();
  calls = injectFaults(stack.metrion.data.documentClient, (call) => decide(call));
});
afterAll(async () => {
  await stack?.close();
});
beforeEach(() => {
  decide = () => undefined;
  calls.length = 0;
});

const isRecordWrite = (call: DynamoCall) =>
  call.command === 'PutItemCommand' && call.sk.startsWith('REQ#');
const isTraceWrite = (call: DynamoCall) =>
  call.command === 'PutItemCommand' && call.pk.startsWith('TRACE#');

/** A JSON chat with a 40-byte prompt: 40 / 4 + 3 = 13 approximated input tokens. */
async function chat(): Promise<{ status: number; requestId: string }> {
  const { response } = await storedOpenAi(stack)
    .chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Count the primes below one hundred, pls.' }],
    })
    .withResponse();
  return { status: response.status, requestId: response.headers.get('x-metrion-request-id') ?? '' };
}

/** Waits until the request's writes are done (its trace and its record attempts). */
async function settled(): Promise<UsageRecord[]> {
  return stack.settledRecords();
}

/** Sweeps every trace written so far (a request that ended is as good as 20 minutes old). */
function sweepNow() {
  return stack.metrion.jobs.sweepTraces({ minAgeMs: 0 });
}

function recordsOf(records: readonly UsageRecord[], requestId: string): UsageRecord[] {
  return records.filter((record) => record.requestId === requestId);
}

async function expectRollupsEqualRecords(): Promise<void> {
  await stack.metrion.usageFeed.drain();
  await stack.metrion.jobs.sealRollups({ graceMs: -HOUR_MS });
  const records = await stack.records();
  const rollups = await hourlyRollupTotals(
    stack.metrion.data.documentClient,
    stack.metrion.data.usageTable,
    stack.accountId,
    records,
  );
  expect(rollups).toEqual({ ...totalsOfRecords(records), sealed: true });
}

describe('a request whose record write keeps failing', () => {
  it('is answered, then recorded once by the sweeper as interrupted and estimated', async () => {
    // Arrange: every record write of the proxy is throttled (the sweeper's go through)
    let proxyRecordWrites = 0;
    decide = (call) => {
      if (!isRecordWrite(call) || proxyRecordWrites >= 3) return undefined;
      proxyRecordWrites += 1;
      return 'throttle';
    };

    // Act
    const answer = await chat();
    const beforeSweep = recordsOf(await settled(), answer.requestId);
    const report = await sweepNow();

    // Assert
    expect(answer.status).toBe(200);
    expect(proxyRecordWrites).toBe(3);
    expect(beforeSweep).toEqual([]);
    expect(report).toMatchObject({ interrupted: 1, failed: 0 });
    expect(recordsOf(await stack.records(), answer.requestId)).toEqual([
      expect.objectContaining({
        status: 502,
        errorSource: 'metrion',
        interrupted: true,
        estimated: true,
        inputTokens: 13,
        outputTokens: 0,
        // gpt-4o-mini: $0.15 per million input tokens = 150,000 pico-USD per token.
        costPicoUsd: 13n * 150_000n,
      }),
    ]);
    await expectRollupsEqualRecords();
  });
});

describe('a request whose record landed but whose answer was lost every time', () => {
  it('keeps its exact record; the sweeper adds nothing', async () => {
    decide = (call) => (isRecordWrite(call) ? 'lose-answer' : undefined);

    const answer = await chat();
    await settled();
    decide = () => undefined;
    const report = await sweepNow();

    expect(report).toMatchObject({ traces: 1, interrupted: 0 });
    expect(recordsOf(await stack.records(), answer.requestId)).toEqual([
      expect.objectContaining({ status: 200, inputTokens: 12, outputTokens: 6 }),
    ]);
    expect(calls.filter(isRecordWrite).length).toBeGreaterThanOrEqual(2);
    await expectRollupsEqualRecords();
  });
});

/** The request ids of every trace stored now. */
async function tracedRequestIds(): Promise<string[]> {
  const store = new DynamoRequestTraceStore({
    client: stack.metrion.data.documentClient,
    tableName: stack.metrion.data.usageTable,
  });
  const ids: string[] = [];
  for await (const page of store.tracesBetween(0, Date.now() + HOUR_MS)) {
    ids.push(...page.map((trace) => trace.record.requestId));
  }
  return ids;
}

/** A chat whose 503 is caught: its status and request id. */
async function refusedChat(): Promise<{ status: number; requestId: string }> {
  const error = await chat().catch((caught: unknown) => caught);
  if (!(error instanceof OpenAI.APIError)) throw new Error('expected an API error');
  return { status: error.status ?? 0, requestId: error.headers?.get('x-metrion-request-id') ?? '' };
}

describe('a request whose trace could not be written', () => {
  for (const [name, fault] of [
    ['refused by the store', 'throttle'],
    ['landed, with its answer lost', 'lose-answer'],
  ] as const) {
    it(`is answered 503 and never sent upstream (${name}); the sweeper adds nothing`, async () => {
      // Arrange
      decide = (call) => (isTraceWrite(call) ? fault : undefined);
      const upstreamBefore = stack.openai.requests.length;

      // Act
      const answer = await refusedChat();
      await settled();
      const report = await sweepNow();

      // Assert: the Logs row says 503; no trace is left to become a record
      expect(answer.status).toBe(503);
      expect(await tracedRequestIds()).not.toContain(answer.requestId);
      expect(stack.openai.requests.length).toBe(upstreamBefore);
      expect(calls.filter(isTraceWrite)).toHaveLength(1);
      expect(report).toMatchObject({ interrupted: 0 });
      const [row, ...others] = recordsOf(await stack.records(), answer.requestId);
      expect(others).toEqual([]);
      expect(row).toMatchObject({ status: 503, errorSource: 'metrion' });
      expect(row?.interrupted).toBeUndefined();
      expect(
        stack.logLines.some((line) => line.includes('request trace could not be written')),
      ).toBe(true);
    });
  }
});

describe("the sweeper's own record write", () => {
  it('landing with its answer lost is retried by the next run and stored once', async () => {
    // Arrange: the proxy's record writes all fail, so the request is left to the sweeper...
    decide = (call) => (isRecordWrite(call) ? 'throttle' : undefined);
    const answer = await chat();
    await settled();
    // ...whose first write lands but never answers.
    let sweeperWrites = 0;
    decide = (call) => {
      if (!isRecordWrite(call)) return undefined;
      sweeperWrites += 1;
      return sweeperWrites === 1 ? 'lose-answer' : undefined;
    };

    // Act
    const first = await sweepNow();
    const second = await sweepNow();

    // Assert
    expect(first).toMatchObject({ interrupted: 0, failed: 1 });
    expect(second).toMatchObject({ traces: 1, interrupted: 0, failed: 0 });
    expect(sweeperWrites).toBe(1);
    expect(recordsOf(await stack.records(), answer.requestId)).toEqual([
      expect.objectContaining({ interrupted: true, status: 502 }),
    ]);
    await expectRollupsEqualRecords();
  });

  it('failing on the existence check leaves the window for the next run', async () => {
    decide = (call) => (isRecordWrite(call) ? 'throttle' : undefined);
    const answer = await chat();
    await settled();
    decide = (call) => (call.command === 'BatchGetItemCommand' ? 'throttle' : undefined);

    const failing = await sweepNow().catch((error: unknown) => error);
    decide = () => undefined;
    const retried = await sweepNow();

    expect(failing).toBeInstanceOf(Error);
    expect(retried).toMatchObject({ traces: 1, interrupted: 1 });
    expect(recordsOf(await stack.records(), answer.requestId)).toHaveLength(1);
  });
});
