// The proxy service on in-memory fakes with a scripted upstream: the core pipeline without HTTP.
import { createAccountService } from '#core/accounts/account-service.ts';
import { metrionKeyDigest } from '#core/accounts/metrion-key.ts';
import { BudgetViewCache } from '#core/budgets/budget-view-cache.ts';
import type { Logger } from '#core/ports/logger.ts';
import type { AdmissionRequest, ProxyAdmission } from '#core/ports/proxy-admission.ts';
import type { RequestTraceWriter } from '#core/ports/request-trace-store.ts';
import type {
  UpstreamClient,
  UpstreamRequest,
  UpstreamResponse,
} from '#core/ports/upstream-client.ts';
import { PROVIDER_IDS, type ProviderId } from '#core/providers/provider-registry.ts';
import type { IncomingProxyRequest } from '#core/proxy/parse-proxy-request.ts';
import { createProxyService, type ProxyOutcome } from '#core/proxy/proxy-service.ts';
import { createSecretVault, type SecretVault } from '#core/vault/secret-vault.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { fixedPrices } from '../../../fakes/fixed-prices.ts';
import { FixedRandom } from '../../../fakes/fixed-random.ts';
import { InMemoryAccountDataKeyStore } from '../../../fakes/in-memory-account-data-key-store.ts';
import { InMemoryAccountEmailIndex } from '../../../fakes/in-memory-account-email-index.ts';
import { InMemoryAccountStore } from '../../../fakes/in-memory-account-store.ts';
import { InMemoryDataKeyProvider } from '../../../fakes/in-memory-data-key-provider.ts';
import { InMemoryRequestTraceStore } from '../../../fakes/in-memory-request-trace-store.ts';
import { InMemoryResponseCacheStore } from '../../../fakes/in-memory-response-cache-store.ts';
import { InMemoryUsageStore } from '../../../fakes/in-memory-usage-store.ts';
import { WordTokenCounter } from '../../../fakes/word-token-counter.ts';

export const PROVIDER_KEY = 'sk-provider-0123456789abcdefghij';

/** What the scripted upstream answers. */
export interface ScriptedAnswer {
  readonly status?: number;
  readonly contentType?: string;
  readonly body: string;
  /** Fake time the provider takes to send its headers. @default 0 */
  readonly headersAfterMs?: number;
  /** Fake time the provider takes to send its body after the headers. @default 0 */
  readonly bodyAfterMs?: number;
}

/** Fake time the stores take, so the phases of `server-timing` have exact expected figures. */
export interface StoreDelays {
  /** Each admission call (authentication and both limits, one store round trip). */
  admitCallMs: number;
  /** Opening the stored provider key (after admission, before the upstream call). */
  openKeyMs: number;
}

export class RecordingLogger implements Logger {
  readonly lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  info(message: string, fields?: Record<string, unknown>) {
    this.lines.push({ level: 'info', message, fields });
  }
  warn(message: string, fields?: Record<string, unknown>) {
    this.lines.push({ level: 'warn', message, fields });
  }
  error(message: string, fields?: Record<string, unknown>) {
    this.lines.push({ level: 'error', message, fields });
  }
}

/** What the harness saw happen, in order. */
export type Issued = 'admission' | 'trace' | 'trace stored' | 'trace discarded' | 'upstream';

