// The soak's request kinds: how each is sent (the official SDKs, or raw HTTP for client mistakes),
// what the fake provider does with it, and the status Metrion documents for it.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { ProviderId } from '#core/providers/provider-registry.ts';
import { FAULT_HEADER } from '#local/fault-injection.ts';
import { anthropicErrorBody } from '../fixtures/fake-anthropic-server.ts';
import { openAiErrorBody } from '../fixtures/fake-openai-server.ts';
import type { Scenario } from '../fixtures/fake-upstream-scenarios.ts';

/** The proxy's header timeout in the soak: a slower first byte is answered 504. */
export const SOAK_HEADER_TIMEOUT_MS = 5_000;

/** Where a request goes and as whom. */
export interface SoakTarget {
  readonly proxyBaseUrls: Readonly<Record<ProviderId, string>>;
  readonly metrionKey: string;
}

/** What came back: the status the client saw, or `cut` when no answer arrived (a kill). */
export type SoakAnswer = number | 'cut';

export interface SoakKind {
  readonly name: string;
  /** How many of every 100 requests are of this kind. */
  readonly weight: number;
  /** The status Metrion documents for it (README, docs/architecture.md). */
  readonly expected: number;
  /** A fault Metrion injects in its own stores or KMS (`x-metrion-test-fault`). */
  readonly fault?: string;
  /** What the fake provider does with it. @default ok */
  readonly scenario?: Scenario;
  /** Sent with the account whose KMS decryption fails (its data key is never cached). */
  readonly kmsAccount?: boolean;
  /** A mistake of the client's: Metrion must answer 4xx, never 5xx. */
  readonly clientMistake?: boolean;
  send(target: SoakTarget, id: string, headers: Record<string, string>): Promise<SoakAnswer>;
}

const OK: Scenario = { kind: 'ok', chunkDelayMs: 60 };

/** The tag in the prompt the fake providers read the scenario from, and the soak its id. */
export function prompt(id: string, kind: string): string {
  return `soak:${kind}:${id}`;
}

/** The request id (`soak-<n>`) and kind a provider-side body carries, if any. */
export function parsePrompt(body: string): { id: string; kind: string } | undefined {
  const match = /soak:([a-z0-9-]+):(soak-\d+)/.exec(body);
  return match ? { kind: match[1] as string, id: match[2] as string } : undefined;
}

function openai(target: SoakTarget): OpenAI {
  return new OpenAI({
    apiKey: target.metrionKey,
    baseURL: target.proxyBaseUrls.openai,
    maxRetries: 0,
    timeout: 60_000,
  });
}

function anthropic(target: SoakTarget): Anthropic {
  return new Anthropic({
    apiKey: target.metrionKey,
    baseURL: target.proxyBaseUrls.anthropic,
    maxRetries: 0,
    timeout: 60_000,
  });
}

/** The SDK error's status, or `cut` when the connection failed without an answer. */
function statusOf(error: unknown): SoakAnswer {
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' ? status : 'cut';
}

/** An OpenAI chat stream read to its end; a cut after the headers still answered their status. */
function openAiStream(kind: string, options: { abortAfterChunks?: number } = {}) {
  return async (target: SoakTarget, id: string, headers: Record<string, string>) => {
    const abort = new AbortController();
    let status: SoakAnswer = 'cut';
    try {
      const { data, response } = await openai(target)
        .chat.completions.create(
          {
            model: 'gpt-4o-mini',
            messages: [{ role: 'user', content: prompt(id, kind) }],
            stream: true,
          },
          { headers, signal: abort.signal },
        )
        .withResponse();
      status = response.status;
      let chunks = 0;
      for await (const _chunk of data) {
        chunks += 1;
        if (chunks === options.abortAfterChunks) abort.abort();
      }
      return status;
    } catch (error) {
      return status === 'cut' ? statusOf(error) : status;
    }
  };
}

function openAiJson(kind: string) {
  return async (target: SoakTarget, id: string, headers: Record<string, string>) => {
    try {
      const { response } = await openai(target)
        .chat.completions.create(
          { model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt(id, kind) }] },
          { headers },
        )
        .withResponse();
      return response.status;
    } catch (error) {
      return statusOf(error);
    }
  };
}

function anthropicMessage(kind: string, stream: boolean) {
  return async (target: SoakTarget, id: string, headers: Record<string, string>) => {
    let status: SoakAnswer = 'cut';
    try {
      const body = {
        model: 'claude-haiku-4-5',
        max_tokens: 200,
        messages: [{ role: 'user' as const, content: prompt(id, kind) }],
      };
      if (!stream) {
        const { response } = await anthropic(target)
          .messages.create(body, { headers })
          .withResponse();
        return response.status;
      }
      const { data, response } = await anthropic(target)
        .messages.create({ ...body, stream: true }, { headers })
        .withResponse();
      status = response.status;
      for await (const _event of data) {
        // to the end
      }
      return status;
    } catch (error) {
      return status === 'cut' ? statusOf(error) : status;
    }
  };
}

/** A raw request for the client mistakes no SDK would send. */
function raw(
  path: string,
  init: { body: string; authorization?: string; extra?: Record<string, string> },
) {
  return async (target: SoakTarget, _id: string, headers: Record<string, string>) => {
    const base = target.proxyBaseUrls.openai.replace(/\/v1$/, '');
    try {
      const response = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: init.authorization ?? `Bearer ${target.metrionKey}`,
          ...headers,
          ...init.extra,
        },
        body: init.body,
      });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 'cut';
    }
  };
}

const chat = (extra: Record<string, unknown>, kind: string) => (id: string) =>
  JSON.stringify({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: prompt(id, kind) }],
    ...extra,
  });

