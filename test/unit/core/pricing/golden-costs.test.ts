// Golden fixtures: per provider and case, an answer shaped like the provider's documented one
// (JSON and the same answer streamed), read by the usage dialects and priced by the bundled
// table. Each expected cost is worked out by hand below from the provider's published per-token
// prices (USD per million tokens = pico-USD per token), with the price page named.
import { describe, expect, it } from 'vitest';
import { computeCost } from '#core/pricing/bundled-prices.ts';
import type { ProviderId } from '#core/providers/provider-registry.ts';
import { createUsageAccumulator, type UsageFormat } from '#core/usage/extract-usage.ts';
import { createSseParser } from '#core/usage/sse-parser.ts';
import { utf8 } from '../usage/byte-helpers.ts';

const AT = Date.parse('2026-12-01T10:00:00Z');

const ANTHROPIC_PRICES = 'https://platform.claude.com/docs/en/about-claude/pricing';
const OPENAI_PRICES = 'https://platform.openai.com/docs/pricing';
const OPENAI_PRIORITY = 'https://openai.com/api-priority-processing/';
const GEMINI_PRICES = 'https://ai.google.dev/gemini-api/docs/pricing';
const MISTRAL_PRICES = 'https://mistral.ai/pricing';
const XAI_PRICES = 'https://docs.x.ai/docs/models';

interface GoldenCase {
  readonly name: string;
  readonly provider: ProviderId;
  readonly format: UsageFormat;
  /** Where the prices below were read. */
  readonly pricePage: string;
  readonly json: unknown;
  /** The same answer as SSE events: `[event name, data]` (name null: data-only). */
  readonly stream: readonly (readonly [string | null, unknown])[];
  readonly expectedPicoUsd: bigint;
  readonly tierUnpriced?: true;
}

// --- Answer shapes ------------------------------------------------------------------------

/** An Anthropic message, and the same message streamed (final delta restates the counts). */
function anthropic(
  model: string,
  usage: Record<string, unknown>,
  options: { readonly deltaOutputOnly?: boolean } = {},
): Pick<GoldenCase, 'json' | 'stream' | 'format'> {
  const message = {
    id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text: 'Grüße 👋' }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage,
  };
  const { output_tokens: output, ...counts } = usage;
  return {
    format: 'anthropic',
    json: message,
    stream: [
      [
        'message_start',
        {
          type: 'message_start',
          message: {
            ...message,
            content: [],
            stop_reason: null,
            usage: { ...counts, output_tokens: 1 },
          },
        },
      ],
      [
        'content_block_start',
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      ],
      [
        'content_block_delta',
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Grüße 👋' } },
      ],
      ['content_block_stop', { type: 'content_block_stop', index: 0 }],
      [
        'message_delta',
        {
          type: 'message_delta',
          delta: { stop_reason: 'end_turn', stop_sequence: null },
          usage: options.deltaOutputOnly
            ? { output_tokens: output }
            : { ...counts, output_tokens: output },
        },
      ],
      ['message_stop', { type: 'message_stop' }],
    ],
  };
}

/**
 * An OpenAI-compatible chat completion, and the same one streamed: `extra` fields (model,
 * service_tier) on every chunk, usage on the last one (`choices: []`, OpenAI's include_usage) or,
 * with `usageOnEveryChunk` (Gemini), on each chunk.
 */
function chat(
  extra: Record<string, unknown>,
  usage: Record<string, unknown>,
  options: { readonly usageOnEveryChunk?: boolean } = {},
): Pick<GoldenCase, 'json' | 'stream' | 'format'> {
  const base = { id: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG', created: 1741570283, ...extra };
  const delta = (content: string, finish: string | null) => ({
    ...base,
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta: { content }, finish_reason: finish }],
    ...(options.usageOnEveryChunk ? { usage } : {}),
  });
  return {
    format: 'openai',
    json: {
      ...base,
      object: 'chat.completion',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Bonjour ✨' }, finish_reason: 'stop' },
      ],
      usage,
    },
    stream: [
      [null, delta('Bonjour', null)],
      [null, delta(' ✨', 'stop')],
      ...(options.usageOnEveryChunk
        ? []
        : ([[null, { ...base, object: 'chat.completion.chunk', choices: [], usage }]] as const)),
      [null, '[DONE]'],
    ],
  };
}

