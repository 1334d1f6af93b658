// Hard budgets through the local stack with the official SDKs: a request that could cross a
// `block` budget is refused with 402 before the provider (checked at the fake upstream), in
// each SDK's own error; 150 concurrent requests admit exactly the N that fit and, once the
// stream settles them, the budget's spent is the sum of the records' costs; budgets reset at
// UTC midnight and on the 1st.
//
// Prices used as literals (published, per million tokens): gpt-4o-mini $0.15 input and $0.60
// output, in the priority tier $0.25 and $1.00 (a request that names no tier may be served, and
// billed, there, so its maximum cost is at those); claude-3-5-haiku $0.80 input and $4 output.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoBudgetLedger } from '#adapters/dynamodb/dynamo-budget-ledger.ts';
import { DynamoBudgetStore } from '#adapters/dynamodb/dynamo-budget-store.ts';
import { DynamoFxRateStore } from '#adapters/dynamodb/dynamo-fx-rate-store.ts';
import type { Budget } from '#core/budgets/budget.ts';
import { chargeKey } from '#core/budgets/reservation.ts';
import { settleReservations } from '#core/budgets/settle-reservations.ts';
import type { FxQuote } from '#core/currency/fx.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { FakeClock } from '../../fakes/fake-clock.ts';
import { testBudget } from '../../fixtures/budget.ts';
import { type DynamoCall, type Fault, injectFaults } from '../../fixtures/dynamodb-faults.ts';
import { FAKE_ANTHROPIC_API_KEY } from '../../fixtures/fake-anthropic-server.ts';
import { FAKE_OPENAI_API_KEY } from '../../fixtures/fake-openai-server.ts';
import { DELIVERY_DEADLINE_MS } from '../../fixtures/read-until.ts';
import { SILENT_LOGGER } from '../../fixtures/silent-logger.ts';
import { type ProxyStack, startProxyStack } from '../support/proxy-stack.ts';

const clock = new FakeClock({ startMs: Date.parse('2026-12-10T12:00:00.000Z') });
let stack: ProxyStack;
/** Which DynamoDB calls of the stack fail (none unless a test says so). */
let decide: (call: DynamoCall) => Fault = () => undefined;

beforeAll(async () => {
  stack = await startProxyStack({ clock });
  injectFaults(stack.metrion.data.documentClient, (call) => decide(call));
});
afterAll(async () => {
  await stack?.close();
});

function table() {
  return { client: stack.metrion.data.documentClient, tableName: stack.metrion.data.accountsTable };
}

/** A fresh account with both provider keys stored and one budget, so tests never share a ledger. */
async function accountWithBudget(limitCents: number, overrides: Partial<Budget> = {}) {
  const email = `budget-${Math.random().toString(36).slice(2)}@example.com`;
  const created = await stack.metrion.data.accountService.createAccount({ email });
  const { accountId } = created.account;
  await stack.metrion.data.accountService.putProviderKey(accountId, 'openai', FAKE_OPENAI_API_KEY);
  await stack.metrion.data.accountService.putProviderKey(
    accountId,
    'anthropic',
    FAKE_ANTHROPIC_API_KEY,
  );
  const budget = testBudget(accountId, limitCents, { name: 'Search feature', ...overrides });
  expect(await new DynamoBudgetStore(table()).create(budget, 20)).toBe(true);
  return { accountId, email, metrionKey: created.metrionKey, budget };
}

/** Committed (spent + reserved) and blocked of the budget's period, and open reservations. */
async function ledgerOf(accountId: string, budget: Budget, period: string) {
  const state = await new DynamoBudgetLedger(table()).state(accountId);
  const key = chargeKey({ budgetId: budget.budgetId, period });
  return {
    committed: state.committed.get(key) ?? 0n,
    blocked: state.blocked.get(key) ?? 0,
    open: state.reservations.length,
  };
}

function stored(metrionKey: string, retries = 0): OpenAI {
  return new OpenAI({
    apiKey: metrionKey,
    baseURL: stack.metrion.proxyBaseUrls.openai,
    maxRetries: retries,
  });
}

/** Pass-through: the caller's own provider key, the Metrion Key in a header. */
function passThrough(metrionKey: string): OpenAI {
  return new OpenAI({
    apiKey: FAKE_OPENAI_API_KEY,
    baseURL: stack.metrion.proxyBaseUrls.openai,
    defaultHeaders: { 'x-metrion-token': metrionKey },
    maxRetries: 0,
  });
}

