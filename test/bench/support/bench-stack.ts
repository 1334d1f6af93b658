// The measured system in one process: fake OpenAI and Anthropic upstreams, the local Metrion
// stack in front of them (stored mode), and Free-plan accounts holding both provider keys.
import { setTimeout as sleep } from 'node:timers/promises';
import type { AccountService } from '#core/accounts/account-service.ts';
import { PLAN_LIMITS } from '#core/billing/plans.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import {
  type LocalMetrion,
  type LocalMetrionOptions,
  startLocalMetrion,
} from '#local/local-metrion.ts';
import {
  FAKE_ANTHROPIC_API_KEY,
  startFakeAnthropic,
} from '../../fixtures/fake-anthropic-server.ts';
import { FAKE_OPENAI_API_KEY, startFakeOpenAi } from '../../fixtures/fake-openai-server.ts';
import type { FakeUpstream } from '../../fixtures/fake-upstream-scenarios.ts';

/**
 * Requests one Metrion Key may carry over the whole bench: below the Free plan's per-minute rate
 * limit (and its monthly cap) even if all of them fell into one minute, so no request is refused.
 */
export const REQUESTS_PER_KEY = Math.floor(
  0.9 *
    Math.min(
      PLAN_LIMITS.free.requestsPerMinutePerKey,
      PLAN_LIMITS.free.monthlyRequests ?? Number.POSITIVE_INFINITY,
    ),
);

export interface BenchStack {
  readonly metrion: LocalMetrion;
  readonly openai: FakeUpstream;
  readonly anthropic: FakeUpstream;
  readonly accountIds: readonly string[];
  /** One Metrion Key per account, same order as `accountIds`. */
  readonly metrionKeys: readonly string[];
  close(): Promise<void>;
}

/**
 * Starts the fakes (instant answers, default tokens) and the stack, with `accounts` accounts;
 * log lines are discarded.
 */
export async function startBenchStack(
  accounts: number,
  stackOptions: Pick<LocalMetrionOptions, 'dynamoTransport'> = {},
): Promise<BenchStack> {
  const [openai, anthropic] = await Promise.all([
    startFakeOpenAi({ scenario: { kind: 'ok' } }),
    startFakeAnthropic({ scenario: { kind: 'ok' } }),
  ]);
  const metrion = await startLocalMetrion({
    upstreamOrigins: { openai: openai.origin, anthropic: anthropic.origin },
    logWrite: () => {},
    ...stackOptions,
  });
  const created = await createBenchAccounts(metrion.data.accountService, accounts, 'bench');
  return {
    metrion,
    openai,
    anthropic,
    accountIds: created.map((entry) => entry.accountId),
    metrionKeys: created.map((entry) => entry.metrionKey),
    async close() {
      await metrion.close();
      await Promise.all([openai.close(), anthropic.close()]);
    },
  };
}

/**
 * `count` accounts (`<prefix>-<n>@example.com`), each holding the fake OpenAI and Anthropic keys,
 * through the account service as the dashboard would create them.
 */
export async function createBenchAccounts(
  accountService: Pick<AccountService, 'createAccount' | 'putProviderKey'>,
  count: number,
  prefix: string,
): Promise<Array<{ accountId: string; metrionKey: string }>> {
  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const { account, metrionKey } = await accountService.createAccount({
        email: `${prefix}-${index}@example.com`,
      });
      await accountService.putProviderKey(account.accountId, 'openai', FAKE_OPENAI_API_KEY);
      await accountService.putProviderKey(account.accountId, 'anthropic', FAKE_ANTHROPIC_API_KEY);
      return { accountId: account.accountId, metrionKey };
    }),
  );
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

/** What the records check reads: the stack's usage store and the accounts it created. */
export type RecordsSource = Pick<BenchStack, 'metrion' | 'accountIds'>;

/**
 * More records than any bench writes for one account. Not Number.MAX_SAFE_INTEGER: dynalite on a
 * data folder (LevelDB) answers such a `Limit` with no items at all.
 */
const MAX_RECORDS_PER_ACCOUNT = 1_000_000;

async function allRecords(stack: RecordsSource): Promise<UsageRecord[]> {
  const { usage } = stack.metrion.data;
  const lists = await Promise.all(
    stack.accountIds.map((accountId) => usage.listRecent(accountId, MAX_RECORDS_PER_ACCOUNT)),
  );
  return lists.flat();
}

/**
 * Waits (up to `timeoutMs`) until the accounts have as many usage records as `requestIds`, then
 * compares them one by one: exactly one record per proxied request, none extra, all HTTP 200.
 */
export async function checkUsageRecords(
  stack: RecordsSource,
  requestIds: readonly string[],
  timeoutMs = 30_000,
): Promise<RecordsCheck> {
  const deadline = Date.now() + timeoutMs;
  let records = await allRecords(stack);
  while (records.length < requestIds.length && Date.now() < deadline) {
    await sleep(200);
    records = await allRecords(stack);
  }
  // A duplicate would land after the count is reached: give it a moment to show up.
  await sleep(500);
  records = await allRecords(stack);

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