/** Builds the service with one Free account holding a key for every provider. */
export async function proxyHarness() {
  const clock = new FakeClock({ startMs: Date.parse('2026-11-24T12:00:00.000Z') });
  const random = new FixedRandom({ seed: 'proxy' });
  const accounts = new InMemoryAccountStore();
  const usage = new InMemoryUsageStore({ clock });
  const delays: StoreDelays = { admitCallMs: 0, openKeyMs: 0 };
  const admissions: AdmissionRequest[] = [];
  /** When set, admission calls (a store failure) or provider-key decryption throw it. */
  const faults: { admit?: Error; openKey?: Error; trace?: Error } = {};
  /** When set, runs before each admission call (a Dashboard edit racing the request). */
  const races: { beforeAdmit?: () => Promise<void> } = {};
  /** Store calls and upstream sends, in the order they were issued or ended. */
  const issued: Issued[] = [];
  /** While set, every trace write waits for it before it lands. */
  const gates: { trace?: Promise<void> } = {};
  const slowAdmission: ProxyAdmission = {
    admit: async (request) => {
      await races.beforeAdmit?.();
      admissions.push(request);
      issued.push('admission');
      clock.advance(delays.admitCallMs);
      if (faults.admit !== undefined) throw faults.admit;
      return accounts.admit(request);
    },
    windowCount: (keyDigest, counter) => accounts.windowCount(keyDigest, counter),
  };
  const responseCache = new InMemoryResponseCacheStore();
  const traceStore = new InMemoryRequestTraceStore({ usage });
  const traces: RequestTraceWriter = {
    put: async (trace) => {
      issued.push('trace');
      await gates.trace;
      if (faults.trace !== undefined) throw faults.trace;
      await traceStore.put(trace);
      issued.push('trace stored');
    },
    discard: async (trace) => {
      await traceStore.discard(trace);
      issued.push('trace discarded');
    },
  };
  const logger = new RecordingLogger();
  const pepper = new Uint8Array(32).fill(7);
  const realVault = createSecretVault({
    dataKeyProvider: new InMemoryDataKeyProvider(),
    accountDataKeys: new InMemoryAccountDataKeyStore(),
    random,
    clock,
  });
  let opened = 0;
  const vault: SecretVault = {
    seal: (plaintext, context) => realVault.seal(plaintext, context),
    open: (sealed, context) => {
      opened += 1;
      clock.advance(delays.openKeyMs);
      if (faults.openKey !== undefined) return Promise.reject(faults.openKey);
      return realVault.open(sealed, context);
    },
  };
  const service = createAccountService({
    accounts,
    metrionKeys: accounts,
    providerKeys: accounts,
    emails: new InMemoryAccountEmailIndex(),
    vault: realVault,
    random,
    clock,
    pepper,
  });
  const created = await service.createAccount({ email: 'dev@example.com' });
  for (const provider of PROVIDER_IDS) {
    await service.putProviderKey(
      created.account.accountId,
      provider,
      provider === 'anthropic'
        ? 'sk-ant-0123456789abcdefghij'
        : provider === 'grok'
          ? 'xai-0123456789abcdefghij0123'
          : provider === 'openai'
            ? PROVIDER_KEY
            : 'A0123456789abcdefghij0123456789abc',
    );
  }

  let answer: ScriptedAnswer = { body: '{}' };
  const sent: UpstreamRequest[] = [];
  const upstream: UpstreamClient = {
    async send(request): Promise<UpstreamResponse> {
      sent.push(request);
      issued.push('upstream');
      const { headersAfterMs = 0, bodyAfterMs = 0 } = answer;
      const bytes = new TextEncoder().encode(answer.body);
      clock.advance(headersAfterMs);
      return {
        status: answer.status ?? 200,
        headers: { 'content-type': answer.contentType ?? 'application/json' },
        // Pulled only when read (no read-ahead), so the body's fake time passes while it is read.
        body: new ReadableStream(
          {
            pull(controller) {
              clock.advance(bodyAfterMs);
              controller.enqueue(bytes);
              controller.close();
            },
          },
          { highWaterMark: 0 },
        ),
      };
    },
  };

  const proxy = createProxyService({
    prices: fixedPrices(),
    admission: slowAdmission,
    budgetViews: new BudgetViewCache(),
    budgets: accounts.budgets,
    vault,
    pepper,
    usage,
    logger,
    responseCache,
    traces,
    upstream,
    clock,
    origins: Object.fromEntries(PROVIDER_IDS.map((id) => [id, 'https://upstream.test'])) as Record<
      ProviderId,
      string
    >,
    headerTimeoutMs: 1_000,
    idleTimeoutMs: 1_000,
    tokenCounter: new WordTokenCounter(),
  });

  let requestNumber = 0;
  return {
    clock,
    accounts,
    usage,
    delays,
    /** Every admission call, in order (authentication and limits: one store round trip each). */
    admissions,
    faults,
    races,
    responseCache,
    logger,
    sent,
    /** The traces written (the sweeper's side of the store, over `usage`). */
    traces: traceStore,
    issued,
    gates,
    accountId: created.account.accountId,
    metrionKey: created.metrionKey,
    /** Names the key's minute window. */
    keyDigest: metrionKeyDigest(created.metrionKey, pepper),
    /** How many times a provider key was decrypted. */
    opened: () => opened,
    answerWith(next: ScriptedAnswer) {
      answer = next;
    },
    async send(
      body: unknown,
      headers: Record<string, string> = {},
      path = '/api/proxy/openai/v1/chat/completions',
      method = 'POST',
    ): Promise<ProxyOutcome> {
      requestNumber += 1;
      return proxy.handle({
        requestId: `req-${requestNumber}`,
        method,
        path,
        headers: { authorization: `Bearer ${created.metrionKey}`, ...headers },
        body: new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body)),
        receivedAtMs: clock.nowMs(),
        receivedAtMonotonicMs: clock.monotonicMs(),
      } satisfies IncomingProxyRequest);
    },
  };
}

/** The response body of a forwarded outcome as text. */
export async function bodyText(outcome: ProxyOutcome): Promise<string> {
  if (outcome.kind !== 'forwarded')
    throw new Error(`expected forwarded, got ${outcome.error.code}`);
  if (outcome.body instanceof Uint8Array) return new TextDecoder().decode(outcome.body);
  return new Response(outcome.body).text();
}
