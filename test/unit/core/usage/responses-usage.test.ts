import { describe, expect, it } from 'vitest';
import { createUsageAccumulator } from '#core/usage/extract-usage.ts';

const usage = {
  input_tokens: 1200,
  input_tokens_details: { cached_tokens: 200 },
  output_tokens: 300,
  output_tokens_details: { reasoning_tokens: 100 },
  total_tokens: 1500,
};

const event = (type: string, fields: Record<string, unknown>) => ({
  event: type,
  data: JSON.stringify({ type, ...fields }),
});

describe('Responses API usage (issue 14)', () => {
  it('reads a JSON response: cached input as cache reads, reasoning inside the output', () => {
    const accumulator = createUsageAccumulator('openai-responses');
    accumulator.addJsonBody(
      JSON.stringify({
        object: 'response',
        status: 'completed',
        model: 'o4-mini',
        error: null,
        usage,
      }),
    );
    expect(accumulator.observation()).toEqual({
      model: 'o4-mini',
      usage: { inputTokens: 1000, cacheReadTokens: 200, outputTokens: 300, cacheWriteTokens: 0 },
      unparseable: false,
      sawTerminalEvent: true,
    });
  });

  it('reads usage from response.completed in a stream', () => {
    const accumulator = createUsageAccumulator('openai-responses');
    expect(
      accumulator.addSseEvent(
        event('response.created', { response: { model: 'gpt-4o-mini', usage: null } }),
      ),
    ).toBe('other');
    accumulator.addSseEvent(event('response.output_text.delta', { delta: 'Hi' }));
    expect(accumulator.observation().sawTerminalEvent).toBe(false);
    expect(
      accumulator.addSseEvent(
        event('response.completed', {
          response: { model: 'gpt-4o-mini', status: 'completed', usage },
        }),
      ),
    ).toBe('terminal');
    expect(accumulator.observation()).toMatchObject({
      model: 'gpt-4o-mini',
      usage: { inputTokens: 1000, cacheReadTokens: 200, outputTokens: 300 },
      sawTerminalEvent: true,
    });
    expect(accumulator.observation().providerError).toBeUndefined();
  });

  it('adds reasoning tokens only when total_tokens shows them outside output_tokens', () => {
    const accumulator = createUsageAccumulator('openai-responses');
    accumulator.addJsonBody(
      JSON.stringify({
        object: 'response',
        status: 'completed',
        usage: { ...usage, output_tokens: 200, total_tokens: 1500 },
      }),
    );
    expect(accumulator.observation().usage.outputTokens).toBe(300);
  });

  it('records failed and incomplete responses with their usage and status', () => {
    const failed = createUsageAccumulator('openai-responses');
    failed.addSseEvent(
      event('response.failed', {
        response: { status: 'failed', error: { code: 'server_error', message: 'boom' }, usage },
      }),
    );
    expect(failed.observation()).toMatchObject({
      providerError: 'Response failed: boom',
      usage: { inputTokens: 1000 },
      sawTerminalEvent: true,
    });
    const incomplete = createUsageAccumulator('openai-responses');
    incomplete.addJsonBody(
      JSON.stringify({
        object: 'response',
        status: 'incomplete',
        incomplete_details: { reason: 'max_output_tokens' },
        error: null,
        usage,
      }),
    );
    expect(incomplete.observation()).toMatchObject({
      providerError: 'Response incomplete: max_output_tokens',
      usage: { outputTokens: 300 },
    });
  });

  it('takes the error event message as the provider error', () => {
    const accumulator = createUsageAccumulator('openai-responses');
    expect(
      accumulator.addSseEvent(event('error', { code: 'rate_limit', message: 'Slow down' })),
    ).toBe('error');
    expect(accumulator.observation().providerError).toBe('Slow down');
  });

  it('reads embeddings usage (prompt_tokens only) in the chat format', () => {
    const accumulator = createUsageAccumulator('openai');
    accumulator.addJsonBody(
      JSON.stringify({
        object: 'list',
        model: 'text-embedding-3-small',
        data: [],
        usage: { prompt_tokens: 8, total_tokens: 8 },
      }),
    );
    expect(accumulator.observation().usage).toEqual({
      inputTokens: 8,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
  });
});