/** 20,000 output tokens x $1.00/M could cost $0.02: more than a one-cent budget holds. */
const TOO_BIG = {
  model: 'gpt-4o-mini',
  max_tokens: 20_000,
  messages: [{ role: 'user' as const, content: 'hi' }],
};

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('budget refusals in the SDKs', () => {
  it('refuses a JSON request with a 402 APIError naming the budget, before the provider', async () => {
    const { accountId, metrionKey, budget } = await accountWithBudget(1);
    const upstreamBefore = stack.openai.requests.length;

    // Default retries: a refusal says x-should-retry false, so the SDK asks once.
    const error = await caught(stored(metrionKey, 2).chat.completions.create(TOO_BIG));

    expect(error).toBeInstanceOf(APIError);
    const refusal = error as APIError;
    expect(refusal.status).toBe(402);
    expect(refusal.code).toBe('budget_exceeded');
    expect(refusal.type).toBe('budget_exceeded');
    expect(refusal.headers?.get('x-metrion-budget-id')).toBe(budget.budgetId);
    expect(refusal.message).toContain('Search feature');
    expect(refusal.message).toContain('of a limit of USD 0.01; this request could cost up to');
    expect(refusal.message).toContain('2027-01-01');
    expect(stack.openai.requests.length).toBe(upstreamBefore);
    expect(await ledgerOf(accountId, budget, '2026-12')).toEqual({
      committed: 0n,
      blocked: 1,
      open: 0,
    });
  });

  it('refuses a pass-through stream the same way, and Logs show it as blocked', async () => {
    const { metrionKey, budget } = await accountWithBudget(1);
    const upstreamBefore = stack.openai.requests.length;

    const error = await caught(
      passThrough(metrionKey).chat.completions.create({ ...TOO_BIG, stream: true }),
    );

    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(402);
    expect((error as APIError).code).toBe('budget_exceeded');
    expect(stack.openai.requests.length).toBe(upstreamBefore);
    // The Logs row is written after the answer left.
    await expect
      .poll(async () => (await stack.metrion.data.usage.listRecent(budget.accountId, 5))[0])
      .toMatchObject({
        status: 402,
        blockedBy: { budgetId: budget.budgetId, budgetName: 'Search feature' },
        costPicoUsd: 0n,
      });
  });

  it('refuses Anthropic JSON and streams in the Anthropic envelope', async () => {
    const { metrionKey, budget } = await accountWithBudget(1);
    const client = new Anthropic({
      apiKey: metrionKey,
      baseURL: stack.metrion.proxyBaseUrls.anthropic,
      maxRetries: 0,
    });
    const upstreamBefore = stack.anthropic.requests.length;
    // 5,000 output tokens x $4/M = $0.02.
    const request = {
      model: 'claude-3-5-haiku-20241022',
      max_tokens: 5_000,
      messages: [{ role: 'user' as const, content: 'hi' }],
    };

    const json = await caught(client.messages.create(request));
    const stream = await caught(client.messages.create({ ...request, stream: true }));

    for (const error of [json, stream]) {
      expect(error).toBeInstanceOf(Anthropic.APIError);
      const refusal = error as InstanceType<typeof Anthropic.APIError>;
      expect(refusal.status).toBe(402);
      expect(refusal.error).toMatchObject({ type: 'error', error: { type: 'budget_exceeded' } });
      expect(refusal.message).toContain('Search feature');
      expect(refusal.headers?.get('x-metrion-budget-id')).toBe(budget.budgetId);
    }
    expect(stack.anthropic.requests.length).toBe(upstreamBefore);
  });

  it('says how to let an unpriced model through, and never blocks a budget it does not match', async () => {
    const { metrionKey } = await accountWithBudget(10_000);
    const unpriced = {
      model: 'gpt-unknown-9',
      messages: [{ role: 'user' as const, content: 'x' }],
    };

    const error = await caught(stored(metrionKey).chat.completions.create(unpriced));

    expect((error as APIError).status).toBe(402);
    expect((error as APIError).message).toContain('no price for OpenAI model "gpt-unknown-9"');
    expect((error as APIError).message).toContain('"Unpriced models" to Allow');

    const scoped = await accountWithBudget(10_000, {
      scope: { kind: 'model', model: 'gpt-4o-mini' },
    });
    const answer = await stored(scoped.metrionKey).chat.completions.create(unpriced);
    expect(answer.choices).toHaveLength(1);
  });
});

