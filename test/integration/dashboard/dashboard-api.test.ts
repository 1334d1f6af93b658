import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect } from 'vitest';
import { HOUR_MS } from '#core/rollups/buckets.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { readUntil } from '../../fixtures/read-until.ts';
import {
  dashboardApiTest,
  expectResponseOf,
  type TestUser,
} from '../support/dashboard-api-stack.ts';

// Traffic through the proxy with the official openai SDK, the seal job, then the dashboard API
// with real Cognito JWTs: numbers equal the raw records, filters, currencies, tenant isolation.
const ECB_XML = `<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
  <Cube><Cube time='2026-11-23'>
    <Cube currency='USD' rate='1.1000'/><Cube currency='JPY' rate='171.20'/><Cube currency='CHF' rate='0.9350'/>
  </Cube></Cube>
</gesmes:Envelope>`;

/** An ECB stand-in serving ECB_XML, for the stack's daily FX refresh. */
async function startEcb(): Promise<Server> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/xml' }).end(ECB_XML);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const ecb = await startEcb();
const it = dashboardApiTest({
  fxRatesUrl: `http://127.0.0.1:${(ecb.address() as AddressInfo).port}/eurofxref-daily.xml`,
});
let alice: TestUser;
let bob: TestUser;
let records: UsageRecord[];

function usdOf(picos: bigint): string {
  const micros = (picos + 500_000n) / 1_000_000n;
  return `${micros / 1_000_000n}.${String(micros % 1_000_000n).padStart(6, '0')}`;
}

it.beforeAll(async ({ stack }) => {
  [alice, bob] = [await stack.signUp('dash-alice'), await stack.signUp('dash-bob')];
  const aliceId = (await stack.api('/api/me', { as: alice })).json.accountId as string;
  await stack.api('/api/me', { as: bob });
  const { openai } = await stack.storedOpenAi(alice);
  const ask = (model: string, user?: string) =>
    openai.chat.completions.create(
      { model, messages: [{ role: 'user', content: 'hi' }] },
      user ? { headers: { 'x-metrion-user': user } } : {},
    );
  await ask('gpt-4o-mini', 'ci');
  await ask('gpt-4o-mini', 'ci');
  await ask('gpt-4o', 'alice-bot');
  const stream = await openai.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'hi' }],
    stream: true,
  });
  for await (const _chunk of stream) {
    // drain
  }
  stack.openai.setScenario({
    kind: 'error',
    status: 503,
    body: { error: { message: 'overloaded', type: 'server_error', code: null } },
  });
  await expect(ask('gpt-4o', 'ci')).rejects.toThrow();
  stack.openai.setScenario({ kind: 'ok' });
  records = await readUntil(
    () => stack.metrion.data.usage.listRecent(aliceId, 100),
    (found) => found.length === 5,
  );
  expect(records).toHaveLength(5);
});
afterAll(async () => {
  await new Promise((resolve) => ecb.close(resolve));
});