/** A raw client mistake whose body names the request (so a Logs row can be matched). */
function mistake(
  name: string,
  expected: number,
  body: (id: string) => string,
  options: { path?: string; authorization?: string; extra?: Record<string, string> } = {},
): SoakKind {
  return {
    name,
    weight: 1,
    expected,
    clientMistake: true,
    send: (target, id, headers) =>
      raw(options.path ?? '/v1/chat/completions', { body: body(id), ...options })(
        target,
        id,
        headers,
      ),
  };
}

/** Every kind the soak sends, about 100 weight in all. */
export const SOAK_KINDS: readonly SoakKind[] = [
  { name: 'stream', weight: 26, expected: 200, scenario: OK, send: openAiStream('stream') },
  { name: 'json', weight: 16, expected: 200, scenario: OK, send: openAiJson('json') },
  {
    name: 'anthropic-stream',
    weight: 10,
    expected: 200,
    scenario: OK,
    send: anthropicMessage('anthropic-stream', true),
  },
  {
    name: 'anthropic-json',
    weight: 6,
    expected: 200,
    scenario: OK,
    send: anthropicMessage('anthropic-json', false),
  },
  {
    name: 'provider-500',
    weight: 3,
    expected: 500,
    scenario: {
      kind: 'error',
      status: 500,
      body: openAiErrorBody('The server had an error.', 'server_error'),
    },
    send: openAiJson('provider-500'),
  },
  {
    name: 'provider-529',
    weight: 2,
    expected: 529,
    scenario: {
      kind: 'error',
      status: 529,
      body: anthropicErrorBody('overloaded_error', 'Overloaded'),
    },
    send: anthropicMessage('provider-529', true),
  },
  {
    name: 'reset-before-headers',
    weight: 2,
    expected: 502,
    scenario: { kind: 'reset' },
    send: openAiJson('reset-before-headers'),
  },
  {
    name: 'reset-mid-stream',
    weight: 3,
    expected: 200,
    scenario: { kind: 'resetMidStream', afterChunks: 3 },
    send: openAiStream('reset-mid-stream'),
  },
  {
    name: 'slow-first-byte',
    weight: 3,
    expected: 200,
    scenario: { kind: 'delayHeaders', ms: 500 },
    send: openAiStream('slow-first-byte'),
  },
  {
    name: 'first-byte-too-late',
    weight: 2,
    expected: 504,
    scenario: { kind: 'delayHeaders', ms: SOAK_HEADER_TIMEOUT_MS + 2_000 },
    send: openAiStream('first-byte-too-late'),
  },
  {
    name: 'client-abort',
    weight: 4,
    expected: 200,
    scenario: { kind: 'ok', chunkDelayMs: 150 },
    send: openAiStream('client-abort', { abortAfterChunks: 2 }),
  },
  {
    name: 'admission-throttled',
    weight: 2,
    expected: 503,
    fault: 'admission=throttle',
    send: openAiJson('admission-throttled'),
  },
  {
    name: 'admission-timeout',
    weight: 2,
    expected: 503,
    fault: 'admission=timeout',
    send: openAiStream('admission-timeout'),
  },
  {
    name: 'record-throttled',
    weight: 3,
    expected: 200,
    scenario: OK,
    fault: 'record=throttle',
    send: openAiStream('record-throttled'),
  },
  {
    name: 'record-timeout',
    weight: 3,
    expected: 200,
    scenario: OK,
    fault: 'record=timeout',
    send: openAiJson('record-timeout'),
  },
  {
    // Without its trace a request must not reach the provider: answered 503, never sent upstream.
    name: 'trace-throttled',
    weight: 2,
    expected: 503,
    fault: 'trace=throttle',
    send: openAiStream('trace-throttled'),
  },
  {
    // The trace landed but its answer was lost: 503, and the trace is discarded.
    name: 'trace-timeout',
    weight: 1,
    expected: 503,
    fault: 'trace=timeout',
    send: openAiJson('trace-timeout'),
  },
  {
    name: 'kms-error',
    weight: 2,
    expected: 503,
    fault: 'kms=error',
    kmsAccount: true,
    send: openAiJson('kms-error'),
  },
  mistake('malformed-json', 400, (id) => `{"model":"gpt-4o-mini","messages":[{"content":"${id}"`),
  mistake('no-messages', 400, (id) => JSON.stringify({ model: 'gpt-4o-mini', user: id })),
  mistake('unknown-key', 401, chat({}, 'unknown-key'), {
    authorization: 'Bearer sk-metrion-00000000000000000000000000000000',
  }),
  mistake('bad-cache-header', 400, chat({}, 'bad-cache-header'), {
    extra: { 'x-metrion-cache': 'sometimes' },
  }),
  mistake('model-too-long', 400, (id) =>
    JSON.stringify({ model: 'm'.repeat(300), messages: [{ role: 'user', content: id }] }),
  ),
  mistake('unknown-endpoint', 404, chat({}, 'unknown-endpoint'), { path: '/v1/chat/complete' }),
];

/** The headers of one soak request: its id as the requester label, and its fault, if any. */
export function soakHeaders(kind: SoakKind, id: string): Record<string, string> {
  return { 'x-metrion-user': id, ...(kind.fault ? { [FAULT_HEADER]: kind.fault } : {}) };
}

/** The kind for the `n`th request: a fixed rotation through the weights (no randomness). */
export function kindFor(n: number): SoakKind {
  const total = SOAK_KINDS.reduce((sum, kind) => sum + kind.weight, 0);
  let slot = (n * 37) % total;
  for (const kind of SOAK_KINDS) {
    if (slot < kind.weight) return kind;
    slot -= kind.weight;
  }
  return SOAK_KINDS[0] as SoakKind;
}