describe('budgets under concurrency', () => {
  it('admits exactly the 40 of 150 concurrent requests that fit, and settles to the records', async () => {
    // Arrange: each request could cost 10,000 x $1.00/M = $0.01 of output plus its input (under
    // 1,000 tokens x $0.25/M = $0.00025 for a body this small), so $0.41 holds 40 of them and
    // never 41 (41 x $0.01 is already the whole limit).
    const { accountId, metrionKey, budget } = await accountWithBudget(41);
    const upstreamBefore = stack.openai.requests.length;
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Admitted requests wait at the provider until every admission is decided, so no settle
    // frees room while the 150 race (that would be a different, also correct, count).
    stack.openai.setScenario({ kind: 'holdHeaders', until: held });
    const client = stored(metrionKey);
    let answered = 0;

    // Act
    const outcomes = Array.from({ length: 150 }, () =>
      client.chat.completions
        .create({
          model: 'gpt-4o-mini',
          max_tokens: 10_000,
          messages: [{ role: 'user', content: 'hi' }],
        })
        .then(
          () => 200,
          (error: unknown) => (error instanceof APIError ? (error.status ?? 0) : -1),
        )
        .finally(() => {
          answered += 1;
          if (answered === 110) release();
        }),
    );
    setTimeout(release, 10_000);
    const statuses = await Promise.all(outcomes);
    stack.openai.setScenario({ kind: 'ok' });

    // Assert: exactly 40 reached the provider; the rest were refused without reaching it, by
    // the budget (402) or, once the key's 100 requests of the minute were used (refusals count
    // there too), by the rate limit (429).
    const count = (status: number) => statuses.filter((candidate) => candidate === status).length;
    expect(count(200)).toBe(40);
    expect(count(402) + count(429)).toBe(110);
    expect(count(402)).toBeGreaterThanOrEqual(60);
    expect(stack.openai.requests.length - upstreamBefore).toBe(40);

    // Each answer reports 12 input and 6 output tokens (the fake's default):
    // 12 x $0.15/M + 6 x $0.60/M = $0.0000054 = 5,400,000 pico-USD; 40 of them = 216,000,000.
    const records = () => stack.metrion.data.usage.listRecent(accountId, 1000);
    // Every answer and every budget refusal is a record (the rate limit's are not).
    await expect
      .poll(async () => (await records()).length, { timeout: 10_000 })
      .toBe(40 + count(402));
    const costs = (await records())
      .filter((record) => record.status === 200)
      .map((record) => record.costPicoUsd ?? 0n);
    expect(costs).toHaveLength(40);
    expect(costs.reduce((sum, cost) => sum + cost, 0n)).toBe(216_000_000n);
    await expect
      .poll(() => ledgerOf(accountId, budget, '2026-12'), { timeout: 10_000 })
      .toEqual({ committed: 216_000_000n, blocked: count(402), open: 0 });
    expect(216_000_000n).toBeLessThanOrEqual(budget.conversion.limitPicoUsd);
  });
});

