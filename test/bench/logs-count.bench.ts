// `npm run bench` (fourth part): the Logs page's total count, raw vs rollup-backed.
// Seeds one account with raw usage records over three days through the real DynamoUsageStore
// (in-process dynalite), seals them with the real seal job, then times, side by side, the exact
// count the Logs API used to make (every record of the window read with Select: COUNT) and
// countMatchingLogs (sealed rollups stand in for their records; only the window's edges and
// unsealed hours are read raw). Both must give the same number.

import { performance } from 'node:perf_hooks';
import { DynamoRollupStore } from '#adapters/dynamodb/dynamo-rollup-store.ts';
import { DynamoUsageLogReader } from '#adapters/dynamodb/dynamo-usage-log-reader.ts';
import { DynamoUsageStore } from '#adapters/dynamodb/dynamo-usage-store.ts';
import { countMatchingLogs } from '#core/logs/log-count.ts';
import { toLogFilter } from '#core/logs/log-query.ts';
import type { UsageLogQuery } from '#core/ports/usage-log-reader.ts';
import type { ProviderId } from '#core/providers/provider-registry.ts';
import { DAY_MS, HOUR_MS } from '#core/rollups/buckets.ts';
import { sealRollups } from '#core/rollups/seal-rollups.ts';
import { startDynaliteFixture } from '../fixtures/dynalite.ts';
import { prng } from '../fixtures/prng.ts';
import { SILENT_LOGGER } from '../fixtures/silent-logger.ts';
import { usageRecord } from '../fixtures/usage-record.ts';
import { summarize } from './support/percentiles.ts';

const ACCOUNT = 'bench-logs';
const HOURS = 72;
const RECORDS = 30_000;
const WRITERS = 16;
/** The traffic ends on an hour boundary; "now" is 25 minutes later, so every hour is sealable. */
const END_MS = Date.parse('2026-11-24T12:00:00.000Z');
const NOW_MS = END_MS + 25 * 60_000;
const MODELS: readonly [ProviderId, string][] = [
  ['openai', 'gpt-4o-mini'],
  ['openai', 'gpt-4o'],
  ['anthropic', 'claude-haiku-4-5'],
  ['gemini', 'gemini-2.5-flash'],
];

const fixture = await startDynaliteFixture();
const { documentClient, tableNames: tables } = fixture;
const clock = { nowMs: () => NOW_MS };
const options = { client: documentClient, tableName: tables.usage, clock };
const usage = new DynamoUsageStore(options);
const rollups = new DynamoRollupStore(options);
const reader = new DynamoUsageLogReader(options);

// Arrange: raw records, then the seal job turns every hour into sealed rollups.
const seedStart = performance.now();
const random = prng(7);
const keep = { expiresAtEpochSeconds: NOW_MS / 1000 + 30 * 86_400 };
let next = 0;
async function writer(): Promise<void> {
  for (let index = next++; index < RECORDS; index = next++) {
    const [provider, model] = MODELS[Math.floor(random() * MODELS.length)] as [ProviderId, string];
    const record = usageRecord({
      accountId: ACCOUNT,
      at: new Date(END_MS - Math.floor(random() * HOURS * HOUR_MS)).toISOString(),
      provider,
      model,
      status: random() < 0.03 ? 500 : 200,
    });
    await usage.append(record, keep);
  }
}
await Promise.all(Array.from({ length: WRITERS }, writer));
for (let hour = END_MS - HOURS * HOUR_MS; hour < END_MS; hour += HOUR_MS) {
  await rollups.markDirty(ACCOUNT, hour);
}
const seal = await sealRollups(
  { rollups, clock, logger: SILENT_LOGGER },
  { lookbackMs: 4 * DAY_MS },
);
const seedSeconds = (performance.now() - seedStart) / 1000;

// Act: the same windows, counted both ways.
async function time(count: () => Promise<number>, runs: number) {
  const samples: number[] = [];
  let total = 0;
  for (let run = 0; run < runs + 2; run += 1) {
    const start = performance.now();
    total = await count();
    if (run >= 2) samples.push(performance.now() - start);
  }
  return { stats: summarize(samples), total };
}

const windows = [
  { label: 'last 72 h, no filter', filter: {} },
  { label: 'last 72 h, model=gpt-4o', filter: toLogFilter({ range: 'custom', model: ['gpt-4o'] }) },
];
const rows: string[] = [];
for (const { label, filter } of windows) {
  const query: UsageLogQuery = {
    accountId: ACCOUNT,
    fromIso: new Date(NOW_MS - HOURS * HOUR_MS).toISOString(),
    toIso: new Date(NOW_MS + 1).toISOString(),
    filter,
  };
  const raw = await time(() => reader.countLogs(query), 5);
  const rollupBacked = await time(
    () => countMatchingLogs({ logs: reader, rollups, clock }, query),
    5,
  );
  if (raw.total !== rollupBacked.total) {
    throw new Error(`Counts differ: raw ${raw.total}, rollup-backed ${rollupBacked.total}`);
  }
  rows.push(
    `| ${label} | ${raw.total.toLocaleString('en-US')} | ${raw.stats.p50.toFixed(1)} | ${rollupBacked.stats.p50.toFixed(1)} | ${(raw.stats.p50 / rollupBacked.stats.p50).toFixed(1)}x |`,
  );
}

const lines = [
  '',
  '## Logs total count: every record read vs sealed rollups (dynalite in process, one account)',
  '',
  `History: ${RECORDS.toLocaleString('en-US')} usage records over ${HOURS} hours, sealed into rollups by the seal job (${seal.hoursSealed} hours, ${seal.daysRebuilt} days); seeded in ${seedSeconds.toFixed(1)} s`,
  '',
  '| window | records counted | raw count p50 ms | rollup-backed p50 ms | raw / rollup-backed |',
  '|---|---|---|---|---|',
  ...rows,
  '',
  'Both counts are equal (checked each run). The raw count grows with the records in the window; the rollup-backed one with its buckets and dimension combinations, plus the records of its ragged edges.',
  '',
];
process.stdout.write(lines.join('\n'));

await fixture.close();
