import type { WireFormat } from '../providers/provider-registry.ts';
import { createSseParser, type SseEvent } from '../usage/sse-parser.ts';

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Folds a stream's events into the non-streamed answer; `false` from `add` means "give up". */
interface Assembler {
  add(data: Json, event: string | undefined): boolean;
  finish(): Json | undefined;
}

/** Watches a streamed answer pass by and rebuilds the JSON the provider returns without `stream`. */
export interface StreamCapture {
  /** Pass-through: every chunk is emitted unchanged the moment it arrives. */
  readonly transform: TransformStream<Uint8Array, Uint8Array>;
  /**
   * The rebuilt non-streamed answer, once the stream reached its documented end with nothing
   * Metrion does not understand (unknown delta kinds, an error event, a cut-off stream);
   * otherwise undefined, and the answer is simply not cached.
   */
  result(): Uint8Array | undefined;
}

/**
 * Creates a capture for one streamed answer.
 * @param maxStreamBytes Beyond this many streamed bytes the capture gives up (bounded memory).
 */
export function createStreamCapture(wireFormat: WireFormat, maxStreamBytes: number): StreamCapture {
  const parser = createSseParser();
  const assembler = wireFormat === 'anthropic' ? anthropicAssembler() : openAiAssembler();
  let seenBytes = 0;
  let failed = false;
  let ended = false;

  const feed = (events: readonly SseEvent[]): void => {
    for (const event of events) {
      if (failed) return;
      if (wireFormat === 'openai' && event.data === '[DONE]') {
        ended = true;
        continue;
      }
      let data: unknown;
      try {
        data = JSON.parse(event.data);
      } catch {
        failed = true;
        return;
      }
      if (!isRecord(data) || !assembler.add(data, event.event)) failed = true;
      if (wireFormat === 'anthropic' && isRecord(data) && data.type === 'message_stop') {
        ended = true;
      }
    }
  };

  const transform = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      controller.enqueue(chunk);
      if (failed) return;
      seenBytes += chunk.byteLength;
      if (seenBytes > maxStreamBytes) {
        failed = true;
        return;
      }
      feed(parser.push(chunk));
    },
    flush() {
      if (!failed) feed(parser.end());
    },
  });

  return {
    transform,
    result() {
      if (failed || !ended) return undefined;
      const answer = assembler.finish();
      return answer === undefined ? undefined : new TextEncoder().encode(JSON.stringify(answer));
    },
  };
}

interface OpenAiChoice {
  readonly message: Json;
  readonly toolCalls: Json[];
  finishReason?: unknown;
}

/**
 * OpenAI-compatible chunks: string delta fields (`content`, `refusal`, `reasoning_content`…)
 * are concatenated per choice, `tool_calls` merged by index (arguments concatenated), the last
 * `usage` wins. Any other kind of delta field is not understood, so the answer is not cached.
 */
function openAiAssembler(): Assembler {
  let head: Json | undefined;
  let usage: unknown;
  const choices = new Map<number, OpenAiChoice>();
  return {
    add(chunk) {
      if (isRecord(chunk.error)) return false;
      head ??= chunk;
      if (chunk.usage !== undefined && chunk.usage !== null) usage = chunk.usage;
      if (!Array.isArray(chunk.choices)) return false;
      for (const choice of chunk.choices) {
        if (!isRecord(choice) || typeof choice.index !== 'number') return false;
        let state = choices.get(choice.index);
        if (state === undefined) {
          state = { message: { role: 'assistant', content: null }, toolCalls: [] };
          choices.set(choice.index, state);
        }
        if (!mergeOpenAiDelta(state, choice.delta)) return false;
        if (choice.finish_reason !== undefined && choice.finish_reason !== null) {
          state.finishReason = choice.finish_reason;
        }
      }
      return true;
    },
    finish() {
      if (head === undefined || choices.size === 0) return undefined;
      const built = [...choices.entries()].sort(([a], [b]) => a - b);
      if (built.some(([, choice]) => choice.finishReason === undefined)) return undefined;
      // Fields left undefined drop out when `result` serializes the answer.
      return {
        id: head.id,
        object: 'chat.completion',
        created: head.created,
        model: head.model,
        choices: built.map(([index, choice]) => ({
          index,
          message: {
            ...choice.message,
            tool_calls: choice.toolCalls.length > 0 ? choice.toolCalls : undefined,
          },
          logprobs: null,
          finish_reason: choice.finishReason,
        })),
        usage,
        system_fingerprint: head.system_fingerprint,
        service_tier: head.service_tier,
      };
    },
  };
}

