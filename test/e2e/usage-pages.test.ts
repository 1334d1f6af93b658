// Dashboard and Logs in real Chromium: traffic through the proxy with the official openai SDK
// (successes of three models and one provider error), then the numbers on the Dashboard, the rows
// in Logs, the error detail, a two-model filter on both pages, EUR costs in Logs, its detail and
// the CSV export. Expected figures are computed from the traffic sent (price table, reported
// tokens, the shipped fallback rate), never copied from the pages.
import { readFile } from 'node:fs/promises';
import OpenAI from 'openai';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGS_CSV_COLUMNS } from '#contracts/logs-api.ts';
import { formatEstimatedNote, formatMoneyDecimal } from '../../frontend/src/lib/format.ts';
import { parseCsv } from '../fixtures/csv.ts';
import { FAKE_OPENAI_API_KEY } from '../fixtures/fake-openai-server.ts';
import {
  ARTIFACTS_DIR,
  type DashboardStack,
  startDashboardStack,
} from './support/dashboard-stack.ts';
import {
  eur6,
  eurRate4,
  eurRate8,
  FALLBACK_RATE_DATE,
  picoFromDecimal,
  picoUsdOf,
  usd6,
} from './support/expected-money.ts';

const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 200 });

let stack: DashboardStack;
let page: Page;

beforeAll(async () => {
  stack = await startDashboardStack();
  page = stack.page;
});

afterAll(async () => {
  await stack?.close();
});

/** Successful requests: token counts large enough that EUR and USD differ at 6 decimals. */
const SUCCESSES = [
  { model: 'gpt-4o-mini', tokens: { inputTokens: 120_000, outputTokens: 40_000 } },
  { model: 'gpt-4o-mini', tokens: { inputTokens: 90_000, outputTokens: 15_000 } },
  { model: 'gpt-4o', tokens: { inputTokens: 60_000, outputTokens: 25_000 } },
  { model: 'gpt-4.1-mini', tokens: { inputTokens: 30_000, outputTokens: 10_000 } },
] as const;

/** One request as sent and as Metrion should have recorded it. */
interface Sent {
  readonly requestId: string;
  /** As the provider reported it (a dated id), which is what Logs and filters show. */
  readonly model: string;
  readonly status: number;
  readonly picoUsd: bigint;
}

const sum = (values: readonly bigint[]) => values.reduce((total, value) => total + value, 0n);

async function logRowIds(): Promise<string[]> {
  const ids = await page
    .locator('[data-log-row]')
    .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-request-id') ?? ''));
  return ids.sort();
}

