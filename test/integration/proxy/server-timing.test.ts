// `server-timing` on every kind of proxied answer, read as a customer would (the openai SDK's
// `.withResponse()`, raw fetch), and the same figures in the Logs detail of the dashboard API.
import OpenAI from 'openai';
import { describe, expect } from 'vitest';
import type { LogDetail } from '#contracts/logs-api.ts';
import { monthCounter } from '#core/limits/request-limits.ts';
import { currentKeyDigest, setDynamoWindowCount } from '../../fixtures/admission.ts';
import { readUntil } from '../../fixtures/read-until.ts';
import {
  type DashboardApiStack,
  dashboardApiTest,
  expectResponseOf,
  type TestUser,
} from '../support/dashboard-api-stack.ts';

const it = dashboardApiTest();
let openai: OpenAI;

const messages = [{ role: 'user' as const, content: 'Say hello' }];
const PHASE_FIELDS = {
  auth: 'authMs',
  upstream: 'upstreamHeadersMs',
  'upstream-body': 'upstreamBodyMs',
  overhead: 'overheadMs',
} as const;

type Timing = NonNullable<LogDetail['timing']>;

/** The header as the Logs detail's `timing` (absent phases null), checking its grammar. */
function timingOf(headers: Headers): Timing {
  const value = headers.get('server-timing');
  if (value === null) throw new Error('the answer carried no server-timing');
  const timing: Record<string, number | null> = {
    authMs: null,
    upstreamHeadersMs: null,
    upstreamBodyMs: null,
  };
  for (const metric of value.split(', ')) {
    const match = /^([a-z-]+);dur=(\d+\.\d);desc="[^"]+"$/.exec(metric);
    const field = match && PHASE_FIELDS[match[1] as keyof typeof PHASE_FIELDS];
    if (!match || !field) throw new Error(`unexpected server-timing metric: ${metric}`);
    timing[field] = Number(match[2]);
  }
  return timing as unknown as Timing;
}

/** The Logs detail of a request, once its record has landed (after the answer ended). */
async function logDetail(
  stack: DashboardApiStack,
  user: TestUser,
  requestId: string | null,
): Promise<LogDetail> {
  const answer = await readUntil(
    () => stack.api(`/api/logs/${requestId}`, { as: user }),
    (found) => found.status === 200,
  );
  if (answer.status !== 200) throw new Error(`no Logs detail for ${requestId}`);
  expectResponseOf('getLog', answer);
  return answer.json;
}

/** The header's figures are the Logs detail's, to the tenth of a millisecond. */
async function expectLogsToShow(
  { stack, user }: { stack: DashboardApiStack; user: TestUser },
  headers: Headers,
): Promise<Timing> {
  const timing = timingOf(headers);
  const detail = await logDetail(stack, user, headers.get('x-metrion-request-id'));
  expect(detail.timing).toEqual(timing);
  return timing;
}

function postChat(stack: DashboardApiStack, key: string) {
  return fetch(`${stack.metrion.proxyBaseUrls.openai}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages }),
  });
}

it.beforeAll(async ({ stack, user }) => {
  ({ openai } = await stack.storedOpenAi(user));
}, 60_000);

describe('server-timing on proxied answers, and the same figures in the Logs detail', () => {
  it('JSON answer: the provider wait is its own phase, not overhead', async ({ stack, user }) => {
    // Arrange: the provider takes 600 ms to send its headers (well above what a loaded machine
    // adds to Metrion's own time, which must not include that wait)
    stack.openai.setScenario({ kind: 'delayHeaders', ms: 600 });

    // Act
    const { response } = await openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages })
      .withResponse();
    stack.openai.setScenario({ kind: 'ok' });

    // Assert
    const timing = await expectLogsToShow({ stack, user }, response.headers);
    expect(timing.upstreamHeadersMs).toBeGreaterThanOrEqual(595);
    expect(timing.upstreamBodyMs).not.toBeNull();
    expect(timing.authMs).not.toBeNull();
    expect(timing.overheadMs).toBeGreaterThanOrEqual(timing.authMs ?? Number.NaN);
    expect(timing.overheadMs).toBeLessThan(timing.upstreamHeadersMs ?? 0);
  });

  it('stream: timed up to its headers (no upstream body phase)', async ({ stack, user }) => {
    const { data, response } = await openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages, stream: true })
      .withResponse();
    for await (const _chunk of data) {
      // drain: the record lands after the last byte
    }

    const timing = await expectLogsToShow({ stack, user }, response.headers);
    expect(timing.upstreamHeadersMs).not.toBeNull();
    expect(timing.upstreamBodyMs).toBeNull();
  });

  it('cache HIT: auth+limits and overhead only (nothing went upstream)', async ({
    stack,
    user,
  }) => {
    const body = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user' as const, content: 'cached?' }],
    };
    const options = { headers: { 'x-metrion-cache': 'true' } };
    await openai.chat.completions.create(body, options);

    const { response } = await openai.chat.completions.create(body, options).withResponse();

    expect(response.headers.get('x-metrion-cache')).toBe('HIT');
    const timing = await expectLogsToShow({ stack, user }, response.headers);
    expect(timing).toMatchObject({ upstreamHeadersMs: null, upstreamBodyMs: null });
    expect(timing.authMs).not.toBeNull();
  });

  it('provider 500: passed through, timed like any answer', async ({ stack, user }) => {
    stack.openai.setScenario({
      kind: 'error',
      status: 500,
      body: { error: { message: 'upstream broke', type: 'server_error', code: null } },
    });

    const error = await openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages })
      .catch((caught: unknown) => caught);
    stack.openai.setScenario({ kind: 'ok' });

    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    const timing = await expectLogsToShow(
      { stack, user },
      (error as InstanceType<typeof OpenAI.APIError>).headers ?? new Headers(),
    );
    expect(timing.upstreamHeadersMs).not.toBeNull();
  });

  it("Metrion's own 401 and 429 carry it too (refused requests are not logged)", async ({
    stack,
  }) => {
    // Arrange: Bob's account has used up the Free month
    const bob = await stack.metrion.data.accountService.createAccount({ email: 'bob@example.com' });
    const accounts = {
      client: stack.metrion.data.documentClient,
      tableName: stack.metrion.data.accountsTable,
    };
    await setDynamoWindowCount(
      accounts,
      await currentKeyDigest(accounts, bob.account.accountId),
      monthCounter(Date.now()),
      10_000,
    );

    // Act
    const unknownKey = await postChat(stack, 'sk-metrion-00000000000000000000000000000000');
    const refused = await postChat(stack, bob.metrionKey);

    // Assert
    expect(unknownKey.status).toBe(401);
    expect(refused.status).toBe(429);
    for (const answer of [unknownKey, refused]) {
      const timing = timingOf(answer.headers);
      expect(timing.authMs).not.toBeNull();
      expect(timing.upstreamHeadersMs).toBeNull();
      expect(timing.overheadMs).toBeGreaterThanOrEqual(timing.authMs ?? Number.NaN);
    }
  });
});