describe('dashboard API', () => {
  it('shows live rollups within seconds, and the same numbers after the seal job', async ({
    stack,
  }) => {
    // The usage feed delivers appended records to the aggregator within its batching window.
    const live = await readUntil(
      () => stack.api('/api/dashboard/overview?range=24h', { as: alice }),
      (overview) => overview.json.requests?.total === 5,
      50,
    );
    expect(live.status).toBe(200);
    expect(live.json.requests.total).toBe(5);

    const report = await stack.metrion.jobs.sealRollups({ graceMs: -HOUR_MS });
    expect(report.hoursSealed).toBeGreaterThanOrEqual(1);

    const sealed = await stack.api('/api/dashboard/overview?range=24h', { as: alice });
    expectResponseOf('getDashboardOverview', sealed);
    const overview = sealed.json;
    expect(overview.range.bucket).toBe('hour');
    expect(overview.range.buckets).toHaveLength(24);
    expect(overview.requests.total).toBe(5);
    expect(overview.errors.total).toBe(1);
    expect(overview.errors.byStatus).toEqual([{ status: 503, count: 1 }]);
    expect(overview.requests.errors.reduce((a: number, b: number) => a + b, 0)).toBe(1);
    const picos = records.reduce((sum, r) => sum + (r.costPicoUsd ?? 0n), 0n);
    expect(picos).toBeGreaterThan(0n);
    expect(overview.cost.total).toBe(usdOf(picos));
    expect(overview.fx).toMatchObject({ currency: 'USD', rate: '1.00000000' });
    expect(overview.tokens.total).toBe(records.reduce((sum, r) => sum + r.totalTokens, 0));
    expect(overview.uniqueRequesters.total).toBe(2);
    const perModel = new Map<string, number>();
    for (const r of records) perModel.set(r.model, (perModel.get(r.model) ?? 0) + 1);
    expect(
      Object.fromEntries(
        overview.requestsByModel.map((m: { model: string; requests: number }) => [
          m.model,
          m.requests,
        ]),
      ),
    ).toEqual(Object.fromEntries(perModel));
    expect(overview.dimensions.requesters).toEqual(['alice-bot', 'ci']);
    expect(overview.avgLatencyMs.value).not.toBeNull();
  });

  it('applies model, requester and status filters over the rollup dimensions', async ({
    stack,
  }) => {
    const mini = records.filter((r) => r.model.startsWith('gpt-4o-mini'));
    const byModel = await stack.api(
      `/api/dashboard/overview?range=7d&model=${encodeURIComponent(mini[0]?.model ?? '')}`,
      { as: alice },
    );
    expect(byModel.json.range.bucket).toBe('day');
    expect(byModel.json.requests.total).toBe(mini.length);
    const ci = await stack.api('/api/dashboard/overview?requester=ci&status=2xx', { as: alice });
    expect(ci.json.requests.total).toBe(2);
    const none = await stack.api('/api/dashboard/overview?requester=-', { as: alice });
    expect(none.json.requests.total).toBe(1);
    const errors = await stack.api('/api/dashboard/errors?status=5xx', { as: alice });
    expectResponseOf('getDashboardErrors', errors);
    expect(errors.json.recent).toHaveLength(1);
    expect(errors.json.recent[0]).toMatchObject({ status: 503, requester: 'ci' });
    const latency = await stack.api('/api/dashboard/latency?range=24h', { as: alice });
    expectResponseOf('getDashboardLatency', latency);
    expect(latency.json.overall.p95).not.toBeNull();
  });

  it('converts costs to EUR and CHF with the stored ECB rate and says which', async ({ stack }) => {
    const picos = records.reduce((sum, r) => sum + (r.costPicoUsd ?? 0n), 0n);
    await stack.api('/api/settings/general', {
      method: 'PATCH',
      as: alice,
      body: { currency: 'EUR' },
    });
    // No rates stored yet: the shipped fallback, with its date.
    const offline = await stack.api('/api/dashboard/costs?range=24h', { as: alice });
    expect(offline.json.fx).toMatchObject({
      currency: 'EUR',
      rateDate: '2026-11-20', // the shipped ECB reference rates' date
      source: 'fallback',
    });
    await stack.metrion.jobs.refreshFxRates();
    const eur = await stack.api('/api/dashboard/costs?range=24h', { as: alice });
    expectResponseOf('getDashboardCosts', eur);
    expect(eur.json.fx).toEqual({
      currency: 'EUR',
      rate: '0.90909091',
      rateDate: '2026-11-23',
      source: 'ecb',
    });
    // EUR = USD / 1.1 exactly, rounded once to micro-euros.
    const micros = (picos * 10n + 5_500_000n) / 11_000_000n;
    expect(eur.json.cost.total).toBe(
      `${micros / 1_000_000n}.${String(micros % 1_000_000n).padStart(6, '0')}`,
    );
    // An account of today has no whole day to project from: the Costs card says what it needs.
    expect(eur.json.monthForecast).toEqual({
      status: 'too_little_history',
      month: new Date().toISOString().slice(0, 7),
      paceDays: 0,
      neededDays: 3,
    });
    await stack.api('/api/settings/general', {
      method: 'PATCH',
      as: alice,
      body: { currency: 'CHF' },
    });
    const chf = await stack.api('/api/dashboard/overview', { as: alice });
    expect(chf.json.fx).toMatchObject({
      currency: 'CHF',
      rate: '0.85000000',
      rateDate: '2026-11-23',
    });
  });

  it('shows Bob none of Alice usage', async ({ stack }) => {
    for (const tab of ['overview', 'costs', 'tokens', 'latency', 'errors']) {
      const answer = await stack.api(`/api/dashboard/${tab}?range=90d`, { as: bob });
      expect(answer.status).toBe(200);
      expect(JSON.stringify(answer.json)).not.toContain('gpt-4o');
    }
    const overview = await stack.api('/api/dashboard/overview?range=90d', { as: bob });
    expect(overview.json.requests.total).toBe(0);
    expect(overview.json.cost.total).toBe('0.000000');
  });

  it('answers 401 without a token and 400 for a bad range', async ({ stack }) => {
    expect((await stack.api('/api/dashboard/overview')).status).toBe(401);
    const bad = await stack.api('/api/dashboard/overview?range=1y', { as: alice });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain('range');
    const custom = await stack.api('/api/dashboard/overview?range=custom', { as: alice });
    expect(custom.status).toBe(400);
  });
});
