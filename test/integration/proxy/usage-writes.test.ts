// The proxy's writes to the usage table, counted on its DynamoDB client through the local root:
// the request's trace (landed before the upstream call) and its usage record after the answer.
// Live rollups come from the usage feed (AWS: the table's stream) into the aggregator, which has a client of its own. A throttled record write is retried and counted once.
import { beforeEach, describe, expect } from 'vitest';
import { DynamoRollupStore } from '#adapters/dynamodb/dynamo-rollup-store.ts';
import { HOUR_MS } from '#core/rollups/buckets.ts';
import { type DynamoCall, type Fault, injectFaults } from '../../fixtures/dynamodb-faults.ts';
import { readUntil } from '../../fixtures/read-until.ts';
import { type ProxyStack, proxyStackTest, storedOpenAi } from '../support/proxy-stack.ts';

let calls: DynamoCall[];
let decide: (call: DynamoCall) => Fault;

const it = proxyStackTest();
it.beforeAll(async ({ stack }) => {
  // Every call the proxy (and only the proxy, in these tests) makes through its client.
  calls = injectFaults(stack.metrion.data.documentClient, (call) => decide(call));
});
beforeEach(() => {
  decide = () => undefined;
});

const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);
const isRecordWrite = (stack: ProxyStack, call: DynamoCall) =>
  call.command === 'PutItemCommand' &&
  call.table === stack.metrion.data.usageTable &&
  call.sk.startsWith('REQ#');
const isTraceWrite = (stack: ProxyStack, call: DynamoCall) =>
  call.command === 'PutItemCommand' &&
  call.table === stack.metrion.data.usageTable &&
  call.pk.startsWith('TRACE#');

/** The account's requests in its hourly rollups, read on a client of the test's own. */
async function liveRequests(stack: ProxyStack): Promise<number> {
  const rollups = new DynamoRollupStore({
    client: stack.metrion.data.documentClient,
    tableName: stack.metrion.data.usageTable,
  });
  const now = Date.now();
  const hours = await rollups.query(stack.accountId, 'hour', now - 2 * HOUR_MS, now + HOUR_MS);
  return hours.reduce((sum, hour) => sum + hour.requests, 0);
}

async function untilLiveRequests(stack: ProxyStack, expected: number): Promise<number> {
  return readUntil(
    () => liveRequests(stack),
    (found) => found === expected,
    50,
  );
}

async function ask(stack: ProxyStack, stream: boolean): Promise<string> {
  const openai = storedOpenAi(stack);
  if (stream) {
    const { data, response } = await openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true })
      .withResponse();
    for await (const _chunk of data) {
      // drain
    }
    return response.headers.get('x-metrion-request-id') ?? '';
  }
  const { response } = await openai.chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
    .withResponse();
  return response.headers.get('x-metrion-request-id') ?? '';
}

describe('writes after a proxied request', () => {
  it.for<[string, boolean]>([
    ['a JSON answer', false],
    ['a stream', true],
  ])(
    '%s: two writes to the usage table, its trace and its record; the rollups follow within seconds',
    async ([_, stream], { stack }) => {
      // Arrange
      await stack.metrion.usageFeed.drain();
      const before = await liveRequests(stack);
      calls.length = 0;

      // Act
      const requestId = await ask(stack, stream);
      await stack.recordFor(requestId);

      // Assert: the trace (landed before the upstream call) and the record (after the answer);
      // the only other write is admission's one UpdateItem on the key's lookup item (before the
      // provider is called); the proxy reads nothing of the usage table (the Queries there are
      // this test's polling).
      const writes = calls.filter((call) => WRITES.has(call.command));
      const onUsage = writes.filter((call) => call.table === stack.metrion.data.usageTable);
      expect(onUsage).toHaveLength(2);
      expect(onUsage.filter((call) => isTraceWrite(stack, call))).toHaveLength(1);
      expect(onUsage.filter((call) => isRecordWrite(stack, call))).toHaveLength(1);
      expect(writes.filter((call) => call.table !== stack.metrion.data.usageTable)).toEqual([
        expect.objectContaining({
          command: 'UpdateItemCommand',
          table: stack.metrion.data.accountsTable,
        }),
      ]);
      expect(await untilLiveRequests(stack, before + 1)).toBe(before + 1);
    },
  );
});

describe('a throttled usage record write', () => {
  it.for([
    ['rejected before it landed', 'throttle'],
    ['landed with its answer lost', 'lose-answer'],
  ] as const)(
    '%s is retried, stored once and counted once, live and after the seal',
    async ([_, fault], { stack }) => {
      // Arrange: the proxy's first record write fails this way, its retry goes through.
      await stack.metrion.usageFeed.drain();
      const before = await liveRequests(stack);
      let failed = 0;
      decide = (call) => {
        if (!isRecordWrite(stack, call) || failed > 0) return undefined;
        failed += 1;
        return fault;
      };
      calls.length = 0;

      // Act
      const requestId = await ask(stack, false);
      await stack.recordFor(requestId);

      // Assert: two attempts, one stored record, one more request in the live rollups (also once
      // the feed is drained: not two) and after the seal. The record can be visible before the
      // retry answered, so the live count is waited for.
      expect(await untilLiveRequests(stack, before + 1)).toBe(before + 1);
      await stack.metrion.usageFeed.drain();
      expect(await liveRequests(stack)).toBe(before + 1);
      expect(calls.filter((call) => isRecordWrite(stack, call))).toHaveLength(2);
      const records = await stack.records();
      expect(records.filter((record) => record.requestId === requestId)).toHaveLength(1);
      await stack.metrion.jobs.sealRollups({ graceMs: -HOUR_MS });
      expect(await liveRequests(stack)).toBe(records.length);
    },
  );
});
