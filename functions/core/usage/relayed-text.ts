import type { UsageFormat } from './extract-usage.ts';
import type { SseEvent } from './sse-parser.ts';

/**
 * What a stream relayed so far, kept to estimate its usage when the client leaves before the
 * provider reported it. The text never leaves the process: it is only counted, never recorded.
 */
export interface RelayedText {
  /** Feeds the next SSE event (the same events the usage accumulator sees); never throws. */
  addSseEvent(event: SseEvent): void;
  /** Feeds an event's already-parsed JSON body (the usage tap shares the accumulator's parse). */
  addEventBody(body: Record<string, unknown>): void;
  /** The generated text relayed so far: content, reasoning and tool-call argument deltas. */
  text(): string;
  /**
   * The provider has reported its final usage: an OpenAI-compatible `usage` object, Anthropic's
   * `message_delta` usage, or a Responses API `response.usage`. Anthropic's `message_start`
   * usage (input counts, output 1) is not final.
   */
  usageReported(): boolean;
}

/**
 * Collects the relayed output text per wire format. Anthropic: `content_block_delta` deltas
 * (`text`, `thinking`, `partial_json`). OpenAI-compatible: every choice's `delta.content`,
 * `delta.reasoning_content` / `delta.reasoning` (xAI, Mistral, DeepSeek-style) and
 * `delta.tool_calls[].function.arguments`; a string `delta` at the top level (Responses API
 * `response.*.delta` events) is taken too.
 */
export function createRelayedText(wireFormat: UsageFormat): RelayedText {
  const parts: string[] = [];
  let usageReported = false;

  const add = (value: unknown): void => {
    if (typeof value === 'string' && value !== '') parts.push(value);
  };

  const anthropicEvent = (body: Record<string, unknown>): void => {
    if (body.type === 'message_delta' && isRecord(body.usage)) usageReported = true;
    if (body.type !== 'content_block_delta' || !isRecord(body.delta)) return;
    add(body.delta.text);
    add(body.delta.thinking);
    add(body.delta.partial_json);
  };

  const openAiEvent = (body: Record<string, unknown>): void => {
    if (isRecord(body.usage) || (isRecord(body.response) && isRecord(body.response.usage))) {
      usageReported = true;
    }
    add(body.delta);
    if (!Array.isArray(body.choices)) return;
    for (const choice of body.choices) {
      if (!isRecord(choice) || !isRecord(choice.delta)) continue;
      const { delta } = choice;
      add(delta.reasoning_content);
      add(delta.reasoning);
      add(delta.content);
      if (!Array.isArray(delta.tool_calls)) continue;
      for (const call of delta.tool_calls) {
        if (isRecord(call) && isRecord(call.function)) add(call.function.arguments);
      }
    }
  };

  const addEventBody = (body: Record<string, unknown>): void => {
    if (wireFormat === 'anthropic') anthropicEvent(body);
    else openAiEvent(body);
  };

  return {
    addSseEvent(event) {
      const data = event.data.trim();
      if (data === '' || data === '[DONE]') return;
      let body: unknown;
      try {
        body = JSON.parse(data);
      } catch {
        return;
      }
      if (isRecord(body)) addEventBody(body);
    },
    addEventBody,
    text: () => parts.join(''),
    usageReported: () => usageReported,
  };
}

/**
 * The prompt text of a request body, for counting its input tokens: the system prompt,
 * every message's text (a string, or the `text` of its content parts), tool definitions and
 * tool-call arguments as JSON. Images and audio are not counted (the estimate is low for them).
 */
export function requestText(json: Readonly<Record<string, unknown>>): string {
  const parts: string[] = [];
  const addContent = (content: unknown): void => {
    if (typeof content === 'string') {
      parts.push(content);
      return;
    }
    if (!Array.isArray(content)) return;
    for (const part of content) {
      if (typeof part === 'string') parts.push(part);
      else if (isRecord(part)) {
        if (typeof part.text === 'string') parts.push(part.text);
        if (part.input !== undefined) parts.push(JSON.stringify(part.input));
        if (part.content !== undefined) addContent(part.content);
      }
    }
  };
  addContent(json.system);
  addContent(json.instructions);
  addContent(json.input);
  if (Array.isArray(json.messages)) {
    for (const message of json.messages) {
      if (!isRecord(message)) continue;
      addContent(message.content);
      if (!Array.isArray(message.tool_calls)) continue;
      for (const call of message.tool_calls) {
        if (isRecord(call) && isRecord(call.function)) addContent(call.function.arguments);
      }
    }
  }
  if (json.tools !== undefined) parts.push(JSON.stringify(json.tools));
  return parts.join('\n');
}

/** Tokens a chat format adds around each message (role and separators), per OpenAI's guide. */
export const TOKENS_PER_MESSAGE = 3;

/** How many messages the request holds (for the per-message overhead). */
export function messageCount(json: Readonly<Record<string, unknown>>): number {
  return Array.isArray(json.messages) ? json.messages.length : 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
