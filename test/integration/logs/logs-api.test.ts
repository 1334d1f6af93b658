import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { LOGS_CSV_COLUMNS } from '#contracts/logs-api.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { parseCsv } from '../../fixtures/csv.ts';
import { FAKE_OPENAI_API_KEY } from '../../fixtures/fake-openai-server.ts';
import { readUntil } from '../../fixtures/read-until.ts';
import {
  type DashboardApiStack,
  dashboardApiTest,
  expectApiError,
  expectResponseOf,
  type TestUser,
} from '../support/dashboard-api-stack.ts';

// Alice sends real traffic through the proxy with the openai SDK (one provider 400), and gets
// 120 more records appended directly (plus expired ones); Bob is signed in with his own token.
const it = dashboardApiTest();
let alice: TestUser;
let bob: TestUser;
let aliceId: string;
let failedRequestId: string;
/** Every live record of Alice's, newest first. */
let live: UsageRecord[];
let expired: UsageRecord;

const HOUR_MS = 3_600_000;
const MODELS = ['gpt-4o-mini', 'claude-haiku-4-5', 'mistral-small'] as const;
const PROVIDERS = ['openai', 'anthropic', 'mistral'] as const;
const STATUSES = [200, 200, 200, 429, 500] as const;

function seeded(index: number): UsageRecord {
  const kind = index % 3;
  return {
    requestId: randomUUID(),
    accountId: aliceId,
    // Spread over the last 20 hours, one per 10 minutes, never at the same millisecond.
    at: new Date(Date.now() - HOUR_MS / 2 - index * 600_000 - (index % 7)).toISOString(),
    provider: PROVIDERS[kind] ?? 'openai',
    model: MODELS[kind] ?? 'gpt-4o-mini',
    ...(index % 4 === 0
      ? {}
      : { requester: index % 11 === 0 ? '=HYPERLINK("x")' : `agent-${index % 4}` }),
    status: STATUSES[index % STATUSES.length] ?? 200,
    inputTokens: 100 + index,
    outputTokens: 10 + index,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    totalTokens: 110 + 2 * index,
    costPicoUsd: index % 10 === 9 ? null : BigInt(index) * 1_234_567_891n,
    priceVersion: '2026-11-01',
    latencyMs: 200 + index,
    streamed: index % 2 === 0,
    cached: index % 5 === 0,
    mode: 'stored',
    // Records before issue 14 have no kind (chat); later ones name theirs.
    ...(index % 6 === 1 ? { kind: 'embeddings' } : index % 6 === 2 ? { kind: 'chat' } : {}),
  };
}

async function listAll(stack: DashboardApiStack, query: string, as: TestUser = alice) {
  const pages = [];
  let cursor: string | null = null;
  do {
    const separator = query ? '&' : '';
    const suffix: string =
      cursor === null ? '' : `${separator}cursor=${encodeURIComponent(cursor)}`;
    const answer = await stack.api(`/api/logs?${query}${suffix}`, { as });
    expectResponseOf('listLogs', answer);
    pages.push(answer.json);
    cursor = answer.json.nextCursor;
  } while (cursor !== null);
  return pages;
}

/** Independent of the code under test: bigint division, trailing zeros trimmed; '' = unpriced. */
function decimalUsd(picoUsd: bigint | null): string {
  if (picoUsd === null) return '';
  const fraction = (picoUsd % 10n ** 12n).toString().padStart(12, '0').replace(/0+$/, '');
  const whole = (picoUsd / 10n ** 12n).toString();
  return fraction === '' ? whole : `${whole}.${fraction}`;
}

/** Exact picodollars of a decimal USD string (the inverse of the API's `costUsd`). */
/** A plain decimal string as an exact fraction. */
function exactDecimal(text: string): { numerator: bigint; denominator: bigint } {
  const [whole = '0', fraction = ''] = text.split('.');
  return { numerator: BigInt(`${whole}${fraction}`), denominator: 10n ** BigInt(fraction.length) };
}

