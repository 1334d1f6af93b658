// Budgets in the proxy pipeline: planned from the last view, enforced in the one admission
// call, refused before the provider, recorded as blocked.
import { describe, expect, it } from 'vitest';
import type { FailedOutcome, ProxyOutcome } from '#core/proxy/proxy-service.ts';
import { testBudget, USD } from '../../../fixtures/budget.ts';
import { proxyHarness } from './proxy-harness.ts';

function failed(outcome: ProxyOutcome): FailedOutcome {
  if (outcome.kind !== 'failed') throw new Error(`expected a failure, got ${outcome.status}`);
  return outcome;
}

const OPENAI_OK = JSON.stringify({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 },
});
/** gpt-4o-mini, 100 output tokens at most. */
const CHAT = { model: 'gpt-4o-mini', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };

async function harnessWithBudget(limitCents: number) {
  const harness = await proxyHarness();
  harness.answerWith({ body: OPENAI_OK });
  const budget = testBudget(harness.accountId, limitCents);
  await harness.accounts.budgets.create(budget, 20);
  return { harness, budget };
}

describe('proxy service: budgets', () => {
  it('learns the budgets on a cold start in one extra call, then admits in one', async () => {
    const { harness, budget } = await harnessWithBudget(100);

    const first = await harness.send(CHAT);
    const callsForFirst = harness.admissions.length;
    const second = await harness.send(CHAT);

    expect(first.kind).toBe('forwarded');
    expect(second.kind).toBe('forwarded');
    // Cold: planned for "no budgets", answered with the view, planned again.
    expect(callsForFirst).toBe(2);
    expect(harness.admissions.length - callsForFirst).toBe(1);
    expect(harness.admissions.at(-1)?.budget).toMatchObject({
      kind: 'reserve',
      charges: [{ budgetId: budget.budgetId, period: '2026-11' }],
    });
  });

  it('puts the reservation on the record, for the settle', async () => {
    const { harness, budget } = await harnessWithBudget(100);

    const outcome = await harness.send(CHAT);
    if (outcome.kind === 'forwarded') await outcome.settled;

    const [record] = await harness.usage.listRecent(harness.accountId, 1);
    expect(record?.budgetReservation?.charges).toEqual([
      { budgetId: budget.budgetId, period: '2026-11' },
    ]);
    expect(record?.budgetReservation?.reservedPicoUsd).toBeGreaterThan(0n);
    const ledger = await harness.accounts.budgets.state(harness.accountId);
    expect(ledger.reservations.map((open) => open.requestId)).toEqual([record?.requestId]);
  });

  it('refuses a request whose maximum cost does not fit, before the provider, and records it as blocked', async () => {
    // Arrange: a $0.000001 budget: gpt-4o-mini's 100 output tokens alone cost $0.00006
    const { harness, budget } = await harnessWithBudget(0);
    await harness.accounts.budgets.update(harness.accountId, budget.budgetId, {
      conversion: { ...budget.conversion, limitPicoUsd: USD / 1_000_000n },
    });

    // Act
    const refusal = failed(await harness.send(CHAT));
    await refusal.settle(402);

    // Assert
    expect(refusal.error.code).toBe('budget_exceeded');
    expect(refusal.error.message).toContain(`Budget "${budget.name}"`);
    expect(refusal.error.message).toContain('It resets at 2026-12-01 00:00 UTC.');
    expect(harness.sent).toEqual([]);
    const [record] = await harness.usage.listRecent(harness.accountId, 1);
    expect(record).toMatchObject({
      status: 402,
      errorSource: 'metrion',
      costPicoUsd: 0n,
      blockedBy: { budgetId: budget.budgetId, budgetName: budget.name },
    });
    expect(record?.budgetReservation).toBeUndefined();
    const ledger = await harness.accounts.budgets.state(harness.accountId);
    expect(ledger.blocked.get(`${budget.budgetId}@2026-11`)).toBe(1);
    expect(ledger.reservations).toEqual([]);
  });

  it('refuses an unpriced model with a block budget, saying how to allow it', async () => {
    const { harness } = await harnessWithBudget(100_00);

    const refusal = failed(await harness.send({ ...CHAT, model: 'my-finetune-xyz' }));

    expect(refusal.error.code).toBe('budget_exceeded');
    expect(refusal.error.message).toContain('has no price for OpenAI model "my-finetune-xyz"');
    expect(refusal.error.message).toContain('"Unpriced models" to Allow');
    expect(harness.sent).toEqual([]);
  });

  it('plans again with the new view after the budgets changed (stale cache fails closed)', async () => {
    const { harness, budget } = await harnessWithBudget(100_00);
    await harness.send(CHAT);
    await harness.accounts.budgets.update(harness.accountId, budget.budgetId, { paused: true });
    const callsBefore = harness.admissions.length;

    const outcome = await harness.send(CHAT);

    expect(outcome.kind).toBe('forwarded');
    expect(harness.admissions.length - callsBefore).toBe(2);
    expect(harness.admissions.at(-1)?.budget).toMatchObject({ kind: 'reserve', charges: [] });
  });

  it('gives up with a retryable 503 when the budgets change before each of three plans', async () => {
    // Arrange: the Dashboard renames the budget before every admission write
    const { harness, budget } = await harnessWithBudget(100_00);
    await harness.send(CHAT);
    const callsBefore = harness.admissions.length;
    const sentBefore = harness.sent.length;
    let edits = 0;
    harness.races.beforeAdmit = async () => {
      edits += 1;
      await harness.accounts.budgets.update(harness.accountId, budget.budgetId, {
        name: `Renamed ${edits}`,
      });
    };

    // Act
    const refusal = failed(await harness.send(CHAT));

    // Assert
    expect(refusal.error).toMatchObject({
      code: 'service_unavailable',
      message: 'The budgets of this account changed several times during the request. Retry it.',
      service: 'dynamodb',
      operation: 'UpdateItem',
      retryable: true,
    });
    expect(harness.admissions.length - callsBefore).toBe(3);
    expect(harness.sent.length).toBe(sentBefore);
  });

  it('admits on the third plan when the budgets changed before the first two', async () => {
    const { harness, budget } = await harnessWithBudget(100_00);
    await harness.send(CHAT);
    const callsBefore = harness.admissions.length;
    let edits = 0;
    harness.races.beforeAdmit = async () => {
      edits += 1;
      if (edits > 2) return;
      await harness.accounts.budgets.update(harness.accountId, budget.budgetId, {
        name: `Renamed ${edits}`,
      });
    };

    const outcome = await harness.send(CHAT);

    expect(outcome.kind).toBe('forwarded');
    expect(harness.admissions.length - callsBefore).toBe(3);
  });

  it('keeps the view a refused request learned, so the next one takes one call', async () => {
    // Arrange: a cold cache and a budget with no room at all
    const { harness, budget } = await harnessWithBudget(0);
    await harness.accounts.budgets.update(harness.accountId, budget.budgetId, {
      conversion: { ...budget.conversion, limitPicoUsd: 0n },
    });

    // Act
    const first = failed(await harness.send(CHAT));
    const callsForFirst = harness.admissions.length;
    const second = failed(await harness.send(CHAT));

    // Assert
    expect([first.error.code, second.error.code]).toEqual(['budget_exceeded', 'budget_exceeded']);
    expect(callsForFirst).toBe(2);
    expect(harness.admissions.length - callsForFirst).toBe(1);
  });

  it('learns the budgets from a model list, so the next request takes one call', async () => {
    // Arrange: a cold cache; the model list is a side call that no budget applies to
    const { harness } = await harnessWithBudget(100_00);
    await harness.send('', {}, '/api/proxy/openai/v1/models', 'GET');
    const callsBefore = harness.admissions.length;

    // Act
    const outcome = await harness.send(CHAT);

    // Assert
    expect(outcome.kind).toBe('forwarded');
    expect(harness.admissions.length - callsBefore).toBe(1);
  });
});