/** An OpenAI Responses API response, and the same one streamed (usage in response.completed). */
function responses(
  extra: Record<string, unknown>,
  usage: Record<string, unknown>,
): Pick<GoldenCase, 'json' | 'stream' | 'format'> {
  const response = {
    id: 'resp_67ccd2bed1ec8190b14f964abc054267',
    object: 'response',
    created_at: 1741476542,
    status: 'completed',
    output: [
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hi' }] },
    ],
    ...extra,
    usage,
  };
  const inProgress = { ...response, status: 'in_progress', output: [], usage: null };
  return {
    format: 'openai-responses',
    json: response,
    stream: [
      ['response.created', { type: 'response.created', response: inProgress }],
      ['response.output_text.delta', { type: 'response.output_text.delta', delta: 'Hi' }],
      ['response.completed', { type: 'response.completed', response }],
    ],
  };
}

// --- The cases ------------------------------------------------------------------------------

const CASES: readonly GoldenCase[] = [
  {
    name: 'Anthropic, plain answer',
    provider: 'anthropic',
    pricePage: ANTHROPIC_PRICES, // Claude Haiku 4.5: input $1, output $5
    ...anthropic(
      'claude-haiku-4-5-20251001',
      { input_tokens: 2095, output_tokens: 503 },
      { deltaOutputOnly: true },
    ),
    expectedPicoUsd: 2095n * 1_000_000n + 503n * 5_000_000n,
  },
  {
    name: 'Anthropic, cached read',
    provider: 'anthropic',
    pricePage: ANTHROPIC_PRICES, // Claude Sonnet 4.5: input $3, cache hits $0.30, output $15
    ...anthropic('claude-sonnet-4-5-20250929', {
      input_tokens: 21,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 12_020,
      output_tokens: 87,
      service_tier: 'standard',
    }),
    expectedPicoUsd: 21n * 3_000_000n + 12_020n * 300_000n + 87n * 15_000_000n,
  },
  {
    name: 'Anthropic, 5-minute cache write',
    provider: 'anthropic',
    pricePage: ANTHROPIC_PRICES, // Haiku 4.5: 5-minute cache writes $1.25 (1.25x input)
    ...anthropic('claude-haiku-4-5-20251001', {
      input_tokens: 40,
      cache_creation_input_tokens: 2048,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 2048, ephemeral_1h_input_tokens: 0 },
      output_tokens: 10,
      service_tier: 'standard',
    }),
    expectedPicoUsd: 40n * 1_000_000n + 2048n * 1_250_000n + 10n * 5_000_000n,
  },
  {
    name: 'Anthropic, 1-hour cache write next to a 5-minute one',
    provider: 'anthropic',
    pricePage: ANTHROPIC_PRICES, // Sonnet 4.5: 5-minute writes $3.75, 1-hour writes $6 (2x input)
    ...anthropic('claude-sonnet-4-5', {
      input_tokens: 10,
      cache_creation_input_tokens: 5120,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 1024, ephemeral_1h_input_tokens: 4096 },
      output_tokens: 50,
    }),
    expectedPicoUsd: 10n * 3_000_000n + 1024n * 3_750_000n + 4096n * 6_000_000n + 50n * 15_000_000n,
  },
  {
    name: 'Anthropic, extended thinking (inside output_tokens)',
    provider: 'anthropic',
    pricePage: ANTHROPIC_PRICES, // Sonnet 4.5: thinking bills as output, $15
    ...anthropic('claude-sonnet-4-5', { input_tokens: 300, output_tokens: 1_200 }),
    expectedPicoUsd: 300n * 3_000_000n + 1_200n * 15_000_000n,
  },
  {
    name: 'Anthropic, long context (input above 200k)',
    provider: 'anthropic',
    pricePage: ANTHROPIC_PRICES, // Sonnet 4.5 above 200k input: input $6, cache hits $0.60, output $22.50
    ...anthropic('claude-sonnet-4-5', {
      input_tokens: 150_000,
      cache_read_input_tokens: 100_000,
      output_tokens: 2_000,
    }),
    expectedPicoUsd: 150_000n * 6_000_000n + 100_000n * 600_000n + 2_000n * 22_500_000n,
  },
  {
    name: 'Anthropic, priority tier (no per-token price published): standard rate, flagged',
    provider: 'anthropic',
    pricePage: ANTHROPIC_PRICES, // Haiku 4.5 standard rates
    ...anthropic('claude-haiku-4-5', {
      input_tokens: 100,
      output_tokens: 20,
      service_tier: 'priority',
    }),
    expectedPicoUsd: 100n * 1_000_000n + 20n * 5_000_000n,
    tierUnpriced: true,
  },
  {
    name: 'OpenAI chat, cached read',
    provider: 'openai',
    pricePage: OPENAI_PRICES, // gpt-4o-mini: input $0.15, cached input $0.075, output $0.60
    ...chat(
      {
        model: 'gpt-4o-mini-2024-07-18',
        service_tier: 'default',
        system_fingerprint: 'fp_06737a9306',
      },
      {
        prompt_tokens: 2006,
        completion_tokens: 300,
        total_tokens: 2306,
        prompt_tokens_details: { cached_tokens: 1920, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    ),
    expectedPicoUsd: 86n * 150_000n + 1920n * 75_000n + 300n * 600_000n,
  },
  {
    name: 'OpenAI chat, reasoning (inside completion_tokens)',
    provider: 'openai',
    pricePage: OPENAI_PRICES, // o4-mini: input $1.10, cached input $0.275, output $4.40
    ...chat(
      { model: 'o4-mini-2025-04-16', service_tier: 'default' },
      {
        prompt_tokens: 1180,
        completion_tokens: 540,
        total_tokens: 1720,
        prompt_tokens_details: { cached_tokens: 1024 },
        completion_tokens_details: { reasoning_tokens: 448 },
      },
    ),
    expectedPicoUsd: 156n * 1_100_000n + 1024n * 275_000n + 540n * 4_400_000n,
  },
  {
    name: 'OpenAI chat, flex (the Batch rates)',
    provider: 'openai',
    pricePage: OPENAI_PRICES, // gpt-5 flex: input $0.625, cached input $0.0625, output $5
    ...chat(
      { model: 'gpt-5-2025-08-07', service_tier: 'flex' },
      {
        prompt_tokens: 10_000,
        completion_tokens: 3_000,
        total_tokens: 13_000,
        prompt_tokens_details: { cached_tokens: 2_000 },
        completion_tokens_details: { reasoning_tokens: 2_500 },
      },
    ),
    expectedPicoUsd: 8_000n * 625_000n + 2_000n * 62_500n + 3_000n * 5_000_000n,
  },
  {
    name: 'OpenAI chat, priority',
    provider: 'openai',
    pricePage: OPENAI_PRIORITY, // gpt-5 priority: input $2.50, cached input $0.25, output $20
    ...chat(
      { model: 'gpt-5-2025-08-07', service_tier: 'priority' },
      {
        prompt_tokens: 10_000,
        completion_tokens: 3_000,
        total_tokens: 13_000,
        prompt_tokens_details: { cached_tokens: 2_000 },
      },
    ),
    expectedPicoUsd: 8_000n * 2_500_000n + 2_000n * 250_000n + 3_000n * 20_000_000n,
  },
  {
    name: 'OpenAI chat, long context (input of 272k and more)',
    provider: 'openai',
    pricePage: OPENAI_PRICES, // gpt-5.4 above 272k input: input $5, output $22.50
    ...chat(
      { model: 'gpt-5.4', service_tier: 'default' },
      { prompt_tokens: 300_000, completion_tokens: 1_000, total_tokens: 301_000 },
    ),
    expectedPicoUsd: 300_000n * 5_000_000n + 1_000n * 22_500_000n,
  },
  {
    name: 'OpenAI chat, cache writes reported by the model',
    provider: 'openai',
    // gpt-5.6-sol from 2026-08-21: input $4, cached input $0.40, cache writes $5, output $20
    // (the rates genai-prices 0.1.8 records from the pricing page).
    pricePage: OPENAI_PRICES,
    ...chat(
      { model: 'gpt-5.6-sol', service_tier: 'default' },
      {
        prompt_tokens: 10_000,
        completion_tokens: 100,
        total_tokens: 10_100,
        prompt_tokens_details: { cached_tokens: 4_000, cache_write_tokens: 5_000 },
      },
    ),
    expectedPicoUsd:
      1_000n * 4_000_000n + 4_000n * 400_000n + 5_000n * 5_000_000n + 100n * 20_000_000n,
  },
  {
    name: 'OpenAI Responses API, cached read and reasoning',
    provider: 'openai',
    pricePage: OPENAI_PRICES, // gpt-5-mini: input $0.25, cached input $0.025, output $2
    ...responses(
      { model: 'gpt-5-mini-2025-08-07', service_tier: 'default' },
      {
        input_tokens: 1_200,
        input_tokens_details: { cached_tokens: 200 },
        output_tokens: 300,
        output_tokens_details: { reasoning_tokens: 256 },
        total_tokens: 1_500,
      },
    ),
    expectedPicoUsd: 1_000n * 250_000n + 200n * 25_000n + 300n * 2_000_000n,
  },
  {
    name: 'OpenAI Responses API, flex',
    provider: 'openai',
    pricePage: OPENAI_PRICES, // o3 flex: input $1, cached input $0.25, output $4
    ...responses(
      { model: 'o3-2025-04-16', service_tier: 'flex' },
      {
        input_tokens: 5_000,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: 4_000,
        output_tokens_details: { reasoning_tokens: 3_500 },
        total_tokens: 9_000,
      },
    ),
    expectedPicoUsd: 5_000n * 1_000_000n + 4_000n * 4_000_000n,
  },
  {
    name: 'Gemini, cached read (OpenAI-compatible endpoint)',
    provider: 'gemini',
    pricePage: GEMINI_PRICES, // Gemini 2.5 Flash: input $0.30, context caching $0.03, output $2.50
    ...chat(
      { model: 'gemini-2.5-flash' },
      {
        completion_tokens: 4,
        prompt_tokens: 5_120,
        total_tokens: 5_124,
        prompt_tokens_details: { cached_tokens: 4_096 },
      },
      { usageOnEveryChunk: true },
    ),
    expectedPicoUsd: 1_024n * 300_000n + 4_096n * 30_000n + 4n * 2_500_000n,
  },
  {
    name: 'Gemini, thinking counted only in total_tokens',
    provider: 'gemini',
    pricePage: GEMINI_PRICES, // Gemini 2.5 Flash: output including thinking $2.50
    ...chat(
      { model: 'gemini-2.5-flash' },
      { completion_tokens: 8, prompt_tokens: 21, total_tokens: 89 },
      { usageOnEveryChunk: true },
    ),
    expectedPicoUsd: 21n * 300_000n + (8n + 60n) * 2_500_000n,
  },
  {
    name: 'Gemini, thinking itemised as reasoning_tokens outside completion_tokens',
    provider: 'gemini',
    pricePage: GEMINI_PRICES, // Gemini 2.5 Flash: output including thinking $2.50
    ...chat(
      { model: 'gemini-2.5-flash' },
      {
        completion_tokens: 8,
        prompt_tokens: 21,
        total_tokens: 89,
        completion_tokens_details: { reasoning_tokens: 60 },
      },
      { usageOnEveryChunk: true },
    ),
    expectedPicoUsd: 21n * 300_000n + 68n * 2_500_000n,
  },
  {
    name: 'Gemini, long context (prompts above 200k)',
    provider: 'gemini',
    pricePage: GEMINI_PRICES, // Gemini 2.5 Pro above 200k: input $2.50, output $15
    ...chat(
      { model: 'gemini-2.5-pro' },
      { completion_tokens: 1_000, prompt_tokens: 250_000, total_tokens: 251_000 },
      { usageOnEveryChunk: true },
    ),
    expectedPicoUsd: 250_000n * 2_500_000n + 1_000n * 15_000_000n,
  },
  {
    name: 'Mistral, plain answer',
    provider: 'mistral',
    pricePage: MISTRAL_PRICES, // Mistral Small: input $0.10, output $0.30
    ...chat(
      { model: 'mistral-small-latest' },
      { prompt_tokens: 10, total_tokens: 25, completion_tokens: 15 },
    ),
    expectedPicoUsd: 10n * 100_000n + 15n * 300_000n,
  },
  {
    name: 'Mistral, reasoning model (thinking inside completion_tokens)',
    provider: 'mistral',
    pricePage: MISTRAL_PRICES, // Magistral Medium: input $2, output $5
    ...chat(
      { model: 'magistral-medium-2509' },
      { prompt_tokens: 40, total_tokens: 1_040, completion_tokens: 1_000 },
    ),
    expectedPicoUsd: 40n * 2_000_000n + 1_000n * 5_000_000n,
  },
  {
    name: 'Grok, reasoning outside completion_tokens, cached read',
    provider: 'grok',
    pricePage: XAI_PRICES, // grok-3-mini: input $0.30, cached input $0.075, output $0.50
    ...chat(
      { model: 'grok-3-mini', system_fingerprint: 'fp_d133ae3397' },
      {
        prompt_tokens: 28,
        completion_tokens: 2,
        total_tokens: 298,
        prompt_tokens_details: { text_tokens: 28, cached_tokens: 6 },
        completion_tokens_details: { reasoning_tokens: 268 },
        num_sources_used: 0,
      },
    ),
    expectedPicoUsd: 22n * 300_000n + 6n * 75_000n + 270n * 500_000n,
  },
  {
    name: 'Grok, Responses API with reasoning outside output_tokens',
    provider: 'grok',
    pricePage: XAI_PRICES, // grok-4-0709: input $3, cached input $0.75, output $15
    ...responses(
      { model: 'grok-4-0709' },
      {
        input_tokens: 700,
        input_tokens_details: { cached_tokens: 679 },
        output_tokens: 3,
        output_tokens_details: { reasoning_tokens: 320 },
        total_tokens: 1_023,
      },
    ),
    expectedPicoUsd: 21n * 3_000_000n + 679n * 750_000n + 323n * 15_000_000n,
  },
];

// --- Reading and pricing --------------------------------------------------------------------

function fromJson(fixture: GoldenCase) {
  const accumulator = createUsageAccumulator(fixture.format);
  accumulator.addJsonBody(JSON.stringify(fixture.json));
  return accumulator.observation();
}

function fromStream(fixture: GoldenCase) {
  const text = fixture.stream
    .map(
      ([event, data]) =>
        `${event === null ? '' : `event: ${event}\n`}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`,
    )
    .join('');
  const parser = createSseParser();
  const accumulator = createUsageAccumulator(fixture.format);
  for (const event of [...parser.push(utf8(text)), ...parser.end()]) accumulator.addSseEvent(event);
  return accumulator.observation();
}

function price(fixture: GoldenCase, observation: ReturnType<typeof fromJson>) {
  const model = observation.model ?? expect.fail(`${fixture.name}: no model read`);
  return computeCost(fixture.provider, model, observation.usage, AT, observation.serviceTier);
}

describe.each(CASES)('golden cost: $name', (fixture) => {
  it(`costs exactly what the published prices give (${fixture.pricePage})`, () => {
    const cost = price(fixture, fromJson(fixture));
    expect(cost.costPicoUsd).toBe(fixture.expectedPicoUsd);
    expect(cost.tierUnpriced).toBe(fixture.tierUnpriced);
  });

  it('costs the same streamed, read to its end', () => {
    const streamed = fromStream(fixture);
    expect(streamed.sawTerminalEvent).toBe(true);
    expect(streamed.usage).toEqual(fromJson(fixture).usage);
    expect(price(fixture, streamed)).toEqual(price(fixture, fromJson(fixture)));
  });
});

describe('golden costs across tiers', () => {
  it('makes a flex request cost half of the same standard request', () => {
    const flex = CASES.find((fixture) => fixture.name.startsWith('OpenAI chat, flex'));
    const json = flex?.json as { service_tier: string };
    const standard = { ...(flex as GoldenCase), json: { ...json, service_tier: 'default' } };
    expect(2n * (price(flex as GoldenCase, fromJson(flex as GoldenCase)).costPicoUsd ?? 0n)).toBe(
      price(standard, fromJson(standard)).costPicoUsd,
    );
  });
});
