// The measured system in one process: fake OpenAI and Anthropic upstreams, the local Metrion
// stack in front of them (stored mode), and one account holding both provider keys.
import { setTimeout as sleep } from 'node:timers/promises';
import { type LocalMetrion, startLocalMetrion } from '#local/local-metrion.ts';
import {
  FAKE_ANTHROPIC_API_KEY,
  startFakeAnthropic,
} from '../../fixtures/fake-anthropic-server.ts';
import { FAKE_OPENAI_API_KEY, startFakeOpenAi } from '../../fixtures/fake-openai-server.ts';
import type { FakeUpstream } from '../../fixtures/fake-upstream-scenarios.ts';

export interface BenchStack {
  readonly metrion: LocalMetrion;
  readonly openai: FakeUpstream;
  readonly anthropic: FakeUpstream;
  readonly accountId: string;
  readonly metrionKey: string;
  close(): Promise<void>;
}

/** Starts the fakes (instant answers, default tokens) and the stack; log lines are discarded. */
export async function startBenchStack(): Promise<BenchStack> {
  const [openai, anthropic] = await Promise.all([
    startFakeOpenAi({ scenario: { kind: 'ok' } }),
    startFakeAnthropic({ scenario: { kind: 'ok' } }),
  ]);
  const metrion = await startLocalMetrion({
    upstreamOrigins: { openai: openai.origin, anthropic: anthropic.origin },
    logWrite: () => {},
  });
  const { accountService } = metrion.data;
  const created = await accountService.createAccount({ email: 'bench@example.com' });
  const { accountId } = created.account;
  await accountService.putProviderKey(accountId, 'openai', FAKE_OPENAI_API_KEY);
  await accountService.putProviderKey(accountId, 'anthropic', FAKE_ANTHROPIC_API_KEY);
  return {
    metrion,
    openai,
    anthropic,
    accountId,
    metrionKey: created.metrionKey,
    async close() {
      await metrion.close();
      await Promise.all([openai.close(), anthropic.close()]);
    },
  };
}

/** What the usage table holds for the proxied requests of the run. */
export interface RecordsCheck {
  readonly expected: number;
  readonly found: number;
  readonly duplicates: number;
  /** Request ids a response carried but no record has. */
  readonly missing: number;
  /** Records whose request id no response carried. */
  readonly unexpected: number;
  /** Records with a status other than 200. */
  readonly failed: number;
  readonly ok: boolean;
}

/**
 * Waits (up to `timeoutMs`) until the account has as many usage records as `requestIds`, then
 * compares them one by one: exactly one record per proxied request, none extra, all HTTP 200.
 */
export async function checkUsageRecords(
  stack: BenchStack,
  requestIds: readonly string[],
  timeoutMs = 30_000,
): Promise<RecordsCheck> {
  const deadline = Date.now() + timeoutMs;
  const list = () => stack.metrion.data.usage.listRecent(stack.accountId, Number.MAX_SAFE_INTEGER);
  let records = await list();
  while (records.length < requestIds.length && Date.now() < deadline) {
    await sleep(200);
    records = await list();
  }
  // Late duplicates would arrive after the count is reached: give them a moment to show up.
  await sleep(500);
  records = await list();

  const recorded = new Set(records.map((record) => record.requestId));
  const sent = new Set(requestIds);
  const missing = [...sent].filter((id) => !recorded.has(id)).length;
  const unexpected = [...recorded].filter((id) => !sent.has(id)).length;
  const duplicates = records.length - recorded.size + (requestIds.length - sent.size);
  const failed = records.filter((record) => record.status !== 200).length;
  return {
    expected: requestIds.length,
    found: records.length,
    duplicates,
    missing,
    unexpected,
    failed,
    ok: missing === 0 && unexpected === 0 && duplicates === 0 && failed === 0,
  };
}