function mergeOpenAiDelta(state: OpenAiChoice, delta: unknown): boolean {
  if (delta === undefined || delta === null) return true;
  if (!isRecord(delta)) return false;
  for (const [field, value] of Object.entries(delta)) {
    if (value === null || value === undefined) continue;
    if (field === 'role') {
      if (typeof value !== 'string') return false;
      state.message.role = value;
    } else if (field === 'tool_calls') {
      if (!Array.isArray(value) || !value.every((call) => mergeToolCall(state.toolCalls, call))) {
        return false;
      }
    } else if (typeof value === 'string') {
      const previous = state.message[field];
      state.message[field] = (typeof previous === 'string' ? previous : '') + value;
    } else {
      return false;
    }
  }
  return true;
}

function mergeToolCall(calls: Json[], call: unknown): boolean {
  if (!isRecord(call) || typeof call.index !== 'number') return false;
  const { index, function: fn, ...rest } = call;
  const merged = calls[index] ?? { type: 'function', function: { name: '', arguments: '' } };
  const target = merged.function as { name: string; arguments: string };
  if (fn !== undefined && fn !== null) {
    if (!isRecord(fn)) return false;
    if (typeof fn.name === 'string') target.name += fn.name;
    if (typeof fn.arguments === 'string') target.arguments += fn.arguments;
  }
  for (const [field, value] of Object.entries(rest)) {
    if (value !== null && value !== undefined) merged[field] = value;
  }
  calls[index] = merged;
  return true;
}

/**
 * Anthropic events: `message_start` gives the message, content blocks are rebuilt from their
 * deltas (`text_delta`, `input_json_delta`, `thinking_delta`, `signature_delta`,
 * `citations_delta`), `message_delta` sets the stop reason and the final usage counts.
 */
function anthropicAssembler(): Assembler {
  let message: Json | undefined;
  const blocks: Json[] = [];
  const partialJson = new Map<number, string>();
  return {
    add(event) {
      switch (event.type) {
        case 'ping':
          return true;
        case 'message_start':
          if (!isRecord(event.message)) return false;
          message = { ...event.message, content: [] };
          return true;
        case 'content_block_start':
          if (typeof event.index !== 'number' || !isRecord(event.content_block)) return false;
          blocks[event.index] = { ...event.content_block };
          return true;
        case 'content_block_delta':
          return typeof event.index === 'number' && applyBlockDelta(event, blocks, partialJson);
        case 'content_block_stop': {
          if (typeof event.index !== 'number') return false;
          const json = partialJson.get(event.index);
          const block = blocks[event.index];
          if (json === undefined || block === undefined) return block !== undefined;
          try {
            block.input = json === '' ? {} : JSON.parse(json);
          } catch {
            return false;
          }
          return true;
        }
        case 'message_delta': {
          if (message === undefined || !isRecord(event.delta)) return false;
          Object.assign(message, event.delta);
          if (isRecord(event.usage)) {
            const usage = isRecord(message.usage) ? { ...message.usage } : {};
            for (const [field, value] of Object.entries(event.usage)) {
              if (value !== null && value !== undefined) usage[field] = value;
            }
            message.usage = usage;
          }
          return true;
        }
        case 'message_stop':
          return message !== undefined;
        default:
          return false;
      }
    },
    finish() {
      if (message === undefined || blocks.some((block) => block === undefined)) return undefined;
      return { ...message, content: blocks };
    },
  };
}

function applyBlockDelta(event: Json, blocks: Json[], partialJson: Map<number, string>): boolean {
  const index = event.index as number;
  const block = blocks[index];
  const delta = event.delta;
  if (block === undefined || !isRecord(delta)) return false;
  const append = (field: string, value: unknown): boolean => {
    if (typeof value !== 'string') return false;
    const previous = block[field];
    block[field] = (typeof previous === 'string' ? previous : '') + value;
    return true;
  };
  switch (delta.type) {
    case 'text_delta':
      return append('text', delta.text);
    case 'thinking_delta':
      return append('thinking', delta.thinking);
    case 'signature_delta':
      if (typeof delta.signature !== 'string') return false;
      block.signature = delta.signature;
      return true;
    case 'input_json_delta':
      if (typeof delta.partial_json !== 'string') return false;
      partialJson.set(index, (partialJson.get(index) ?? '') + delta.partial_json);
      return true;
    case 'citations_delta':
      block.citations = [
        ...(Array.isArray(block.citations) ? block.citations : []),
        delta.citation,
      ];
      return true;
    default:
      return false;
  }
}
