// Issue 13: the DynamoDB calls a proxied request makes before the provider sees it, counted on
// the real adapters (dynalite) through the local stack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoBudgetStore } from '#adapters/dynamodb/dynamo-budget-store.ts';
import { testBudget } from '../../fixtures/budget.ts';
import { FAKE_OPENAI_API_KEY } from '../../fixtures/fake-openai-server.ts';
import { type ProxyStack, startProxyStack } from '../support/proxy-stack.ts';

let stack: ProxyStack;
/** Each DynamoDB command with the number of upstream requests seen when it was sent. */
const commands: { name: string; upstreamRequestsBefore: number; trace: boolean }[] = [];
/** While set, every DynamoDB command waits for it before it is sent. */
let gate: Promise<void> | undefined;
/** While set, the request traces' writes (pk `TRACE#…`) wait for it before they are sent. */
let traceGate: Promise<void> | undefined;
function isTrace(args: { input: unknown }): boolean {
  const pk = (args.input as { Item?: { pk?: unknown } }).Item?.pk;
  // Marshalled (`{ S: … }`) or not, depending on where the document client's step runs.
  const text = typeof pk === 'object' && pk !== null && 'S' in pk ? pk.S : pk;
  return typeof text === 'string' && text.startsWith('TRACE#');
}

beforeAll(async () => {
  stack = await startProxyStack();
  stack.metrion.data.documentClient.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push({
        name: String(context.commandName),
        upstreamRequestsBefore: stack.openai.requests.length,
        trace: isTrace(args),
      });
      await gate;
      if (isTrace(args)) await traceGate;
      return next(args);
    },
    { step: 'initialize', name: 'recordCommandsForTest' },
  );
});
afterAll(async () => {
  await stack?.close();
});

/** The proxy's DynamoDB calls for one chat request, before and after the provider saw it. */
async function callsAround(
  headers: Record<string, string>,
): Promise<{ before: string[]; after: string[]; traces: string[] }> {
  const recordsBefore = (await stack.settledRecords()).length;
  const upstreamBefore = stack.openai.requests.length;
  commands.length = 0;
  const response = await fetch(`${stack.metrion.url}/api/proxy/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  });
  expect(response.status).toBe(200);
  await response.text();
  await stack.waitForRecords(recordsBefore + 1);
  // The trace is issued right after the upstream call, in parallel with it: it may reach the
  // store before the provider has read the request, but nothing waits for it (see below). It is
  // counted apart from the calls before and after.
  const names = (seen: (upstreamRequests: number) => boolean) =>
    commands
      .filter((command) => seen(command.upstreamRequestsBefore) && !command.trace)
      // The test's own reads of the records are Queries.
      .filter((command) => command.name !== 'QueryCommand')
      .map((command) => command.name);
  return {
    before: names((upstream) => upstream === upstreamBefore),
    after: names((upstream) => upstream > upstreamBefore),
    traces: commands.filter((command) => command.trace).map((command) => command.name),
  };
}

async function callsBeforeUpstream(headers: Record<string, string>): Promise<string[]> {
  return (await callsAround(headers)).before;
}

describe('DynamoDB calls before the provider sees a request', () => {
  it('is one conditional UpdateItem in stored mode', async () => {
    expect(await callsBeforeUpstream({ authorization: `Bearer ${stack.metrionKey}` })).toEqual([
      'UpdateItemCommand',
    ]);
  });

  it('is one conditional UpdateItem in pass-through mode', async () => {
    expect(
      await callsBeforeUpstream({
        authorization: `Bearer ${FAKE_OPENAI_API_KEY}`,
        'x-metrion-token': stack.metrionKey,
      }),
    ).toEqual(['UpdateItemCommand']);
  });
});

describe('the trace of a request sent upstream', () => {
  it('is written in parallel: the answer and its record do not wait for it', async () => {
    // Arrange: hold the trace writes
    const recordsBefore = (await stack.settledRecords()).length;
    const release = Promise.withResolvers<void>();
    traceGate = release.promise;
    commands.length = 0;

    // Act
    const response = await fetch(`${stack.metrion.url}/api/proxy/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.metrionKey}` },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    const answer = await response.json();
    const [record] = await stack.waitForRecords(recordsBefore + 1);
    const heldWhileAnswered = commands.filter((command) => command.trace).length;
    traceGate = undefined;
    release.resolve();

    // Assert: answered and recorded while its trace was still held
    expect(response.status).toBe(200);
    expect(answer.usage).toBeDefined();
    expect(record).toMatchObject({
      status: 200,
      requestId: response.headers.get('x-metrion-request-id'),
    });
    expect(heldWhileAnswered).toBe(1);
  });
});

describe('DynamoDB calls of a request Metrion refuses', () => {
  it('answers while the store is held, then looks the key up and writes the Logs row', async () => {
    // Arrange: hold every DynamoDB call
    const before = (await stack.settledRecords()).length;
    commands.length = 0;
    let release = () => {};
    gate = new Promise((resolve) => {
      release = resolve;
    });

    // Act: a chat without messages
    const response = await fetch(`${stack.metrion.url}/api/proxy/openai/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${stack.metrionKey}`,
      },
      body: JSON.stringify({ model: 'gpt-4o-mini' }),
    });
    const answer = await response.json();
    const heldWhenAnswered = commands.map((command) => command.name);
    gate = undefined;
    release();
    const [record] = await stack.waitForRecords(before + 1);

    // Assert: nothing but the key lookup had even started when the answer arrived
    expect(response.status).toBe(400);
    expect(answer.error.message).toContain('`messages` is required');
    expect(['UpdateItemCommand']).toEqual(expect.arrayContaining(heldWhenAnswered));
    expect(heldWhenAnswered.length).toBeLessThanOrEqual(1);
    // The key lookup, then the record (rollup writes follow; the test's own reads are Queries).
    const writes = commands.filter((command) => command.name !== 'QueryCommand');
    expect(writes.slice(0, 2).map((command) => command.name)).toEqual([
      'UpdateItemCommand',
      'PutItemCommand',
    ]);
    expect(record).toMatchObject({ status: 400, errorSource: 'metrion', costPicoUsd: 0n });
  });
});

describe('DynamoDB calls of a request a block budget matches', () => {
  it('is still one UpdateItem before the provider, one PutItem after, and its trace', async () => {
    // Arrange: a budget for all requests; the first request learns it (the cached view is stale)
    const table = {
      client: stack.metrion.data.documentClient,
      tableName: stack.metrion.data.accountsTable,
    };
    expect(await new DynamoBudgetStore(table).create(testBudget(stack.accountId, 10_000), 20)).toBe(
      true,
    );
    const headers = { authorization: `Bearer ${stack.metrionKey}` };
    const cold = await callsAround(headers);

    // Act
    const warm = await callsAround(headers);

    // Assert: the reservation rides in the admission write; the settle is the stream's, not
    // the proxy's
    // Cold (or after a budget change): the write planned without the budget fails closed, the
    // current view is read, and the write is planned again.
    expect(cold.before).toEqual(['UpdateItemCommand', 'GetItemCommand', 'UpdateItemCommand']);
    expect(warm).toEqual({
      before: ['UpdateItemCommand'],
      after: ['PutItemCommand'],
      traces: ['PutItemCommand'],
    });
    const [record] = await stack.records();
    expect(record?.budgetReservation?.reservedPicoUsd).toBeGreaterThan(0n);
  });
});
