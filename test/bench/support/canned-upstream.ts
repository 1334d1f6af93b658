// An UpstreamClient that answers at once, in-process, with bodies rendered once from the fake
// servers' own wire dialects (OpenAI chat completions, Anthropic messages; JSON or SSE): the
// provider costs next to nothing, so what remains of a proxied request is Metrion's own work.
import type {
  UpstreamClient,
  UpstreamRequest,
  UpstreamResponse,
} from '#core/ports/upstream-client.ts';
import { anthropicDialect } from '../../fixtures/fake-anthropic-server.ts';
import { openAiDialect } from '../../fixtures/fake-openai-server.ts';
import {
  type Call,
  DEFAULT_PIECES,
  DEFAULT_TOKENS,
  type WireDialect,
} from '../../fixtures/fake-upstream-scenarios.ts';

/** Hooks for the bench's phase marks. */
export interface CannedUpstreamHooks {
  /** The proxy called `send` (before the answer is produced). */
  readonly onSend?: () => void;
  /** The reader asked for more after the body's last chunk. */
  readonly onBodyEnd?: () => void;
}

interface CannedAnswer {
  readonly headers: Readonly<Record<string, string>>;
  /** One chunk for JSON, one per SSE event for a stream (as a provider flushes them). */
  readonly chunks: readonly Uint8Array[];
}

const encoder = new TextEncoder();

function render(dialect: WireDialect, model: string, streamed: boolean): CannedAnswer {
  const call: Call = {
    // include_usage: what the proxy asks OpenAI for on every stream, and what the bench sends.
    body: { model, stream: streamed, stream_options: { include_usage: true } },
    model: dialect.resolveModel(model),
    tokens: DEFAULT_TOKENS,
    pieces: DEFAULT_PIECES,
  };
  const chunks = streamed
    ? dialect.events(call).map((event) => encoder.encode(event))
    : [encoder.encode(JSON.stringify(dialect.json(call)))];
  return {
    headers: {
      ...dialect.headers(),
      'content-type': streamed ? 'text/event-stream; charset=utf-8' : 'application/json',
    },
    chunks,
  };
}

const ANSWERS = {
  openai: {
    json: render(openAiDialect, 'gpt-4o-mini', false),
    stream: render(openAiDialect, 'gpt-4o-mini', true),
  },
  anthropic: {
    json: render(anthropicDialect, 'claude-haiku-4-5', false),
    stream: render(anthropicDialect, 'claude-haiku-4-5', true),
  },
} as const;

const decoder = new TextDecoder();

function answerFor(request: UpstreamRequest): CannedAnswer {
  const provider = new URL(request.url).pathname.endsWith('/messages') ? 'anthropic' : 'openai';
  const fields = JSON.parse(decoder.decode(request.body)) as { stream?: unknown };
  return ANSWERS[provider][fields.stream === true ? 'stream' : 'json'];
}

/**
 * A pull source with no read-ahead (high-water mark 0): a chunk is produced only when the reader
 * asks, so the read that finds no chunk left is the moment the body ended for the proxy.
 */
function cannedBody(chunks: readonly Uint8Array[], onEnd: () => void): ReadableStream<Uint8Array> {
  let next = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const chunk = chunks[next];
        next += 1;
        if (chunk === undefined) {
          onEnd();
          controller.close();
          return;
        }
        // A copy: a consumer may transfer or keep the buffer; the canned one must stay intact.
        controller.enqueue(chunk.slice());
      },
    },
    { highWaterMark: 0 },
  );
}

/** Answers OpenAI chat completions and Anthropic messages, 200, JSON or SSE as requested. */
export function cannedUpstream(hooks: CannedUpstreamHooks = {}): UpstreamClient {
  const onEnd = hooks.onBodyEnd ?? (() => undefined);
  return {
    async send(request: UpstreamRequest): Promise<UpstreamResponse> {
      hooks.onSend?.();
      const answer = answerFor(request);
      return { status: 200, headers: answer.headers, body: cannedBody(answer.chunks, onEnd) };
    },
  };
}