describe('lost requests', () => {
  it('gives back a reservation the sweep finds an hour old, and counts a late record once', async () => {
    // Arrange: a request admitted and held at the provider, as if its proxy had died.
    clock.set(Date.parse('2026-12-10T12:00:00.000Z'));
    const { accountId, metrionKey, budget } = await accountWithBudget(100);
    let finish = () => {};
    const held = new Promise<void>((resolve) => {
      finish = resolve;
    });
    stack.openai.setScenario({ kind: 'holdHeaders', until: held });
    const inFlight = stored(metrionKey).chat.completions.create({ ...TOO_BIG, max_tokens: 10 });
    await expect
      .poll(async () => (await ledgerOf(accountId, budget, '2026-12')).open, {
        timeout: DELIVERY_DEADLINE_MS,
      })
      .toBe(1);
    const reserved = (await ledgerOf(accountId, budget, '2026-12')).committed;
    expect(reserved).toBeGreaterThan(0n);

    // Act 1: sweeps before and after the hour the reservation may live
    clock.advance(59 * 60_000);
    expect((await stack.metrion.jobs.sweepBudgets()).released).toBe(0);
    expect(await ledgerOf(accountId, budget, '2026-12')).toEqual({
      committed: reserved,
      blocked: 0,
      open: 1,
    });
    clock.advance(2 * 60_000);
    expect((await stack.metrion.jobs.sweepBudgets()).released).toBe(1);
    expect((await stack.metrion.jobs.sweepBudgets()).released).toBe(0);

    // Assert 1: the money is back, nothing is counted for a request that never reported
    expect(await ledgerOf(accountId, budget, '2026-12')).toEqual({
      committed: 0n,
      blocked: 0,
      open: 0,
    });

    // Act 2: the request does finish after all; its record settles late
    finish();
    await inFlight;
    stack.openai.setScenario({ kind: 'ok' });

    // Assert 2: its actual cost (12 x $0.15/M + 6 x $0.60/M = 5,400,000 pico-USD) counts once
    await expect
      .poll(async () => (await ledgerOf(accountId, budget, '2026-12')).committed)
      .toBe(5_400_000n);
    const [record] = await stack.metrion.data.usage.listRecent(accountId, 1);
    expect(record?.budgetReservation).toBeDefined();

    // Act 3: the stream delivers the batch again, twice
    const ledger = { ledger: new DynamoBudgetLedger(table()), logger: SILENT_LOGGER };
    const batch = [{ record: record as UsageRecord }];
    expect(await settleReservations(ledger, batch)).toBeUndefined();
    expect(await settleReservations(ledger, batch)).toBeUndefined();

    // Assert 3: counted once
    expect(await ledgerOf(accountId, budget, '2026-12')).toEqual({
      committed: 5_400_000n,
      blocked: 0,
      open: 0,
    });
  });

  it('settles a redelivered batch once when the reservation was still open', async () => {
    clock.set(Date.parse('2026-12-10T12:00:00.000Z'));
    const { accountId, metrionKey, budget } = await accountWithBudget(100);
    await stored(metrionKey).chat.completions.create({ ...TOO_BIG, max_tokens: 10 });
    await expect
      .poll(() => ledgerOf(accountId, budget, '2026-12'))
      .toEqual({ committed: 5_400_000n, blocked: 0, open: 0 });
    const [record] = await stack.metrion.data.usage.listRecent(accountId, 1);

    const ledger = { ledger: new DynamoBudgetLedger(table()), logger: SILENT_LOGGER };
    await settleReservations(ledger, [{ record: record as UsageRecord }]);

    expect(await ledgerOf(accountId, budget, '2026-12')).toEqual({
      committed: 5_400_000n,
      blocked: 0,
      open: 0,
    });
  });
});

/**
 * A request answered whose own record never lands (every record write of the proxy throttled),
 * so only its trace can settle its reservation. Its prompt is 40 bytes: 40 / 4 + 3 = 13 input
 * tokens estimated, x $0.15/M = 1,950,000 pico-USD, output unknown (0).
 */
async function interruptedRequest(metrionKey: string): Promise<void> {
  decide = (call) =>
    call.command === 'PutItemCommand' && call.sk.startsWith('REQ#') ? 'throttle' : undefined;
  try {
    await stored(metrionKey).chat.completions.create({
      model: 'gpt-4o-mini',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'Count the primes below one hundred, pls.' }],
    });
    await stack.settledRecords();
  } finally {
    decide = () => undefined;
  }
}

/** The trace sweeper's records reach the ledger through the usage stream (the local feed). */
async function sweepTracesAndSettle() {
  // The sweep covers requests that arrived before now: let the fake clock move past this one.
  clock.advance(1_000);
  const report = await stack.metrion.jobs.sweepTraces({ minAgeMs: 0 });
  await stack.metrion.usageFeed.drain();
  return report;
}

