// Local mode in a child process (as `npm start` runs), SIGKILLed while five requests stand at
// different phases: waiting for the provider's headers (stream and JSON), mid-stream, after the
// last byte before the record write, and with the record written but unanswered. Restarted on the
// same data folder, the trace sweeper records every request the provider saw exactly once, and
// after the seal the rollups equal the raw records.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRequestTraceStore } from '#adapters/dynamodb/dynamo-request-trace-store.ts';
import { HOUR_MS } from '#core/rollups/buckets.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { FAULT_HEADER } from '#local/fault-injection.ts';
import { type LocalData, openLocalData } from '#local/local-data.ts';
import { type LocalMetrion, startLocalMetrion } from '#local/local-metrion.ts';
import {
  FAKE_ANTHROPIC_API_KEY,
  startFakeAnthropic,
} from '../../fixtures/fake-anthropic-server.ts';
import { FAKE_OPENAI_API_KEY, startFakeOpenAi } from '../../fixtures/fake-openai-server.ts';
import {
  createGate,
  type FakeUpstream,
  holdUntil,
  type Scenario,
} from '../../fixtures/fake-upstream-scenarios.ts';
import { type LocalProcess, startLocalProcess } from '../../fixtures/local-process.ts';
import { hourlyRollupTotals, totalsOfRecords } from '../../fixtures/usage-totals.ts';

/** Each request's `x-metrion-user` label and prompt: the phase it is killed in. */
const PHASES = [
  'before-answer',
  'before-answer-json',
  'mid-stream',
  'after-last-byte',
  'during-record-write',
] as const;
type Phase = (typeof PHASES)[number];

const release = createGate();
const SCENARIOS: Record<Phase, Scenario> = {
  'before-answer': { kind: 'holdHeaders', until: release.opened },
  'before-answer-json': { kind: 'holdHeaders', until: release.opened },
  'mid-stream': { kind: 'ok', hold: holdUntil(release.opened, 2) },
  'after-last-byte': { kind: 'ok' },
  'during-record-write': { kind: 'ok' },
};

function phaseOf(body: Readonly<Record<string, unknown>>): Phase | undefined {
  const text = JSON.stringify(body.messages ?? '');
  return PHASES.find((phase) => text.includes(`phase:${phase}"`));
}

let openai: FakeUpstream;
let anthropic: FakeUpstream;
let folder: string;
let child: LocalProcess | undefined;
let restarted: LocalMetrion | undefined;
let joined: LocalData | undefined;

beforeAll(async () => {
  const scenarioFor = (body: Readonly<Record<string, unknown>>) => {
    const phase = phaseOf(body);
    return phase && SCENARIOS[phase];
  };
  [openai, anthropic] = await Promise.all([
    startFakeOpenAi({ scenarioFor }),
    startFakeAnthropic({ scenarioFor }),
  ]);
  folder = await mkdtemp(join(tmpdir(), 'metrion-kill-'));
});
afterAll(async () => {
  release.open();
  await child?.kill();
  joined?.documentClient.destroy();
  await restarted?.close();
  await Promise.all([openai?.close(), anthropic?.close()]);
  await rm(folder, { recursive: true, force: true });
});

const processOptions = () => ({
  dataDir: join(folder, 'data'),
  runningInstancesDir: join(folder, 'running'),
  upstreamOrigins: { openai: openai.origin, anthropic: anthropic.origin },
});

/** Waits until `seen()` holds, checking every millisecond, for at most 20 s. */
async function until(what: string, seen: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await seen())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Sends the five requests and returns once each stands in its phase. */
async function sendToPhases(
  running: LocalProcess,
  metrionKey: string,
): Promise<Promise<unknown>[]> {
  const headers = (phase: Phase, fault?: string): Record<string, string> => ({
    'x-metrion-user': phase,
    ...(fault ? { [FAULT_HEADER]: fault } : {}),
  });
  const gpt = (phase: Phase, fault?: string) =>
    new OpenAI({
      apiKey: metrionKey,
      baseURL: running.proxyBaseUrls.openai,
      defaultHeaders: headers(phase, fault),
      maxRetries: 0,
    }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: `phase:${phase}` }],
      stream: true,
    });
  const drain = async (stream: AsyncIterable<unknown>) => {
    for await (const _chunk of stream) {
      // every byte, to the end
    }
  };

  const beforeAnswer = gpt('before-answer').catch(() => 'cut');
  const beforeAnswerJson = new Anthropic({
    apiKey: metrionKey,
    baseURL: running.proxyBaseUrls.anthropic,
    defaultHeaders: headers('before-answer-json'),
    maxRetries: 0,
  }).messages
    .create({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'phase:before-answer-json' }],
    })
    .catch(() => 'cut');
  // Two chunks read, then the stream is left open (not cancelled: the client is still there).
  const midStream = (await gpt('mid-stream'))[Symbol.asyncIterator]();
  await midStream.next();
  await midStream.next();
  const pendingRest = midStream.next().catch(() => 'cut');
  await drain(await gpt('after-last-byte', 'record=hang'));
  await drain(await gpt('during-record-write', 'record=hang-after-write'));

  await running.waitForLog((line) => line.fault === 'hang' && line.target === 'record');
  await running.waitForLog((line) => line.fault === 'hang-after-write');
  return [beforeAnswer, beforeAnswerJson, pendingRest];
}

