// Issue 13: the DynamoDB calls a proxied request makes before the provider sees it, counted on
// the real adapters (dynalite) through the local stack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoBudgetStore } from '#adapters/dynamodb/dynamo-budget-store.ts';
import { testBudget } from '../../fixtures/budget.ts';
import { FAKE_OPENAI_API_KEY } from '../../fixtures/fake-openai-server.ts';
import { readUntil } from '../../fixtures/read-until.ts';
import { type ProxyStack, startProxyStack } from '../support/proxy-stack.ts';

let stack: ProxyStack;
/**
 * Each DynamoDB command with the number of upstream requests seen when it was sent and, once it
 * has, when it landed.
 */
const commands: {
  name: string;
  upstreamRequestsBefore: number;
  upstreamRequestsWhenLanded?: number;
  trace: boolean;
}[] = [];
/** While set, every DynamoDB command waits for it before it is sent. */
let gate: Promise<void> | undefined;
/** While set, the request traces' writes (pk `TRACE#…`) wait for it before they are sent. */
let traceGate: Promise<void> | undefined;
/** While set, the admission writes (UpdateItem) wait for it before they are sent. */
let admissionGate: Promise<void> | undefined;
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
      const command = {
        name: String(context.commandName),
        upstreamRequestsBefore: stack.openai.requests.length,
        trace: isTrace(args),
      };
      commands.push(command);
      await gate;
      if (command.trace) await traceGate;
      if (command.name === 'UpdateItemCommand') await admissionGate;
      const output = await next(args);
      Object.assign(command, { upstreamRequestsWhenLanded: stack.openai.requests.length });
      return output;
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
): Promise<{ before: string[]; after: string[]; traces: string[]; tracesLandedFirst: boolean }> {
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
  // The trace is written in parallel with the admission or with opening the provider key (see
  // below): it is counted apart from the calls before and after.
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
    tracesLandedFirst: commands
      .filter((command) => command.trace)
      .every((command) => command.upstreamRequestsWhenLanded === upstreamBefore),
  };
}

async function callsBeforeUpstream(
  headers: Record<string, string>,
): Promise<{ before: string[]; traces: string[]; tracesLandedFirst: boolean }> {
  const { before, traces, tracesLandedFirst } = await callsAround(headers);
  return { before, traces, tracesLandedFirst };
}

const chatRequest = (headers: Record<string, string>) =>
  fetch(`${stack.metrion.url}/api/proxy/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  });

/** Waits until `condition` holds, polling (the store calls run in this process). */
async function until(condition: () => boolean): Promise<void> {
  await readUntil(
    async () => condition(),
    (holds) => holds,
    5,
  );
  expect(condition()).toBe(true);
}

describe('DynamoDB calls before the provider sees a request', () => {
  it('are the conditional UpdateItem and the trace PutItem in stored mode', async () => {
    expect(await callsBeforeUpstream({ authorization: `Bearer ${stack.metrionKey}` })).toEqual({
      before: ['UpdateItemCommand'],
      traces: ['PutItemCommand'],
      tracesLandedFirst: true,
    });
  });

  it('are the conditional UpdateItem and the trace PutItem in pass-through mode', async () => {
    expect(
      await callsBeforeUpstream({
        authorization: `Bearer ${FAKE_OPENAI_API_KEY}`,
        'x-metrion-token': stack.metrionKey,
      }),
    ).toEqual({
      before: ['UpdateItemCommand'],
      traces: ['PutItemCommand'],
      tracesLandedFirst: true,
    });
  });
});

describe('the trace of a request sent upstream', () => {
  it('is issued while the admission write is in flight: one round trip, not two', async () => {
    // Arrange: the key was admitted before (the tests above); hold the admission writes
    const release = Promise.withResolvers<void>();
    admissionGate = release.promise;
    commands.length = 0;

    // Act
    const answered = chatRequest({ authorization: `Bearer ${stack.metrionKey}` });
    await until(() => commands.some((command) => command.name === 'UpdateItemCommand'));
    await until(() => commands.some((command) => command.trace));
    const tracesWhileAdmissionHeld = commands.filter((command) => command.trace).length;
    admissionGate = undefined;
    release.resolve();
    const response = await answered;
    await response.text();

    // Assert
    expect(tracesWhileAdmissionHeld).toBe(1);
    expect(response.status).toBe(200);
  });

  it('has landed before the provider is called', async () => {
    // Arrange: hold the trace writes
    const upstreamBefore = stack.openai.requests.length;
    const release = Promise.withResolvers<void>();
    traceGate = release.promise;
    commands.length = 0;

    // Act
    const answered = chatRequest({ authorization: `Bearer ${stack.metrionKey}` });
    await until(() => commands.some((command) => command.trace));
    // Give the admission and the provider key time they do not need to wait for the trace.
    await until(() =>
      commands.some(
        (command) =>
          command.name === 'UpdateItemCommand' && command.upstreamRequestsWhenLanded !== undefined,
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const upstreamWhileHeld = stack.openai.requests.length - upstreamBefore;
    traceGate = undefined;
    release.resolve();
    const response = await answered;
    await response.text();

    // Assert
    expect(upstreamWhileHeld).toBe(0);
    expect(response.status).toBe(200);
    expect(stack.openai.requests.length - upstreamBefore).toBe(1);
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
  it('is still one UpdateItem and the trace before the provider, one PutItem after', async () => {
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
      tracesLandedFirst: true,
    });
    const [record] = await stack.records();
    expect(record?.budgetReservation?.reservedPicoUsd).toBeGreaterThan(0n);
  });
});