describe('dashboard and logs', () => {
  it('shows proxied traffic on every tab, in Logs, filtered by two models, in EUR and as CSV', async () => {
    await page.goto('/sign-up');
    await page.getByLabel('Email').fill('grace@example.com');
    await page.getByLabel('Password').fill('Corr3ct-Horse-Battery!');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/integrate');
    await poll(() => page.locator('#metrion-key').textContent()).toMatch(/^sk-metrion-/);
    const metrionKey = (await page.locator('#metrion-key').textContent()) ?? '';

    // Arrange: traffic through the proxy, remembering what each request should cost.
    const openai = new OpenAI({
      baseURL: stack.metrion.proxyBaseUrls.openai,
      apiKey: FAKE_OPENAI_API_KEY,
      defaultHeaders: { 'x-metrion-token': metrionKey },
      maxRetries: 0,
    });
    const sent: Sent[] = [];
    for (const { model, tokens } of SUCCESSES) {
      stack.openai.setScenario({ kind: 'ok', tokens });
      const { data, response } = await openai.chat.completions
        .create({ model, messages: [{ role: 'user', content: 'hi' }] })
        .withResponse();
      sent.push({
        requestId: response.headers.get('x-metrion-request-id') ?? '',
        model: data.model,
        status: 200,
        picoUsd: picoUsdOf(model, tokens),
      });
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

    // Dashboard: every request, every tab.
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.waitForURL('**/dashboard');
    const cardValue = (testId: string) =>
      page.getByTestId(testId).locator('[data-value]').textContent();
    await poll(async () => {
      await page.reload();
      await page.getByTestId('card-requests').locator('[data-value]').waitFor();
      return cardValue('card-requests');
    }).toBe(String(sent.length + 1));
    expect(await cardValue('card-errors')).toBe('1');
    expect(await page.locator('[data-fx]').textContent()).toContain('USD');
    await stack.screenshotBothWidths('20-dashboard-overview');
    for (const tab of ['Costs', 'Tokens', 'Latency', 'Errors']) {
      await page.getByRole('tab', { name: tab }).click();
      await page.locator('#dashboard-panel .dash-card').first().waitFor();
      if (tab === 'Costs') {
        // The month-end projection waits for whole days of history; this account is minutes old.
        expect(await page.getByTestId('card-month-forecast').textContent()).toContain(
          'Needs 3 whole days of history; this account has 0.',
        );
      }
      await stack.screenshotBothWidths(`21-dashboard-${tab.toLowerCase()}`);
    }
    expect(await page.getByTestId('recent-errors').textContent()).toContain(
      'Invalid value for temperature',
    );

    // Logs: one row per request, the error's detail.
    await page.getByRole('link', { name: 'Logs' }).click();
    await page.waitForURL('**/logs');
    await poll(() => page.locator('[data-log-row]').count()).toBe(sent.length + 1);
    expect(await page.locator('[data-total-count]').getAttribute('data-total-count')).toBe(
      String(sent.length + 1),
    );
    await stack.screenshotBothWidths('30-logs');
    await page.locator('[data-log-row][data-status="400"]').getByRole('button').click();
    await poll(() => page.locator('[data-error-message]').textContent()).toContain(
      'Invalid value for temperature',
    );
    await stack.screenshotBothWidths('31-logs-detail');
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

    // Two models in the model filter: gpt-4o-mini's and gpt-4o's dated ids. Left out: gpt-4.1-mini
    // and the failed request, recorded under the requested `gpt-4o-mini` (a prefix of a chosen id).
    const chosenModels = [...new Set(sent.slice(0, 3).map((request) => request.model))];
    expect(chosenModels).toHaveLength(2);
    const chosen = sent.filter((request) => chosenModels.includes(request.model));
    const chosenIds = chosen.map((request) => request.requestId).sort();
    // By keyboard: Enter opens the menu on its first option, Space ticks, Escape closes.
    await page.getByRole('button', { name: 'Model', exact: true }).focus();
    await page.keyboard.press('Enter');
    await poll(() => page.evaluate(() => document.activeElement?.getAttribute('type'))).toBe(
      'checkbox',
    );
    for (const model of chosenModels) {
      await page.getByRole('checkbox', { name: model, exact: true }).focus();
      await page.keyboard.press('Space');
    }
    await poll(() => page.getByRole('checkbox', { checked: true }).count()).toBe(2);
    await stack.screenshot('34-logs-model-filter');
    await page.keyboard.press('Escape');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Model (2)');
    expect(await page.getByRole('checkbox').count()).toBe(0);
    await poll(logRowIds).toEqual(chosenIds);
    await poll(() => page.locator('[data-total-count]').getAttribute('data-total-count')).toBe(
      String(chosen.length),
    );
    expect(new URL(page.url()).searchParams.getAll('model').sort()).toEqual(
      [...chosenModels].sort(),
    );
    // A reload keeps both models.
    await page.reload();
    await poll(logRowIds).toEqual(chosenIds);
    for (const request of chosen) {
      const row = page.locator(`[data-request-id="${request.requestId}"]`);
      expect(await row.locator('[data-cost]').getAttribute('data-cost')).toBe(
        usd6(request.picoUsd),
      );
    }

    // The Dashboard link carries the filter: its numbers cover both models and nothing else.
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.waitForURL('**/dashboard?**');
    await poll(() => cardValue('card-requests')).toBe(String(chosen.length));
    expect(await cardValue('card-errors')).toBe('0');
    const chosenPicoUsd = sum(chosen.map((request) => request.picoUsd));
    expect(await cardValue('card-cost')).toBe(
      formatMoneyDecimal(usd6(chosenPicoUsd), 'USD', 'en-US'),
    );
    await page.getByRole('button', { name: 'Model (2)' }).waitFor();

    // EUR: the account's currency from now on.
    const filtered = new URL(page.url()).search;
    await page.goto('/settings');
    await page.getByLabel('Euro (EUR)').check();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Settings saved.').waitFor();
    await page.goto(`/dashboard${filtered}`);
    await poll(() => page.locator('[data-fx]').textContent()).toContain('EUR');
    expect(await cardValue('card-cost')).toBe(
      formatMoneyDecimal(eur6(chosenPicoUsd), 'EUR', 'en-US'),
    );
    await stack.screenshotBothWidths('22-dashboard-eur');

    // Logs in EUR: each row's cost converted at the fallback rate, the rate named below.
    await page.getByRole('link', { name: 'Logs' }).click();
    await page.waitForURL('**/logs?**');
    await poll(logRowIds).toEqual(chosenIds);
    const fxNote = (await page.locator('[data-fx]').textContent()) ?? '';
    expect(fxNote).toContain(`1 USD = ${eurRate4()} EUR`);
    expect(fxNote).toContain(FALLBACK_RATE_DATE);
    expect(await page.getByRole('columnheader', { name: 'Cost (EUR)' }).count()).toBe(1);
    for (const request of chosen) {
      const cost = page.locator(`[data-request-id="${request.requestId}"] [data-cost]`);
      expect(await cost.getAttribute('data-cost')).toBe(eur6(request.picoUsd));
      expect(await cost.textContent()).toBe(
        formatMoneyDecimal(eur6(request.picoUsd), 'EUR', 'en-US'),
      );
    }
    await stack.screenshotBothWidths('32-logs-eur');
    // The detail: EUR, the exact USD and the rate.
    const [first] = chosen;
    await page.locator(`[data-request-id="${first?.requestId}"]`).getByRole('button').click();
    const exactUsd = page.getByRole('dialog').locator('[data-cost-usd]');
    await exactUsd.waitFor();
    expect(picoFromDecimal((await exactUsd.getAttribute('data-cost-usd')) ?? '')).toBe(
      first?.picoUsd,
    );
    const detail = (await page.getByRole('dialog').textContent()) ?? '';
    expect(detail).toContain(formatMoneyDecimal(eur6(first?.picoUsd ?? 0n), 'EUR', 'en-US'));
    expect(detail).toContain(`1 USD = ${eurRate4()} EUR`);
    await stack.screenshotBothWidths('33-logs-detail-eur');
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

    // The CSV export: the filtered requests with cost and currency in EUR.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    const [header, ...lines] = parseCsv(await readFile((await download.path()) ?? '', 'utf8'));
    expect(header).toEqual([...LOGS_CSV_COLUMNS]);
    const cell = (line: readonly string[], column: (typeof LOGS_CSV_COLUMNS)[number]) =>
      line[LOGS_CSV_COLUMNS.indexOf(column)];
    expect(lines.map((line) => cell(line, 'request_id')).sort()).toEqual(chosenIds);
    for (const line of lines) {
      const request = chosen.find((item) => item.requestId === cell(line, 'request_id'));
      expect(cell(line, 'model')).toBe(request?.model);
      expect(cell(line, 'currency')).toBe('EUR');
      expect(cell(line, 'cost')).toBe(eur6(request?.picoUsd ?? -1n));
      expect(picoFromDecimal(cell(line, 'cost_usd') ?? '')).toBe(request?.picoUsd);
      expect(cell(line, 'fx_rate')).toBe(eurRate8());
      expect(cell(line, 'fx_rate_date')).toBe(FALLBACK_RATE_DATE);
    }
    expect(stack.browserErrors).toEqual([]);
  }, 180_000);

  it('marks a stream the client dropped as estimated: Overview share, Logs badge and detail', async () => {
    // Arrange: the signed-in account above; a stream aborted after its first piece of text.
    await page.goto('/integrate');
    await poll(() => page.locator('#metrion-key').textContent()).toMatch(/^sk-metrion-/);
    const openai = new OpenAI({
      baseURL: stack.metrion.proxyBaseUrls.openai,
      apiKey: FAKE_OPENAI_API_KEY,
      defaultHeaders: {
        'x-metrion-token': (await page.locator('#metrion-key').textContent()) ?? '',
      },
      maxRetries: 0,
    });
    stack.openai.setScenario({
      kind: 'ok',
      chunkDelayMs: 150,
      pieces: Array.from({ length: 20 }, (_, i) => ` piece number ${i}`),
      tokens: { inputTokens: 40, outputTokens: 60 },
    });
    const { data: stream, response } = await openai.chat.completions
      .create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Count slowly' }],
        stream: true,
      })
      .withResponse();
    const requestId = response.headers.get('x-metrion-request-id') ?? '';
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) {
        stream.controller.abort();
        break;
      }
    }
    stack.openai.setScenario({ kind: 'ok' });

    // Overview: one estimated request of all of them, with its share.
    await page.goto('/dashboard');
    const note = page.getByTestId('estimated-note');
    await poll(async () => {
      await page.reload();
      await page.getByTestId('card-requests').locator('[data-value]').waitFor();
      return note.count();
    }).toBe(1);
    const total = Number(
      await page.getByTestId('card-requests').locator('[data-value]').textContent(),
    );
    expect(await note.textContent()).toBe(
      formatEstimatedNote({ count: 1, share: 1 / total }, 'en-US'),
    );
    await stack.screenshot('23-dashboard-estimated');

    // Logs: the row has the Estimated badge, the others not; the detail explains it.
    await page.goto('/logs');
    const row = page.locator(`[data-request-id="${requestId}"]`);
    await poll(() => row.locator('[data-estimated]').count()).toBe(1);
    expect(await page.locator('[data-log-row] [data-estimated]').count()).toBe(1);
    await row.getByRole('button').click();
    await poll(() => page.getByRole('dialog').locator('[data-estimated-note]').count()).toBe(1);
    expect(await page.getByRole('dialog').textContent()).toContain('Estimated');
    await stack.screenshot('35-logs-estimated');
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    expect(stack.browserErrors).toEqual([]);
  }, 60_000);

  it('filters Logs and the Dashboard by kind, kept in the address and on reload', async () => {
    // Arrange: one embeddings request next to the chat completions above (pass-through mode).
    await page.goto('/integrate');
    await poll(() => page.locator('#metrion-key').textContent()).toMatch(/^sk-metrion-/);
    const openai = new OpenAI({
      baseURL: stack.metrion.proxyBaseUrls.openai,
      apiKey: FAKE_OPENAI_API_KEY,
      defaultHeaders: {
        'x-metrion-token': (await page.locator('#metrion-key').textContent()) ?? '',
      },
      maxRetries: 0,
    });
    const { response } = await openai.embeddings
      .create({ model: 'text-embedding-3-small', input: 'kinds' })
      .withResponse();
    const requestId = response.headers.get('x-metrion-request-id') ?? '';
    await page.goto('/logs');
    await poll(async () => {
      await page.reload();
      await page.locator('[data-log-row]').first().waitFor();
      return page.locator(`[data-request-id="${requestId}"]`).count();
    }).toBe(1);
    expect(await page.locator('[data-log-row]').count()).toBeGreaterThan(1);

    // The Kind menu lists the kinds the rollups have seen, which land after the record.
    await poll(async () => {
      await page.reload();
      await page.getByRole('button', { name: 'Kind', exact: true }).click();
      return page.getByRole('checkbox', { name: 'Embeddings', exact: true }).count();
    }).toBe(1);

    // Act: tick Embeddings in the Kind menu.
    await page.getByRole('checkbox', { name: 'Embeddings', exact: true }).check();
    await page.keyboard.press('Escape');

    // Assert: only that request, in the address, after a reload and on the Dashboard.
    await poll(logRowIds).toEqual([requestId]);
    expect(new URL(page.url()).searchParams.getAll('kind')).toEqual(['embeddings']);
    await stack.screenshot('36-logs-kind-filter');
    await page.reload();
    await poll(logRowIds).toEqual([requestId]);
    await page.getByRole('button', { name: 'Kind (1)' }).waitFor();
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.waitForURL('**/dashboard?kind=embeddings');
    const requests = page.getByTestId('card-requests').locator('[data-value]');
    await poll(() => requests.textContent()).toBe('1');
    expect(stack.browserErrors).toEqual([]);
  }, 60_000);
});

