// The local composition root with fake upstreams and one account: what the proxy tests drive.

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { test } from 'vitest';
import type { MonotonicClock, WaitingClock } from '#core/ports/clock.ts';
import type { ProviderId } from '#core/providers/provider-registry.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { type LocalMetrion, startLocalMetrion } from '#local/local-metrion.ts';
import {
  FAKE_ANTHROPIC_API_KEY,
  startFakeAnthropic,
} from '../../fixtures/fake-anthropic-server.ts';
import {
  startFakeGemini,
  startFakeMistral,
  startFakeXai,
} from '../../fixtures/fake-openai-compatible-servers.ts';
import { FAKE_OPENAI_API_KEY, startFakeOpenAi } from '../../fixtures/fake-openai-server.ts';
import type { FakeUpstream } from '../../fixtures/fake-upstream-scenarios.ts';
import { readUntil } from '../../fixtures/read-until.ts';

export interface ProxyStack {
  readonly metrion: LocalMetrion;
  readonly openai: FakeUpstream;
  readonly anthropic: FakeUpstream;
  /** The fake behind each provider (the OpenAI fake serves Gemini, Mistral and Grok by default). */
  readonly upstreams: Readonly<Record<ProviderId, FakeUpstream>>;
  readonly accountId: string;
  readonly metrionKey: string;
  /** Every log line the stack wrote. */
  readonly logLines: string[];
  /** The account's usage records, newest first. */
  records(): Promise<UsageRecord[]>;
  /**
   * The account's records once every request that ended has written its record: records are
   * written after the response ends, so a count taken right after a request may miss it (use
   * this for `before`). It waits for every running request, so release held ones first.
   */
  settledRecords(): Promise<UsageRecord[]>;
  /** Waits for the record of one request (its `x-metrion-request-id`). */
  recordFor(requestId: string | null | undefined): Promise<UsageRecord>;
  /** Waits until the account has exactly `count` records (usage lands after the response ends). */
  waitForRecords(count: number): Promise<UsageRecord[]>;
  close(): Promise<void>;
}

export interface ProxyStackOptions {
  readonly headerTimeoutMs?: number;
  readonly idleTimeoutMs?: number;
  /** Pins the proxy's time (limit windows, cache expiry). */
  readonly clock?: MonotonicClock & WaitingClock;
  /**
   * Gemini, Mistral and Grok get fakes of their own (with each provider's wire quirks and key
   * format) and the account stores a key for each. @default false
   */
  readonly providerFakes?: boolean;
  /** Reasoning tokens the Grok fake reports outside `completion_tokens`. @default 0 */
  readonly grokReasoningTokens?: number;
  /** Origins that replace a fake's (e.g. a port nothing listens on). */
  readonly originOverrides?: Partial<Record<ProviderId, string>>;
  /** Where the price refresh reads the price data (a fake). */
  readonly pricesUrl?: string;
  /** How often the proxy looks for a new price version. @default 5 minutes */
  readonly priceCheckIntervalMs?: number;
}

/** The fake upstreams: OpenAI's serves Gemini, Mistral and Grok unless they get their own. */
async function startUpstreams(
  providerFakes: boolean,
  grokReasoningTokens: number,
): Promise<Record<ProviderId, FakeUpstream>> {
  const [openai, anthropic] = await Promise.all([startFakeOpenAi(), startFakeAnthropic()]);
  const compatible = providerFakes
    ? await Promise.all([
        startFakeGemini(),
        startFakeMistral(),
        startFakeXai({ reasoningTokens: grokReasoningTokens }),
      ])
    : [openai, openai, openai];
  const [gemini, mistral, grok] = compatible as [FakeUpstream, FakeUpstream, FakeUpstream];
  return { anthropic, openai, gemini, mistral, grok };
}

export async function startProxyStack(options: ProxyStackOptions = {}): Promise<ProxyStack> {
  const { providerFakes = false, grokReasoningTokens, originOverrides, ...localOptions } = options;
  const upstreams = await startUpstreams(providerFakes, grokReasoningTokens ?? 0);
  const { openai, anthropic } = upstreams;
  const logLines: string[] = [];
  const metrion = await startLocalMetrion({
    upstreamOrigins: {
      ...Object.fromEntries(
        Object.entries(upstreams).map(([provider, fake]) => [provider, fake.origin]),
      ),
      ...originOverrides,
    },
    logWrite: (line) => logLines.push(line),
    ...localOptions,
  });
  const created = await metrion.data.accountService.createAccount({ email: 'dev@example.com' });
  const { accountId } = created.account;
  await metrion.data.accountService.putProviderKey(accountId, 'openai', FAKE_OPENAI_API_KEY);
  await metrion.data.accountService.putProviderKey(accountId, 'anthropic', FAKE_ANTHROPIC_API_KEY);
  if (providerFakes) {
    for (const provider of ['gemini', 'mistral', 'grok'] as const) {
      await metrion.data.accountService.putProviderKey(
        accountId,
        provider,
        upstreams[provider].apiKey,
      );
    }
  }

  const records = () => metrion.data.usage.listRecent(accountId, 1000);
  return {
    metrion,
    openai,
    anthropic,
    upstreams,
    accountId,
    metrionKey: created.metrionKey,
    logLines,
    records,
    async settledRecords() {
      await metrion.idle();
      return records();
    },
    async recordFor(requestId) {
      if (!requestId) throw new Error('the response carried no x-metrion-request-id');
      const isIt = (candidate: UsageRecord) => candidate.requestId === requestId;
      const record = (await readUntil(records, (found) => found.some(isIt), 20)).find(isIt);
      if (record === undefined) throw new Error(`no usage record for request ${requestId}`);
      return record;
    },
    async waitForRecords(count) {
      const found = await readUntil(records, (all) => all.length >= count, 20);
      if (found.length !== count) {
        throw new Error(`expected ${count} usage records, found ${found.length}`);
      }
      return found;
    },
    async close() {
      await metrion.close();
      await Promise.all([...new Set(Object.values(upstreams))].map((fake) => fake.close()));
    },
  };
}

/**
 * The official OpenAI client in stored mode (the account's Metrion Key) for one
 * OpenAI-compatible provider, without retries so every answer reaches the test.
 */
export function storedOpenAi(
  stack: ProxyStack,
  provider: Exclude<ProviderId, 'anthropic'> = 'openai',
  defaultHeaders: Record<string, string> = {},
): OpenAI {
  return new OpenAI({
    apiKey: stack.metrionKey,
    baseURL: stack.metrion.proxyBaseUrls[provider],
    defaultHeaders,
    maxRetries: 0,
  });
}

/** The official Anthropic client in stored mode, without retries. */
export function storedAnthropic(
  stack: ProxyStack,
  defaultHeaders: Record<string, string> = {},
): Anthropic {
  return new Anthropic({
    apiKey: stack.metrionKey,
    baseURL: stack.metrion.proxyBaseUrls.anthropic,
    defaultHeaders,
    maxRetries: 0,
  });
}

/**
 * `it` with the file's proxy stack as its `stack` fixture: started when the file's first test
 * asks for it, closed after the file's last test.
 */
export function proxyStackTest(options: ProxyStackOptions = {}) {
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern (none here).
  return test.extend('stack', { scope: 'file' }, async ({}, { onCleanup }) => {
    const stack = await startProxyStack(options);
    onCleanup(() => stack.close());
    return stack;
  });
}
