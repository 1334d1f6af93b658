// The daily price refresh against the running local stack: a model the maintained data adds is
// priced by the proxy without a restart, refused data keeps the version in use, and the proxy's
// look for a new version never delays a request. The data comes from a local fake.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_PRICE_VERSION } from '#core/pricing/bundled-prices.ts';
import { runAdminCommand } from '#local/admin-commands.ts';
import { packagePriceData } from '../../../scripts/generate-prices.ts';
import { type FakePriceData, startFakePriceData } from '../../fixtures/fake-price-data-server.ts';
import { readUntil } from '../../fixtures/read-until.ts';
import { type ProxyStack, startProxyStack, storedOpenAi } from '../support/proxy-stack.ts';

/** How often the proxy looks for a new version here (5 minutes in AWS and `npm start`). */
const CHECK_INTERVAL_MS = 100;

/** The package's data plus a model released after it, as the maintained file has it. */
function dataWith(models: readonly unknown[]): unknown[] {
  return (packagePriceData() as { id: string; models: unknown[] }[]).map((provider) =>
    provider.id === 'openai' ? { ...provider, models: [...models, ...provider.models] } : provider,
  );
}
const GPT_9 = {
  id: 'gpt-9-turbo',
  match: { starts_with: 'gpt-9-turbo' },
  // $2 input, $0.20 cached input, $8 output per MTok.
  prices: { input_mtok: 2, cache_read_mtok: 0.2, output_mtok: 8 },
};

let stack: ProxyStack;
let prices: FakePriceData;

beforeAll(async () => {
  prices = await startFakePriceData(packagePriceData());
  stack = await startProxyStack({ pricesUrl: prices.url, priceCheckIntervalMs: CHECK_INTERVAL_MS });
});
afterAll(async () => {
  await stack?.close();
  await prices?.close();
});

/** One gpt-9-turbo completion: its cost header and request id. */
async function askGpt9(): Promise<{ cost: string | null; requestId: string | null }> {
  const { response } = await storedOpenAi(stack)
    .chat.completions.create({
      model: 'gpt-9-turbo',
      messages: [{ role: 'user', content: 'hi' }],
    })
    .withResponse();
  return {
    cost: response.headers.get('x-metrion-cost-usd'),
    requestId: response.headers.get('x-metrion-request-id'),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Asks until an answer is priced: the first request after the interval starts the check. */
async function askUntilPriced(): Promise<{ cost: string | null; requestId: string | null }> {
  const answer = await readUntil(
    askGpt9,
    (asked) => asked.cost !== 'unpriced',
    CHECK_INTERVAL_MS / 2,
  );
  if (answer.cost === 'unpriced') throw new Error('the proxy never priced gpt-9-turbo');
  return answer;
}

describe('the daily price refresh', () => {
  it('prices a model the maintained data adds, without a restart; old records keep their version', async () => {
    // Arrange: the model is unknown to the bundled table.
    const unknown = await askGpt9();
    expect(unknown.cost).toBe('unpriced');

    // Act: the maintained data now has it, and the daily job runs.
    prices.respond({ body: dataWith([GPT_9]) });
    const report = await stack.metrion.jobs.refreshPrices();

    // Assert: 12 input x $2 + 6 output x $8 per MTok (the fake's default usage) = $0.000072.
    expect(report).toMatchObject({ status: 'stored' });
    const priced = await askUntilPriced();
    expect(priced.cost).toBe('0.000072');
    const record = await stack.recordFor(priced.requestId);
    expect(record).toMatchObject({ costPicoUsd: 72_000_000n });
    expect(record.priceVersion).toBe(
      `${report.dataVersion}${BUNDLED_PRICE_VERSION.slice(BUNDLED_PRICE_VERSION.indexOf('+'))}`,
    );
    expect(await stack.recordFor(unknown.requestId)).toMatchObject({
      costPicoUsd: null,
      priceVersion: BUNDLED_PRICE_VERSION,
    });

    // The operator re-prices the day's unpriced records once the price is there.
    const output = await runAdminCommand(stack.metrion.data, {
      command: 'reprice',
      options: { since: new Date(Date.now() - 10 * 60_000).toISOString(), only: 'unpriced' },
      readStdin: async () => '',
    });
    expect(output).toMatch(/^Re-priced \d+ of \d+ unpriced records/);
    expect(await stack.recordFor(unknown.requestId)).toMatchObject({
      costPicoUsd: 72_000_000n,
      priceVersion: record.priceVersion,
    });
  });

  it('keeps the version in use when the data has fewer models or cannot be fetched', async () => {
    const inUse = (await stack.recordFor((await askUntilPriced()).requestId)).priceVersion;

    prices.respond({ body: packagePriceData() });
    expect(await stack.metrion.jobs.refreshPrices()).toMatchObject({
      status: 'kept',
      reason: expect.stringMatching(/^openai: \d+ models before, \d+ now$/),
    });
    prices.respond({ status: 503, body: 'upstream unavailable' });
    await expect(stack.metrion.jobs.refreshPrices()).rejects.toThrow(/could not be fetched/);

    await sleep(2 * CHECK_INTERVAL_MS);
    await askGpt9();
    const after = await askGpt9();
    expect(after.cost).toBe('0.000072');
    expect((await stack.recordFor(after.requestId)).priceVersion).toBe(inUse);
  });

  it('looks for a new version only after the provider answered, never before', async () => {
    // Arrange: count DynamoDB commands by the upstream requests seen when each was sent.
    const commands: { name: string; table: unknown; upstreamBefore: number }[] = [];
    stack.metrion.data.documentClient.middlewareStack.add(
      (next, context) => (args) => {
        commands.push({
          name: String(context.commandName),
          table: (args.input as { TableName?: unknown }).TableName,
          upstreamBefore: stack.openai.requests.length,
        });
        return next(args);
      },
      { step: 'initialize', name: 'countPriceReadsForTest' },
    );
    await sleep(2 * CHECK_INTERVAL_MS);
    const upstreamBefore = stack.openai.requests.length;

    // Act: the interval has passed, so this request starts a look.
    await askGpt9();
    await sleep(CHECK_INTERVAL_MS / 2);

    // Assert
    const priceReads = commands.filter((c) => c.table === stack.metrion.data.pricesTable);
    expect(priceReads.length).toBeGreaterThan(0);
    expect(priceReads.every((c) => c.upstreamBefore > upstreamBefore)).toBe(true);
  });
});
