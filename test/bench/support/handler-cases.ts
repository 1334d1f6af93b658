// The requests the handler bench sends: four cases (OpenAI and Anthropic, JSON and SSE), each as
// a direct upstream call and as the API Gateway event of the same SDK request, and the handler
// instances whose Free-plan keys carry them.
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { PLAN_LIMITS } from '#core/billing/plans.ts';
import type { UpstreamClient } from '#core/ports/upstream-client.ts';
import { PROXY_PATH_PREFIX } from '#core/providers/routes.ts';
import { buildProxyEvent } from '#local/api-gateway-event.ts';
import { FAKE_ANTHROPIC_API_KEY } from '../../fixtures/fake-anthropic-server.ts';
import { FAKE_OPENAI_API_KEY } from '../../fixtures/fake-openai-server.ts';
import { callDirectly, invokeHandler, type Timing } from './handler-invocation.ts';
import type { BenchAccount, InMemoryProxy } from './in-memory-proxy.ts';
import { runClosedLoop } from './load-generator.ts';

/** Below the Free plan's per-minute limit even if all of a key's requests fell in one minute. */
export const REQUESTS_PER_KEY = Math.floor(0.9 * PLAN_LIMITS.free.requestsPerMinutePerKey);

export interface BenchCase {
  readonly name: string;
  readonly provider: 'openai' | 'anthropic';
  readonly streaming: boolean;
}

export const CASES: readonly BenchCase[] = [
  { name: 'OpenAI JSON', provider: 'openai', streaming: false },
  { name: 'OpenAI stream', provider: 'openai', streaming: true },
  { name: 'Anthropic JSON', provider: 'anthropic', streaming: false },
  { name: 'Anthropic stream', provider: 'anthropic', streaming: true },
];

const MESSAGES = [{ role: 'user', content: 'Say hello in five words.' }];

/** What an SDK sends, both ways: only where it goes and the credential differ. */
export interface CaseRequests {
  direct(): Promise<Timing>;
  proxied(proxy: BenchInstance): Promise<Timing>;
}

/** The JSON body an SDK sends for `benchCase`. */
export function caseBody(benchCase: BenchCase): string {
  return JSON.stringify(
    benchCase.provider === 'openai'
      ? {
          model: 'gpt-4o-mini',
          messages: MESSAGES,
          ...(benchCase.streaming ? { stream: true, stream_options: { include_usage: true } } : {}),
        }
      : {
          model: 'claude-haiku-4-5',
          max_tokens: 64,
          messages: MESSAGES,
          ...(benchCase.streaming ? { stream: true } : {}),
        },
  );
}

/** The provider's path, and the proxy's (the SDKs' base URLs: `/api/proxy/openai/v1`, `/api/proxy`). */
export function casePaths(benchCase: BenchCase): { provider: string; proxy: string } {
  const openai = benchCase.provider === 'openai';
  const provider = openai ? '/v1/chat/completions' : '/v1/messages';
  return { provider, proxy: `${PROXY_PATH_PREFIX}${openai ? '/openai' : ''}${provider}` };
}

/** The headers that carry `key` the way the provider's SDK sends it. */
export function credentialHeaders(benchCase: BenchCase, key: string): Record<string, string> {
  return benchCase.provider === 'openai'
    ? { authorization: `Bearer ${key}` }
    : { 'x-api-key': key, 'anthropic-version': '2023-06-01' };
}

export function caseRequests(benchCase: BenchCase, upstream: UpstreamClient): CaseRequests {
  const openai = benchCase.provider === 'openai';
  const body = new TextEncoder().encode(caseBody(benchCase));
  const paths = casePaths(benchCase);
  const providerPath = paths.provider;
  const credential = (key: string) => credentialHeaders(benchCase, key);
  const direct = {
    url: `${openai ? 'https://api.openai.com' : 'https://api.anthropic.com'}${providerPath}`,
    headers: {
      'content-type': 'application/json',
      ...credential(openai ? FAKE_OPENAI_API_KEY : FAKE_ANTHROPIC_API_KEY),
    },
    body,
  };
  // API Gateway's event for the same request; one template per key, a fresh request id each time.
  const templates = new Map<string, APIGatewayProxyEvent>();
  const templateFor = (metrionKey: string): APIGatewayProxyEvent => {
    let template = templates.get(metrionKey);
    if (template === undefined) {
      const headers = {
        Host: 'api.metrion.example',
        'Content-Type': 'application/json',
        Accept: 'application/json',
        'User-Agent': openai ? 'OpenAI/JS 6.9.0' : 'Anthropic/JS 1.13.0',
        'X-Forwarded-For': '203.0.113.7',
        'X-Forwarded-Proto': 'https',
        ...credential(metrionKey),
      };
      template = buildProxyEvent({
        method: 'POST',
        rawUrl: paths.proxy,
        rawHeaders: Object.entries(headers).flat(),
        body,
        sourceIp: '203.0.113.7',
        resource: `${PROXY_PATH_PREFIX}/{proxy+}`,
        stage: 'prod',
      });
      templates.set(metrionKey, template);
    }
    return template;
  };
  return {
    direct: () => callDirectly(upstream, direct),
    proxied: (instance) => {
      const template = templateFor(instance.nextKey());
      const requestId = randomUUID();
      instance.sent += 1;
      return invokeHandler(instance.proxy.handler, {
        ...template,
        requestContext: { ...template.requestContext, requestId },
      });
    },
  };
}

/** One handler instance with its accounts, keys handed out round-robin. */
export interface BenchInstance {
  readonly proxy: InMemoryProxy;
  readonly accounts: readonly BenchAccount[];
  nextKey(): string;
  /** Proxied requests sent (each must leave exactly one usage record). */
  sent: number;
}

export async function benchInstance(
  proxy: InMemoryProxy,
  requests: number,
): Promise<BenchInstance> {
  const count = Math.ceil(requests / REQUESTS_PER_KEY);
  const accounts = await Promise.all(
    Array.from({ length: count }, (_, index) => proxy.createAccount(`bench-${index}@example.com`)),
  );
  let next = 0;
  return {
    proxy,
    accounts,
    sent: 0,
    nextKey() {
      const account = accounts[next % accounts.length] as BenchAccount;
      next += 1;
      return account.metrionKey;
    },
  };
}

/** One JSON request per key and provider: every data key is unwrapped and cached. */
export async function warmEveryKey(
  instance: BenchInstance,
  upstream: UpstreamClient,
): Promise<void> {
  for (const benchCase of CASES.filter((candidate) => !candidate.streaming)) {
    const requests = caseRequests(benchCase, upstream);
    await runClosedLoop(instance.accounts.length, 10, () => requests.proxied(instance));
  }
}