describe('interrupted requests (recorded by the trace sweeper)', () => {
  it('settle their reservation once, at the estimated cost', async () => {
    // Arrange
    clock.set(Date.parse('2026-12-10T12:00:00.000Z'));
    const { accountId, metrionKey, budget } = await accountWithBudget(100);
    await interruptedRequest(metrionKey);
    expect((await ledgerOf(accountId, budget, '2026-12')).open).toBe(1);

    // Act
    const first = await sweepTracesAndSettle();
    const second = await sweepTracesAndSettle();
    clock.advance(61 * 60_000);
    const budgetSweep = await stack.metrion.jobs.sweepBudgets();

    // Assert: one interrupted record, settled once; nothing left for the budget sweep
    expect(first.interrupted).toBe(1);
    expect(second.interrupted).toBe(0);
    expect(budgetSweep.released).toBe(0);
    expect(await ledgerOf(accountId, budget, '2026-12')).toEqual({
      committed: 1_950_000n,
      blocked: 0,
      open: 0,
    });
    const [record] = await stack.metrion.data.usage.listRecent(accountId, 1);
    expect(record).toMatchObject({ interrupted: true, costPicoUsd: 1_950_000n });
    expect(record?.budgetReservation?.reservedPicoUsd).toBeGreaterThan(1_950_000n);
  });

  it('count once when the budget sweep gave the reservation back first', async () => {
    // Arrange: the trace sweeper was down for more than the hour a reservation may live (an
    // hour after the previous test: the sweeper never goes back before what it swept)
    clock.set(Date.parse('2026-12-10T13:00:00.000Z'));
    const { accountId, metrionKey, budget } = await accountWithBudget(100);
    await interruptedRequest(metrionKey);
    clock.advance(61 * 60_000);
    expect((await stack.metrion.jobs.sweepBudgets()).released).toBe(1);
    expect(await ledgerOf(accountId, budget, '2026-12')).toEqual({
      committed: 0n,
      blocked: 0,
      open: 0,
    });

    // Act: the sweeper comes back (twice), and the stream redelivers the record's batch
    const first = await sweepTracesAndSettle();
    await sweepTracesAndSettle();
    const [record] = await stack.metrion.data.usage.listRecent(accountId, 1);
    const ledger = { ledger: new DynamoBudgetLedger(table()), logger: SILENT_LOGGER };
    expect(await settleReservations(ledger, [{ record: record as UsageRecord }])).toBeUndefined();

    // Assert: the release mark makes the late interrupted record count once
    expect(first.interrupted).toBe(1);
    expect(record).toMatchObject({ interrupted: true, costPicoUsd: 1_950_000n });
    expect(await ledgerOf(accountId, budget, '2026-12')).toEqual({
      committed: 1_950_000n,
      blocked: 0,
      open: 0,
    });
  });
});

describe('budget emails', () => {
  interface StoredEmail {
    readonly subject: string;
    readonly destination: { readonly to: readonly string[] };
  }
  async function subjectsTo(address: string): Promise<string[]> {
    const store = await (await fetch(`${stack.metrion.sesEndpoint}/store`)).json();
    return (store.emails as StoredEmail[])
      .filter((email) => email.destination.to.includes(address))
      .map((email) => email.subject);
  }

  it('emails a notify budget at 90% and at 100%, once per level per period', async () => {
    clock.set(Date.parse('2026-12-10T12:00:00.000Z'));
    const {
      accountId,
      email: to,
      metrionKey,
      budget,
    } = await accountWithBudget(1, {
      action: 'notify',
    });
    const request = { ...TOO_BIG, max_tokens: 10 };

    // 12 x $0.15/M + 15,000 x $0.60/M = $0.0090018: 90.018% of one cent.
    stack.openai.setScenario({ kind: 'ok', tokens: { outputTokens: 15_000 } });
    await stored(metrionKey).chat.completions.create(request);
    await expect
      .poll(async () => (await ledgerOf(accountId, budget, '2026-12')).committed)
      .toBe(9_001_800_000n);
    await stack.metrion.jobs.sweepBudgets();
    await stack.metrion.jobs.sweepBudgets();
    await expect
      .poll(() => subjectsTo(to))
      .toEqual(['[Metrion] Budget "Search feature" reached 90% of its limit']);

    // Twice that: past the limit, and a notify budget still lets it through.
    await stored(metrionKey).chat.completions.create(request);
    stack.openai.setScenario({ kind: 'ok' });
    await expect
      .poll(async () => (await ledgerOf(accountId, budget, '2026-12')).committed)
      .toBe(18_003_600_000n);
    await stack.metrion.jobs.sweepBudgets();
    await stack.metrion.jobs.sweepBudgets();
    await expect
      .poll(() => subjectsTo(to))
      .toEqual([
        '[Metrion] Budget "Search feature" reached 90% of its limit',
        '[Metrion] Budget "Search feature" reached its limit',
      ]);
  });
});