describe('local mode killed with SIGKILL at every phase of a request', () => {
  it('records each request the provider saw once, after a restart on the same data', async () => {
    // Arrange: the child process and an account, created through its dynalite
    child = await startLocalProcess(processOptions());
    joined = await openLocalData({
      dynamoEndpoint: child.dynamoEndpoint,
      dataDir: processOptions().dataDir,
    });
    const created = await joined.accountService.createAccount({ email: 'kill@example.com' });
    const { accountId } = created.account;
    await joined.accountService.putProviderKey(accountId, 'openai', FAKE_OPENAI_API_KEY);
    await joined.accountService.putProviderKey(accountId, 'anthropic', FAKE_ANTHROPIC_API_KEY);

    // Act: every request in its phase, then SIGKILL as soon as the provider has seen all five,
    // without waiting for their traces (each must have landed before its upstream call)
    const cut = await sendToPhases(child, created.metrionKey);
    await until(
      'five provider calls',
      () => openai.requests.length + anthropic.requests.length >= 5,
    );
    // The one record meant to land before the kill (its answer is what hangs).
    const data = joined;
    await until('the record written during the kill', async () =>
      (await data.usage.listRecent(accountId, 10)).some(
        (record) => record.requester === 'during-record-write',
      ),
    );
    await child.kill();
    joined.documentClient.destroy();
    joined = undefined;
    const clientOutcomes = await Promise.all(cut);
    // Restarted on the same folder an hour later (as far as its clock knows): old enough to sweep.
    restarted = await startLocalMetrion({
      ...processOptions(),
      clock: {
        nowMs: () => Date.now() + HOUR_MS,
        monotonicMs: () => performance.now(),
        sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
      },
      logWrite: () => undefined,
    });
    const traces = new DynamoRequestTraceStore({
      client: restarted.data.documentClient,
      tableName: restarted.data.usageTable,
    });
    let traced = 0;
    for await (const page of traces.tracesBetween(0, Date.now() + 2 * HOUR_MS)) {
      traced += page.length;
    }
    const report = await restarted.jobs.sweepTraces();
    await restarted.usageFeed.drain();
    await restarted.jobs.sealRollups({ graceMs: 0 });

    // Assert: the provider saw five requests; five records, one per request
    const records = await restarted.data.usage.listRecent(accountId, 100);
    const byPhase = Object.fromEntries(records.map((record) => [record.requester, record]));
    expect(clientOutcomes).toEqual(['cut', 'cut', 'cut']);
    expect(openai.requests.length + anthropic.requests.length).toBe(5);
    expect(records).toHaveLength(5);
    expect(Object.keys(byPhase).sort()).toEqual([...PHASES].sort());
    expect(traced).toBe(5);
    expect(report).toMatchObject({ traces: 5, interrupted: 4, failed: 0 });
    for (const phase of ['before-answer', 'before-answer-json', 'mid-stream', 'after-last-byte']) {
      expect(byPhase[phase]).toMatchObject({
        status: 502,
        errorSource: 'metrion',
        interrupted: true,
        estimated: true,
        outputTokens: 0,
      });
    }
    // "phase:mid-stream" is 16 bytes in one message: 16 / 4 + 3 = 7 input tokens.
    expect(byPhase['mid-stream']?.inputTokens).toBe(7);
    // Its record landed before the kill: exact (the fake reports 12 in, 6 out), not interrupted.
    expect(byPhase['during-record-write']).toMatchObject({
      status: 200,
      inputTokens: 12,
      outputTokens: 6,
    });
    expect(byPhase['during-record-write']?.interrupted).toBeUndefined();
    await expectRollupsEqual(restarted, accountId, records);
  });
});

async function expectRollupsEqual(
  metrion: LocalMetrion,
  accountId: string,
  records: readonly UsageRecord[],
): Promise<void> {
  const rollups = await hourlyRollupTotals(
    metrion.data.documentClient,
    metrion.data.usageTable,
    accountId,
    records,
  );
  expect(rollups).toEqual({ ...totalsOfRecords(records), sealed: true });
}
