// The proxy service on in-memory fakes with a scripted upstream: the core pipeline without HTTP.
import { createAccountService } from '#core/accounts/account-service.ts';
import { metrionKeyDigest } from '#core/accounts/metrion-key.ts';
import type { Logger } from '#core/ports/logger.ts';
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
import { FixedRandom } from '../../../fakes/fixed-random.ts';
import { InMemoryAccountStore } from '../../../fakes/in-memory-account-store.ts';
import { InMemoryDataKeyProvider } from '../../../fakes/in-memory-data-key-provider.ts';
import { InMemoryResponseCacheStore } from '../../../fakes/in-memory-response-cache-store.ts';
import { InMemoryUsageStore } from '../../../fakes/in-memory-usage-store.ts';
import { WordTokenCounter } from '../../../fakes/word-token-counter.ts';

export const PROVIDER_KEY = 'sk-provider-0123456789abcdefghij';

/** What the scripted upstream answers. */
export interface ScriptedAnswer {
  readonly status?: number;
  readonly contentType?: string;
  readonly body: string;
}

export class RecordingLogger implements Logger {
  readonly lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  info(message: string, fields?: Record<string, unknown>) {
    this.lines.push({ level: 'info', message, ...(fields ? { fields } : {}) });
  }
  warn(message: string, fields?: Record<string, unknown>) {
    this.lines.push({ level: 'warn', message, ...(fields ? { fields } : {}) });
  }
  error(message: string, fields?: Record<string, unknown>) {
    this.lines.push({ level: 'error', message, ...(fields ? { fields } : {}) });
  }
}

/** Builds the service with one Free account holding a key for every provider. */
export async function proxyHarness() {
  const clock = new FakeClock({ startMs: Date.parse('2026-11-24T12:00:00.000Z') });
  const random = new FixedRandom({ seed: 'proxy' });
  const accounts = new InMemoryAccountStore();
  const usage = new InMemoryUsageStore({ clock });
  const responseCache = new InMemoryResponseCacheStore();
  const logger = new RecordingLogger();
  const pepper = new Uint8Array(32).fill(7);
  const realVault = createSecretVault({
    dataKeyProvider: new InMemoryDataKeyProvider(),
    random,
    clock,
  });
  let opened = 0;
  const vault: SecretVault = {
    seal: (plaintext, context) => realVault.seal(plaintext, context),
    open: (sealed, context) => {
      opened += 1;
      return realVault.open(sealed, context);
    },
  };
  const service = createAccountService({ accounts, vault: realVault, random, clock, pepper });
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
      const bytes = new TextEncoder().encode(answer.body);
      return {
        status: answer.status ?? 200,
        headers: { 'content-type': answer.contentType ?? 'application/json' },
        body: new ReadableStream({
          start(controller) {
            controller.enqueue(bytes);
            controller.close();
          },
        }),
      };
    },
  };

  const proxy = createProxyService({
    admission: accounts,
    vault,
    pepper,
    usage,
    logger,
    responseCache,
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
    responseCache,
    logger,
    sent,
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
    ): Promise<ProxyOutcome> {
      requestNumber += 1;
      return proxy.handle({
        requestId: `req-${requestNumber}`,
        method: 'POST',
        path,
        headers: { authorization: `Bearer ${created.metrionKey}`, ...headers },
        body: new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body)),
        receivedAtMs: clock.nowMs(),
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