/** Every element naming a series in `scope`, as series name -> the colours it was drawn in. */
async function seriesColors(scope: string): Promise<Map<string, Set<string>>> {
  const pairs = await page
    .locator(`${scope} [data-series][data-color]`)
    .evaluateAll((elements) =>
      elements.map((element) => [
        element.getAttribute('data-series') ?? '',
        element.getAttribute('data-color') ?? '',
      ]),
    );
  const colors = new Map<string, Set<string>>();
  for (const [series = '', color = ''] of pairs) {
    colors.set(series, new Set([...(colors.get(series) ?? []), color]));
  }
  return colors;
}

describe('a busy account on a laptop screen', () => {
  it('shows 15+ one-line Logs rows at 1280x800, and one colour per model in every card and filter', async () => {
    // Arrange: 20 more requests of 4 models, half of them labelled with a requester (the widest
    // Logs table: its Requester column appears).
    await page.goto('/integrate');
    await poll(() => page.locator('#metrion-key').textContent()).toMatch(/^sk-metrion-/);
    const metrionKey = (await page.locator('#metrion-key').textContent()) ?? '';
    const models = ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini', 'gpt-4.1-nano'];
    for (let index = 0; index < 20; index += 1) {
      const openai = new OpenAI({
        baseURL: stack.metrion.proxyBaseUrls.openai,
        apiKey: FAKE_OPENAI_API_KEY,
        defaultHeaders: {
          'x-metrion-token': metrionKey,
          ...(index % 2 === 0 ? { 'x-metrion-user': 'checkout-assistant' } : {}),
        },
        maxRetries: 0,
      });
      stack.openai.setScenario({
        kind: 'ok',
        tokens: { inputTokens: 1_000 + index, outputTokens: 200, cacheReadTokens: 300 },
      });
      await openai.chat.completions.create({
        model: models[index % models.length] ?? 'gpt-4o-mini',
        messages: [{ role: 'user', content: `request ${index}` }],
      });
    }
    stack.openai.setScenario({ kind: 'ok' });

    // Act: Logs on a 1280x800 screen.
    await page.goto('/logs');
    await poll(async () => {
      await page.reload();
      await page.locator('[data-log-row]').first().waitFor();
      return page.locator('[data-log-row]').count();
    }).toBeGreaterThanOrEqual(25);
    expect(page.viewportSize()).toEqual({ width: 1280, height: 800 });
    await page.screenshot({ path: `${ARTIFACTS_DIR}/37-logs-busy-1280x800.png` });

    // Assert: at least 15 whole rows above the fold, each one line high.
    const rows = await page
      .locator('[data-log-row]')
      .evaluateAll((elements) =>
        elements.map((element) => element.getBoundingClientRect().toJSON() as DOMRect),
      );
    const visible = rows.filter((row) => row.top >= 0 && row.bottom <= 800);
    expect(visible.length, 'Logs rows fully visible at 1280x800').toBeGreaterThanOrEqual(15);
    const lineHeights = await page
      .locator('[data-log-row] .series-name, [data-log-row] time')
      .evaluateAll((elements) => elements.map((element) => element.getBoundingClientRect().height));
    expect(Math.max(...lineHeights), 'model names and times stay on one line').toBeLessThan(24);
    expect(Math.max(...rows.map((row) => row.height))).toBeLessThan(36);
    expect(await page.getByRole('columnheader', { name: 'Kind' }).count()).toBe(1);
    expect(await page.getByRole('columnheader', { name: 'Requester' }).count()).toBe(1);

    // Colours: the Overview's cards, the Costs legend and the Tokens table agree on each model.
    await page.goto('/dashboard');
    await page.getByTestId('card-requests-by-model').locator('[data-series]').first().waitFor();
    const overview = await seriesColors('#dashboard-panel');
    const inCostChart = await seriesColors('[data-testid="card-cost-by-model"]');
    const inBars = await seriesColors('[data-testid="card-requests-by-model"]');
    expect(inBars.size).toBeGreaterThanOrEqual(4);
    for (const [model, colors] of inBars) {
      expect(overview.get(model)?.size, `${model} has one colour on the Overview`).toBe(1);
      expect(inCostChart.get(model), `${model} in Cost by model`).toEqual(colors);
    }
    await stack.screenshotBothWidths('24-dashboard-busy');
    await page.getByRole('tab', { name: 'Tokens' }).click();
    await page.getByTestId('tokens-by-model').locator('[data-series]').first().waitFor();
    const inTokens = await seriesColors('[data-testid="tokens-by-model"]');
    for (const [model, colors] of inBars) expect(inTokens.get(model)).toEqual(colors);
    await stack.screenshotBothWidths('25-dashboard-tokens-busy');

    // A filter to one model keeps its colour (it is not re-coloured as the first series).
    const [lastModel, lastColors] = [...inBars].at(-1) ?? ['', new Set<string>()];
    await page.goto(`/dashboard?model=${encodeURIComponent(lastModel)}`);
    await page.getByTestId('card-requests-by-model').locator('[data-series]').first().waitFor();
    const filtered = await seriesColors('[data-testid="card-requests-by-model"]');
    expect(filtered).toEqual(new Map([[lastModel, lastColors]]));
    expect((await seriesColors('#dashboard-panel')).get(lastModel)).toEqual(lastColors);
    expect(stack.browserErrors).toEqual([]);
  }, 120_000);
});