/** `numerator / denominator` (both positive) rounded half to even. */
function halfEven(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  const twiceRemainder = (numerator % denominator) * 2n;
  const up =
    twiceRemainder > denominator || (twiceRemainder === denominator && quotient % 2n === 1n);
  return up ? quotient + 1n : quotient;
}

/** Non-negative integer units of 10^-decimals as a decimal string. */
function withDecimals(units: bigint, decimals: number): string {
  const digits = units.toString().padStart(decimals + 1, '0');
  return `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

function picoUsdOf(decimal: string | null): bigint | null {
  if (decimal === null) return null;
  const [whole = '0', fraction = ''] = decimal.split('.');
  return BigInt(whole) * 10n ** 12n + BigInt(fraction.padEnd(12, '0'));
}

it.beforeAll(async ({ stack }) => {
  [alice, bob] = [await stack.signUp('logs-alice'), await stack.signUp('logs-bob')];
  aliceId = (await stack.api('/api/me', { as: alice })).json.accountId;
  await stack.api('/api/me', { as: bob });
  const { openai } = await stack.storedOpenAi(alice);
  await openai.chat.completions.create(
    { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
    { headers: { 'x-metrion-user': 'sdk-user' } },
  );
  const stream = await openai.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'stream' }],
    stream: true,
  });
  for await (const _chunk of stream) {
    // drain
  }
  stack.openai.setScenario({
    kind: 'error',
    status: 400,
    body: { error: { message: 'Invalid value for temperature', type: 'invalid_request_error' } },
  });
  await openai.chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], temperature: 9 })
    .catch(() => undefined);
  stack.openai.setScenario({ kind: 'ok' });

  // Proxied usage lands after each response ends: wait for all three.
  const landed = await readUntil(
    () => stack.api('/api/logs', { as: alice }),
    // The rows and the total are two reads: wait until both have all three.
    (answer) => answer.json.totalCount === 3 && answer.json.rows.length === 3,
  );
  const proxied = landed.json.rows;
  expect(proxied).toHaveLength(3);
  failedRequestId = proxied.find((row: { status: number }) => row.status === 400).requestId;

  const keep = { expiresAtEpochSeconds: Math.floor(Date.now() / 1000) + 30 * 86_400 };
  const seededRecords = Array.from({ length: 120 }, (_, index) => seeded(index));
  for (const record of seededRecords) await stack.metrion.data.usage.append(record, keep);
  expired = { ...seeded(500), at: new Date(Date.now() - HOUR_MS).toISOString() };
  await stack.metrion.data.usage.append(expired, {
    expiresAtEpochSeconds: Math.floor(Date.now() / 1000) - 1,
  });
  live = [...seededRecords].sort((a, b) => (a.at < b.at ? 1 : -1));
}, 60_000);

describe('GET /api/logs', () => {
  it('pages 50 newest-first rows with a total, and a cursor back to any earlier page', async ({
    stack,
  }) => {
    // Act
    const pages = await listAll(stack, '');

    // Assert
    expect(pages.map((page) => page.rows.length)).toEqual([50, 50, 23]);
    expect(pages.every((page) => page.totalCount === 123)).toBe(true);
    const rows = pages.flatMap((page) => page.rows);
    const ats = rows.map((row: { at: string }) => row.at);
    expect(ats).toEqual([...ats].sort().reverse());
    expect(new Set(rows.map((row: { requestId: string }) => row.requestId)).size).toBe(123);
    expect(rows.slice(3).map((row: { requestId: string }) => row.requestId)).toEqual(
      live.map((record) => record.requestId),
    );
    const first = pages[0];
    const again = await stack.api(`/api/logs?cursor=${encodeURIComponent(first.nextCursor)}`, {
      as: alice,
    });
    expect(again.json.rows).toEqual(pages[1].rows);
    expect(again.json.range).toEqual(first.range);
  });

  it('shows exact costs, unpriced as null, and no secrets', async ({ stack }) => {
    const rows = (await listAll(stack, '')).flatMap((page) => page.rows);
    const byId = new Map(rows.map((row: { requestId: string }) => [row.requestId, row]));
    const unpriced = live.find((record) => record.costPicoUsd === null);
    const priced = live.find((record) => record.costPicoUsd === 113_580_245_972n);
    expect(byId.get(unpriced?.requestId ?? '')).toMatchObject({ costUsd: null });
    expect(byId.get(priced?.requestId ?? '')).toMatchObject({ costUsd: '0.113580245972' });
    expect(JSON.stringify(rows)).not.toContain(FAKE_OPENAI_API_KEY);
  });

  it('filters by model, provider, requester and status, and counts the filtered set', async ({
    stack,
  }) => {
    const expected = live.filter(
      (record) =>
        record.model === 'gpt-4o-mini' &&
        record.status >= 400 &&
        (record.requester === undefined || record.requester === 'agent-1'),
    );

    const pages = await listAll(
      stack,
      'model=gpt-4o-mini&provider=openai&status=4xx&status=5xx&requester=-&requester=agent-1',
    );

    // The proxied provider 400 (gpt-4o-mini, no requester) is the newest match.
    const expectedIds = [failedRequestId, ...expected.map((record) => record.requestId)];
    expect(pages[0].totalCount).toBe(expectedIds.length);
    expect(
      pages.flatMap((page) => page.rows.map((row: { requestId: string }) => row.requestId)),
    ).toEqual(expectedIds);
    const exact = await stack.api('/api/logs?status=400', { as: alice });
    expect(exact.json.rows.map((row: { requestId: string }) => row.requestId)).toEqual([
      failedRequestId,
    ]);
  });

  it('filters by kind, chat including the records written without one, in rows, total and CSV', async ({
    stack,
  }) => {
    const ids = (pages: { rows: { requestId: string }[] }[]) =>
      pages.flatMap((page) => page.rows.map((row) => row.requestId));
    const embeddings = live.filter((record) => record.kind === 'embeddings');
    const chat = live.filter((record) => record.kind !== 'embeddings');
    expect(embeddings.length).toBeGreaterThan(0);

    const embeddingPages = await listAll(stack, 'kind=embeddings');
    const chatPages = await listAll(stack, 'kind=chat');
    const csv = await fetch(`${stack.metrion.url}/api/logs/export.csv?kind=embeddings`, {
      headers: { authorization: `Bearer ${alice.idToken}` },
    });

    expect(embeddingPages[0].totalCount).toBe(embeddings.length);
    expect(ids(embeddingPages)).toEqual(embeddings.map((record) => record.requestId));
    // The three proxied chat completions come first (newest).
    expect(chatPages[0].totalCount).toBe(3 + chat.length);
    expect(ids(chatPages).slice(3)).toEqual(chat.map((record) => record.requestId));
    const [header, ...rows] = parseCsv(await csv.text());
    const kind = header?.indexOf('kind') ?? -1;
    expect(kind).toBeGreaterThan(0);
    expect(rows.map((row) => row[kind])).toEqual(embeddings.map(() => 'embeddings'));
    expectApiError(await stack.api('/api/logs?kind=images', { as: alice }), 400, 'invalid_request');
  });

  it('rejects bad ranges, filters and cursors with 400', async ({ stack }) => {
    expectApiError(await stack.api('/api/logs?status=4x', { as: alice }), 400, 'invalid_request');
    expectApiError(
      await stack.api('/api/logs?range=custom', { as: alice }),
      400,
      'invalid_request',
    );
    expectApiError(
      await stack.api('/api/logs?from=2026-01-01T00:00:00Z', { as: alice }),
      400,
      'invalid_request',
    );
    expectApiError(
      await stack.api('/api/logs?cursor=forged.cursor', { as: alice }),
      400,
      'invalid_request',
    );
    const first = (await stack.api('/api/logs', { as: alice })).json;
    expectApiError(
      await stack.api(
        `/api/logs?model=gpt-4o-mini&cursor=${encodeURIComponent(first.nextCursor)}`,
        {
          as: alice,
        },
      ),
      400,
      'invalid_request',
    );
  });

  it('supports custom ranges', async ({ stack }) => {
    const newest = live[0];
    const from = new Date(Date.parse(newest?.at ?? '') - 1).toISOString();
    const to = new Date(Date.parse(newest?.at ?? '') + 1).toISOString();
    const answer = await stack.api(`/api/logs?range=custom&from=${from}&to=${to}`, { as: alice });
    expect(answer.json.rows.map((row: { requestId: string }) => row.requestId)).toEqual([
      newest?.requestId,
    ]);
    expect(answer.json.range).toEqual({ range: 'custom', from, to });
  });

  it('never returns expired records', async ({ stack }) => {
    const rows = (await listAll(stack, '')).flatMap((page) => page.rows);
    expect(rows.map((row: { requestId: string }) => row.requestId)).not.toContain(
      expired.requestId,
    );
    expectApiError(
      await stack.api(`/api/logs/${expired.requestId}`, { as: alice }),
      404,
      'not_found',
    );
  });
});

describe('GET /api/logs/{requestId}', () => {
  it('shows the provider error of the 400 request', async ({ stack }) => {
    const answer = await stack.api(`/api/logs/${failedRequestId}`, { as: alice });

    expectResponseOf('getLog', answer);
    expect(answer.json).toMatchObject({
      requestId: failedRequestId,
      status: 400,
      provider: 'openai',
      errorSource: 'provider',
      errorMessage: 'Invalid value for temperature',
      mode: 'stored',
    });
  });
});

describe('tenant isolation', () => {
  it("gives Bob nothing of Alice's: no rows, no detail, no use of her cursor", async ({
    stack,
  }) => {
    const first = (await stack.api('/api/logs', { as: alice })).json;

    expect((await stack.api('/api/logs', { as: bob })).json).toMatchObject({
      rows: [],
      totalCount: 0,
    });
    expectApiError(await stack.api(`/api/logs/${failedRequestId}`, { as: bob }), 404, 'not_found');
    expectApiError(
      await stack.api(`/api/logs?cursor=${encodeURIComponent(first.nextCursor)}`, { as: bob }),
      400,
      'invalid_request',
    );
    const csv = await fetch(`${stack.metrion.url}/api/logs/export.csv`, {
      headers: { authorization: `Bearer ${bob.idToken}` },
    });
    expect(await csv.text()).toBe(`${LOGS_CSV_COLUMNS.join(',')}\r\n`);
  });

  it('answers 401 without a token', async ({ stack }) => {
    expectApiError(await stack.api('/api/logs'), 401, 'unauthorized');
    const csv = await fetch(`${stack.metrion.url}/api/logs/export.csv`);
    expect(csv.status).toBe(401);
    expect(await csv.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });
});

describe('GET /api/logs/export.csv', () => {
  it('streams the filtered set as RFC 4180 CSV with exact costs and the injection guard', async ({
    stack,
  }) => {
    // Act
    const response = await fetch(
      `${stack.metrion.url}/api/logs/export.csv?provider=openai&provider=mistral`,
      { headers: { authorization: `Bearer ${alice.idToken}` } },
    );

    // Assert
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="metrion-logs-/,
    );
    const text = await response.text();
    expect(text.endsWith('\r\n')).toBe(true);
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual([...LOGS_CSV_COLUMNS]);
    const column = (name: (typeof LOGS_CSV_COLUMNS)[number]) => LOGS_CSV_COLUMNS.indexOf(name);
    const expected = live.filter((record) => record.provider !== 'anthropic');
    expect(rows.slice(3).map((row) => row[column('request_id')])).toEqual(
      expected.map((record) => record.requestId),
    );
    expect(rows).toHaveLength(expected.length + 3);
    for (const record of expected) {
      const row = rows.find((candidate) => candidate[column('request_id')] === record.requestId);
      expect(row?.[column('cost_usd')]).toBe(decimalUsd(record.costPicoUsd));
      expect(row?.[column('requester')]).toBe(
        record.requester === undefined
          ? ''
          : record.requester.startsWith('=')
            ? `'${record.requester}`
            : record.requester,
      );
    }
    expect(rows.some((row) => row[column('requester')] === `'=HYPERLINK("x")`)).toBe(true);
    const failed = rows.find((row) => row[column('request_id')] === failedRequestId);
    expect(failed?.[column('error_message')]).toBe('Invalid value for temperature');
  });

  it('answers other methods with a JSON 405 and Allow: GET', async ({ stack }) => {
    const response = await fetch(`${stack.metrion.url}/api/logs/export.csv`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.idToken}` },
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
    expect(await response.json()).toMatchObject({ error: { code: 'method_not_allowed' } });
  });

  it('rejects bad filters before streaming', async ({ stack }) => {
    const response = await fetch(`${stack.metrion.url}/api/logs/export.csv?status=abc`, {
      headers: { authorization: `Bearer ${alice.idToken}` },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_request' } });
  });
});

describe("costs in the account's currency", () => {
  it('converts rows, detail and CSV with the rate each response names', async ({ stack }) => {
    // Arrange: Alice shows costs in CHF; the stack has no stored rates, so the shipped ones apply
    await stack.api('/api/settings/general', {
      method: 'PATCH',
      as: alice,
      body: { currency: 'CHF' },
    });
    // Expectations computed here, not by the conversion under test: CHF per USD is the quote's
    // CHF/EUR over USD/EUR as an exact fraction, rounded half to even once.
    // The shipped rates, written out: ECB reference rates of 20 November 2026.
    const usdPerEur = exactDecimal('1.1523');
    const chfPerEur = exactDecimal('0.9318');
    const [rateNumerator, rateDenominator] = [
      chfPerEur.numerator * usdPerEur.denominator,
      chfPerEur.denominator * usdPerEur.numerator,
    ];
    const chf = (picoUsd: bigint | null) =>
      picoUsd === null
        ? null
        : withDecimals(halfEven(picoUsd * rateNumerator, rateDenominator * 10n ** 6n), 6);
    const fx = {
      currency: 'CHF',
      rate: withDecimals(halfEven(rateNumerator * 10n ** 8n, rateDenominator), 8),
      rateDate: '2026-11-20',
      source: 'fallback',
    };
    try {
      // Act
      const pages = await listAll(stack, '');
      const priced = live.find((record) => record.costPicoUsd !== null);
      const detail = await stack.api(`/api/logs/${priced?.requestId}`, { as: alice });
      const csv = await fetch(`${stack.metrion.url}/api/logs/export.csv`, {
        headers: { authorization: `Bearer ${alice.idToken}` },
      });

      // Assert
      // Every row's converted cost follows from its exact USD (the proxied rows included).
      const rows: { requestId: string; costUsd: string | null; cost: string | null }[] =
        pages.flatMap((page) => page.rows);
      expect(rows).toHaveLength(live.length + 3);
      expect(pages.map((page) => page.fx)).toEqual(pages.map(() => fx));
      expect(rows.map((row) => row.cost)).toEqual(rows.map((row) => chf(picoUsdOf(row.costUsd))));
      expect(rows.filter((row) => row.cost === null).length).toBeGreaterThan(0);
      expect(detail.json).toMatchObject({ fx, cost: chf(priced?.costPicoUsd ?? null) });
      const [header = [], ...lines] = parseCsv(await csv.text());
      const cell = (line: string[], name: (typeof LOGS_CSV_COLUMNS)[number]) =>
        line[header.indexOf(name)];
      expect(lines.map((line) => cell(line, 'request_id'))).toEqual(
        rows.map((row) => row.requestId),
      );
      expect(lines.map((line) => cell(line, 'cost'))).toEqual(rows.map((row) => row.cost ?? ''));
      for (const line of lines) {
        expect([cell(line, 'currency'), cell(line, 'fx_rate'), cell(line, 'fx_rate_date')]).toEqual(
          ['CHF', fx.rate, fx.rateDate],
        );
      }
    } finally {
      await stack.api('/api/settings/general', {
        method: 'PATCH',
        as: alice,
        body: { currency: 'USD' },
      });
    }
  });
});
