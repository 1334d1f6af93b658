// THE bench's composition root for the proxy Lambda: the object graph of buildProxyDeps
// (functions/lambda/proxy.deps.ts) with in-memory stores in place of the DynamoDB adapters, every
// store passed through `wrapPort` first. When the production wiring changes (a new port, a port
// replaced), this one function follows it; nothing else in the bench knows the ports.
import '#local/awslambda-shim.ts';
import { CryptoRandom } from '#adapters/system/crypto-random.ts';
import { JsonLogger } from '#adapters/system/json-logger.ts';
import { SystemClock } from '#adapters/system/system-clock.ts';
import { GptTokenizerCounter } from '#adapters/tokenizer/gpt-tokenizer-counter.ts';
import { createAccountService } from '#core/accounts/account-service.ts';
import { BudgetViewCache } from '#core/budgets/budget-view-cache.ts';
import type { ProxyAdmission } from '#core/ports/proxy-admission.ts';
import type { UpstreamClient } from '#core/ports/upstream-client.ts';
import { createProxyService } from '#core/proxy/proxy-service.ts';
import { resolveUpstreamOrigins } from '#core/proxy/upstream-request.ts';
import { createSecretVault } from '#core/vault/secret-vault.ts';
import { createProxyHandler } from '#handlers/proxy.ts';
import type { StreamingLambdaHandler } from '#local/awslambda-shim.ts';
import { fixedPrices } from '../../fakes/fixed-prices.ts';
import { InMemoryAccountDataKeyStore } from '../../fakes/in-memory-account-data-key-store.ts';
import { InMemoryAccountEmailIndex } from '../../fakes/in-memory-account-email-index.ts';
import { InMemoryAccountStore } from '../../fakes/in-memory-account-store.ts';
import { InMemoryDataKeyProvider } from '../../fakes/in-memory-data-key-provider.ts';
import { InMemoryRequestTraceStore } from '../../fakes/in-memory-request-trace-store.ts';
import { InMemoryResponseCacheStore } from '../../fakes/in-memory-response-cache-store.ts';
import { InMemoryUsageStore } from '../../fakes/in-memory-usage-store.ts';
import { FAKE_ANTHROPIC_API_KEY } from '../../fixtures/fake-anthropic-server.ts';
import { FAKE_OPENAI_API_KEY } from '../../fixtures/fake-openai-server.ts';

/**
 * Puts a store in front of the core: the identity, or a {@link delayedPort}. `roundTrips` names
 * the methods whose real adapter makes more than one sequential network round trip.
 */
export type PortWrapper = <T extends object>(
  port: T,
  name: string,
  roundTrips?: Readonly<Record<string, number>>,
) => T;

export const UNWRAPPED: PortWrapper = (port) => port;

export interface InMemoryProxyOptions {
  readonly upstream: UpstreamClient;
  readonly wrapPort: PortWrapper;
  /** Where the proxy's JSON log lines go (CloudWatch in AWS). */
  readonly logWrite: (line: string) => void;
}

/** A Free account holding both providers' keys. */
export interface BenchAccount {
  readonly accountId: string;
  readonly metrionKey: string;
}

export interface InMemoryProxy {
  /** `createProxyHandler(...)`: the streaming Lambda handler, exactly as deployed. */
  readonly handler: StreamingLambdaHandler;
  /** The raw usage store (no wrapper): what the run recorded. */
  readonly usage: InMemoryUsageStore;
  /** Creates an account through the unwrapped stores: setup is neither delayed nor counted. */
  createAccount(email: string): Promise<BenchAccount>;
}

/** The proxy handler on in-memory stores, wired as buildProxyDeps wires the Lambda. */
export function buildInMemoryProxy(options: InMemoryProxyOptions): InMemoryProxy {
  const { wrapPort } = options;
  const clock = new SystemClock();
  const random = new CryptoRandom();
  const logger = new JsonLogger({ service: 'metrion-proxy', write: options.logWrite });
  const pepper = new Uint8Array(random.bytes(32));
  const accounts = new InMemoryAccountStore();
  const usage = new InMemoryUsageStore({ clock });
  const dataKeys = new InMemoryDataKeyProvider();
  const accountDataKeys = new InMemoryAccountDataKeyStore();

  const proxy = createProxyService({
    admission: wrapPort<ProxyAdmission>(accounts, 'admission'),
    budgetViews: new BudgetViewCache(),
    budgets: accounts.budgets,
    // The record is the proxy's only write after a request (rollups come from the stream).
    usage: wrapPort(usage, 'usage'),
    responseCache: wrapPort(new InMemoryResponseCacheStore(), 'responseCache'),
    traces: wrapPort(new InMemoryRequestTraceStore({ usage }), 'traces'),
    vault: createSecretVault({
      dataKeyProvider: wrapPort(dataKeys, 'dataKeys'),
      accountDataKeys,
      random,
      clock,
    }),
    pepper,
    upstream: options.upstream,
    clock,
    logger,
    origins: resolveUpstreamOrigins({}),
    prices: fixedPrices(),
    headerTimeoutMs: 30_000,
    idleTimeoutMs: 30_000,
    tokenCounter: new GptTokenizerCounter(),
  });
  const handler = createProxyHandler({ proxy, clock, logger, corsAllowedOrigins: [] });

  const accountService = createAccountService({
    accounts,
    metrionKeys: accounts,
    providerKeys: accounts,
    emails: new InMemoryAccountEmailIndex(),
    vault: createSecretVault({ dataKeyProvider: dataKeys, accountDataKeys, random, clock }),
    random,
    clock,
    pepper,
  });
  return {
    handler: handler as unknown as StreamingLambdaHandler,
    usage,
    async createAccount(email) {
      const { account, metrionKey } = await accountService.createAccount({ email });
      await accountService.putProviderKey(account.accountId, 'openai', FAKE_OPENAI_API_KEY);
      await accountService.putProviderKey(account.accountId, 'anthropic', FAKE_ANTHROPIC_API_KEY);
      return { accountId: account.accountId, metrionKey };
    },
  };
}
