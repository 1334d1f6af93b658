import type { WireFormat } from '../providers/provider-registry.ts';

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sse(data: unknown, event?: string): string {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  return `${event === undefined ? '' : `event: ${event}\n`}data: ${payload}\n\n`;
}

/**
 * Turns a cached non-streamed answer into the SSE events the provider would have streamed for
 * it, so SDK stream helpers (`for await`, `messages.stream().finalMessage()`,
 * `chat.completions.stream()`) accept a replayed hit like a live stream.
 * @param includeUsage OpenAI-compatible only: add the usage-only chunk (the caller asked for
 *   `stream_options.include_usage`).
 * @returns The events in order, or undefined when the body is not a answer of that wire format.
 */
export function replayAsSse(
  wireFormat: WireFormat,
  body: Uint8Array,
  includeUsage: boolean,
): string[] | undefined {
  let answer: unknown;
  try {
    answer = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return undefined;
  }
  if (!isRecord(answer)) return undefined;
  return wireFormat === 'anthropic' ? anthropicEvents(answer) : openAiEvents(answer, includeUsage);
}

/** OpenAI-compatible: per choice a delta with the whole message, then its finish chunk. */
function openAiEvents(completion: Json, includeUsage: boolean): string[] | undefined {
  if (!Array.isArray(completion.choices)) return undefined;
  // Fields left undefined drop out in `sse`'s JSON.stringify, as the provider leaves them out.
  const base: Json = {
    id: completion.id,
    object: 'chat.completion.chunk',
    created: completion.created,
    model: completion.model,
    system_fingerprint: completion.system_fingerprint,
    service_tier: completion.service_tier,
  };
  const chunk = (choice: Json): string =>
    sse({ ...base, choices: [choice], usage: includeUsage ? null : undefined });
  const events: string[] = [];
  for (const choice of completion.choices) {
    if (!isRecord(choice) || !isRecord(choice.message)) return undefined;
    const { tool_calls: toolCalls, ...message } = choice.message;
    const index = choice.index ?? 0;
    const delta: Json = { role: message.role ?? 'assistant' };
    for (const [field, value] of Object.entries(message)) {
      if (field !== 'role' && (typeof value === 'string' || value === null)) delta[field] = value;
    }
    events.push(chunk({ index, delta, logprobs: null, finish_reason: null }));
    if (Array.isArray(toolCalls) && toolCalls.length > 0) {
      const calls = toolCalls.map((call, callIndex) => ({
        index: callIndex,
        ...(isRecord(call) ? call : {}),
      }));
      events.push(
        chunk({ index, delta: { tool_calls: calls }, logprobs: null, finish_reason: null }),
      );
    }
    events.push(
      chunk({
        index,
        delta: {},
        logprobs: choice.logprobs ?? null,
        finish_reason: choice.finish_reason ?? 'stop',
      }),
    );
  }
  if (includeUsage && completion.usage !== undefined) {
    events.push(sse({ ...base, choices: [], usage: completion.usage }));
  }
  events.push(sse('[DONE]'));
  return events;
}

/** Anthropic: the full Messages event sequence, one delta per content block. */
function anthropicEvents(message: Json): string[] | undefined {
  if (message.type !== 'message' || !Array.isArray(message.content)) return undefined;
  const usage = isRecord(message.usage) ? message.usage : {};
  const outputTokens = typeof usage.output_tokens === 'number' ? usage.output_tokens : 0;
  const events = [
    sse(
      {
        type: 'message_start',
        message: {
          ...message,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          // As the API does: output so far is at most one token at the start.
          usage: { ...usage, output_tokens: Math.min(1, outputTokens) },
        },
      },
      'message_start',
    ),
  ];
  for (const [index, block] of message.content.entries()) {
    if (!isRecord(block)) return undefined;
    const { start, deltas } = blockEvents(block);
    events.push(
      sse({ type: 'content_block_start', index, content_block: start }, 'content_block_start'),
    );
    for (const delta of deltas) {
      events.push(sse({ type: 'content_block_delta', index, delta }, 'content_block_delta'));
    }
    events.push(sse({ type: 'content_block_stop', index }, 'content_block_stop'));
  }
  const finalUsage: Json = { output_tokens: outputTokens };
  for (const field of ['input_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens']) {
    if (typeof usage[field] === 'number') finalUsage[field] = usage[field];
  }
  events.push(
    sse(
      {
        type: 'message_delta',
        delta: {
          stop_reason: message.stop_reason ?? null,
          stop_sequence: message.stop_sequence ?? null,
        },
        usage: finalUsage,
      },
      'message_delta',
    ),
    sse({ type: 'message_stop' }, 'message_stop'),
  );
  return events;
}

/** How the API streams one content block: an empty start, then its content as deltas. */
function blockEvents(block: Json): { start: Json; deltas: Json[] } {
  if (block.type === 'text' && typeof block.text === 'string') {
    return {
      start: { ...block, text: '' },
      deltas: block.text === '' ? [] : [{ type: 'text_delta', text: block.text }],
    };
  }
  if (block.type === 'tool_use' || block.type === 'server_tool_use') {
    return {
      start: { ...block, input: {} },
      deltas: [{ type: 'input_json_delta', partial_json: JSON.stringify(block.input ?? {}) }],
    };
  }
  if (block.type === 'thinking' && typeof block.thinking === 'string') {
    return {
      start: { ...block, thinking: '', signature: '' },
      deltas: [
        { type: 'thinking_delta', thinking: block.thinking },
        ...(typeof block.signature === 'string'
          ? [{ type: 'signature_delta', signature: block.signature }]
          : []),
      ],
    };
  }
  // Blocks the API sends whole (redacted thinking, tool results): complete in the start event.
  return { start: block, deltas: [] };
}