describe('budgets in another currency', () => {
  it('follows a new reference rate mid-period, keeping what the period spent and refused', async () => {
    // Arrange: EUR 0.01 at 1 EUR = 1 USD is $0.01; a request that could cost $0.012 is refused.
    clock.set(Date.parse('2026-12-10T12:00:00.000Z'));
    const rates = new DynamoFxRateStore({
      client: stack.metrion.data.documentClient,
      tableName: stack.metrion.data.fxRatesTable,
    });
    const parity: FxQuote = { date: '2026-12-09', usdPerEur: '1', chfPerEur: '1', source: 'ecb' };
    await rates.put(parity);
    const spec = { limitCents: 1, currency: 'EUR' as const };
    const { accountId, metrionKey, budget } = await accountWithBudget(1, {
      ...spec,
      // EUR 0.01 at 1 USD per EUR: $0.01
      conversion: { limitPicoUsd: 10_000_000_000n, fx: parity },
    });
    const request = { ...TOO_BIG, max_tokens: 12_000 };
    const refused = await caught(stored(metrionKey).chat.completions.create(request));
    expect((refused as APIError).status).toBe(402);
    expect((refused as APIError).message).toContain('of a limit of EUR 0.01');

    // Act: the next day's rate makes a euro $1.50; the sweep converts the limit again ($0.015)
    await rates.put({ ...parity, date: '2026-12-10', usdPerEur: '1.5' });
    expect((await stack.metrion.jobs.sweepBudgets()).reconverted).toBe(1);
    await stored(metrionKey).chat.completions.create(request);

    // Assert: the same request now fits, and the period keeps its refusal and adds the cost
    await expect
      .poll(() => ledgerOf(accountId, budget, '2026-12'))
      .toEqual({ committed: 5_400_000n, blocked: 1, open: 0 });
    expect(
      (await new DynamoBudgetStore(table()).get(accountId, budget.budgetId))?.conversion,
    ).toEqual({
      limitPicoUsd: 15_000_000_000n,
      fx: { ...parity, date: '2026-12-10', usdPerEur: '1.5' },
    });
  });
});

describe('budget periods', () => {
  it('starts a new day and a new month empty at 00:00 UTC on the 1st', async () => {
    clock.set(Date.parse('2026-12-31T23:59:00.000Z'));
    const day = await accountWithBudget(1, { period: 'day' });
    const month = await accountWithBudget(1, { period: 'month' });
    // At most 5,000 x $1.00/M = $0.005 and its input; the answer reports 9,000 output tokens.
    const half = { ...TOO_BIG, max_tokens: 5_000 };
    stack.openai.setScenario({ kind: 'ok', tokens: { outputTokens: 9_000 } });

    for (const { accountId, metrionKey, budget } of [day, month]) {
      // Arrange: one answer fills the budget: 12 x $0.15/M + 9,000 x $0.60/M = $0.0054018.
      await stored(metrionKey).chat.completions.create(half);
      const period = budget.period === 'day' ? '2026-12-31' : '2026-12';
      await expect
        .poll(() => ledgerOf(accountId, budget, period))
        .toEqual({ committed: 5_401_800_000n, blocked: 0, open: 0 });

      // Act + Assert: no room for another at 23:59 ...
      clock.set(Date.parse('2026-12-31T23:59:59.999Z'));
      const refused = await caught(stored(metrionKey).chat.completions.create(half));
      expect((refused as APIError).status).toBe(402);
      expect((refused as APIError).message).toContain('2027-01-01 00:00 UTC');

      // ... and room again at midnight, counted in the new period.
      clock.set(Date.parse('2027-01-01T00:00:00.000Z'));
      await stored(metrionKey).chat.completions.create(half);
      const next = budget.period === 'day' ? '2027-01-01' : '2027-01';
      await expect
        .poll(() => ledgerOf(accountId, budget, next))
        .toEqual({ committed: 5_401_800_000n, blocked: 0, open: 0 });
      expect(await ledgerOf(accountId, budget, period)).toEqual({
        committed: 5_401_800_000n,
        blocked: 1,
        open: 0,
      });
      clock.set(Date.parse('2026-12-31T23:59:00.000Z'));
    }
    stack.openai.setScenario({ kind: 'ok' });
  });
});
