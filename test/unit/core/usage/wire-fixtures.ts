// Provider responses in their real wire format (field order, compact JSON, event names),
// with multibyte text so that byte-level splits cut through UTF-8 sequences.

import type { WireFormat } from '#core/providers/provider-registry.ts';
import type { UsageObservation } from '#core/usage/extract-usage.ts';

export interface StreamFixture {
  readonly name: string;
  readonly wireFormat: WireFormat;
  readonly body: string;
  readonly expected: UsageObservation;
  /** The exact bytes of the usage-only chunk event, when the stream has one. */
  readonly usageOnlyEvent?: string;
}

export interface JsonFixture {
  readonly name: string;
  readonly wireFormat: WireFormat;
  readonly body: string;
  readonly expected: UsageObservation;
}

const sse = (data: unknown, event?: string): string =>
  `${event === undefined ? '' : `event: ${event}\n`}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

// --- Anthropic Messages API -------------------------------------------------------------------

const anthropicModel = 'claude-sonnet-4-5-20250929';

export const ANTHROPIC_STREAM: StreamFixture = {
  name: 'Anthropic stream with cache reads and writes',
  wireFormat: 'anthropic',
  body: [
    sse(
      {
        type: 'message_start',
        message: {
          id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
          type: 'message',
          role: 'assistant',
          model: anthropicModel,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: 21,
            cache_creation_input_tokens: 1834,
            cache_read_input_tokens: 12020,
            cache_creation: { ephemeral_5m_input_tokens: 1834, ephemeral_1h_input_tokens: 0 },
            output_tokens: 2,
            service_tier: 'standard',
          },
        },
      },
      'message_start',
    ),
    sse(
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      'content_block_start',
    ),
    sse('{"type": "ping"}', 'ping'),
    sse(
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text: 'Grüße aus Zürich' },
      },
      'content_block_delta',
    ),
    sse(
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text: ' 👋🏽 — 東京' },
      },
      'content_block_delta',
    ),
    sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
    sse(
      {
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: {
          input_tokens: 21,
          cache_creation_input_tokens: 1834,
          cache_read_input_tokens: 12020,
          output_tokens: 87,
        },
      },
      'message_delta',
    ),
    sse({ type: 'message_stop' }, 'message_stop'),
  ].join(''),
  expected: {
    serviceTier: 'standard',
    model: anthropicModel,
    usage: {
      inputTokens: 21,
      outputTokens: 87,
      cacheReadTokens: 12020,
      cacheWriteTokens: 1834,
      cacheWrite5mTokens: 1834,
      cacheWrite1hTokens: 0,
    },
    unparseable: false,
    sawTerminalEvent: true,
  },
};

/** The older shape: `message_delta` reports only the cumulative `output_tokens`. */
export const ANTHROPIC_STREAM_OUTPUT_ONLY_DELTA: StreamFixture = {
  name: 'Anthropic stream whose message_delta carries output_tokens only',
  wireFormat: 'anthropic',
  body: [
    sse(
      {
        type: 'message_start',
        message: {
          id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF',
          type: 'message',
          role: 'assistant',
          model: 'claude-haiku-4-5-20251001',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: 472,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
            output_tokens: 1,
          },
        },
      },
      'message_start',
    ),
    sse(
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      'content_block_start',
    ),
    sse(
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Okay' } },
      'content_block_delta',
    ),
    sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
    sse(
      {
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { output_tokens: 15 },
      },
      'message_delta',
    ),
    sse({ type: 'message_stop' }, 'message_stop'),
  ].join(''),
  expected: {
    model: 'claude-haiku-4-5-20251001',
    usage: { inputTokens: 472, outputTokens: 15, cacheReadTokens: 0, cacheWriteTokens: 0 },
    unparseable: false,
    sawTerminalEvent: true,
  },
};

export const ANTHROPIC_STREAM_ERROR: StreamFixture = {
  name: 'Anthropic stream that fails with an overloaded error',
  wireFormat: 'anthropic',
  body: [
    sse(
      {
        type: 'message_start',
        message: {
          id: 'msg_01ABCD',
          type: 'message',
          role: 'assistant',
          model: anthropicModel,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 12, output_tokens: 1 },
        },
      },
      'message_start',
    ),
    sse({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'error'),
  ].join(''),
  expected: {
    model: anthropicModel,
    usage: { inputTokens: 12, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 },
    providerError: 'Overloaded',
    unparseable: false,
    sawTerminalEvent: false,
  },
};

export const ANTHROPIC_JSON: JsonFixture = {
  name: 'Anthropic message with cache reads and writes',
  wireFormat: 'anthropic',
  body: JSON.stringify({
    id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
    type: 'message',
    role: 'assistant',
    model: anthropicModel,
    content: [{ type: 'text', text: 'Grüße 👋' }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: {
      input_tokens: 2095,
      cache_creation_input_tokens: 2048,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 2048, ephemeral_1h_input_tokens: 0 },
      output_tokens: 503,
      service_tier: 'standard',
    },
  }),
  expected: {
    serviceTier: 'standard',
    model: anthropicModel,
    usage: {
      inputTokens: 2095,
      outputTokens: 503,
      cacheReadTokens: 0,
      cacheWriteTokens: 2048,
      cacheWrite5mTokens: 2048,
      cacheWrite1hTokens: 0,
    },
    unparseable: false,
    sawTerminalEvent: true,
  },
};

export const ANTHROPIC_ERROR_JSON: JsonFixture = {
  name: 'Anthropic error body',
  wireFormat: 'anthropic',
  body: JSON.stringify({
    type: 'error',
    error: { type: 'invalid_request_error', message: 'max_tokens: Field required' },
    request_id: 'req_011CSHoEeqs5C35K2UUqR7Fy',
  }),
  expected: {
    usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
    providerError: 'max_tokens: Field required',
    unparseable: false,
    sawTerminalEvent: true,
  },
};

// --- OpenAI chat completions --------------------------------------------------------------------

const openAiChunk = (fields: Record<string, unknown>): Record<string, unknown> => ({
  id: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
  object: 'chat.completion.chunk',
  created: 1741570283,
  model: 'gpt-4o-mini-2024-07-18',
  service_tier: 'default',
  system_fingerprint: 'fp_06737a9306',
  ...fields,
});

const openAiUsageOnly = sse(
  openAiChunk({
    choices: [],
    usage: {
      prompt_tokens: 2006,
      completion_tokens: 300,
      total_tokens: 2306,
      prompt_tokens_details: { cached_tokens: 1920, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    },
    obfuscation: 'tDxXz',
  }),
);

export const OPENAI_STREAM: StreamFixture = {
  name: 'OpenAI stream with include_usage and cached tokens',
  wireFormat: 'openai',
  body: [
    sse(
      openAiChunk({
        choices: [
          {
            index: 0,
            delta: { role: 'assistant', content: '', refusal: null },
            logprobs: null,
            finish_reason: null,
          },
        ],
        usage: null,
        obfuscation: 'AbC',
      }),
    ),
    sse(
      openAiChunk({
        choices: [
          { index: 0, delta: { content: 'Bonjour à vous' }, logprobs: null, finish_reason: null },
        ],
        usage: null,
        obfuscation: 'x',
      }),
    ),
    sse(
      openAiChunk({
        choices: [{ index: 0, delta: { content: ' ✨🚀' }, logprobs: null, finish_reason: null }],
        usage: null,
        obfuscation: 'Yz0',
      }),
    ),
    sse(
      openAiChunk({
        choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }],
        usage: null,
        obfuscation: 'Q',
      }),
    ),
    openAiUsageOnly,
    sse('[DONE]'),
  ].join(''),
  usageOnlyEvent: openAiUsageOnly,
  expected: {
    serviceTier: 'default',
    model: 'gpt-4o-mini-2024-07-18',
    usage: { inputTokens: 86, outputTokens: 300, cacheReadTokens: 1920, cacheWriteTokens: 0 },
    unparseable: false,
    sawTerminalEvent: true,
  },
};

export const OPENAI_JSON: JsonFixture = {
  name: 'OpenAI completion from a reasoning model (reasoning counted inside completion_tokens)',
  wireFormat: 'openai',
  body: JSON.stringify({
    id: 'chatcmpl-AOcSNuV7NtNGOwNRsDRrFOYNvoNGz',
    object: 'chat.completion',
    created: 1730474671,
    model: 'o4-mini-2025-04-16',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'Ça marche.', refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: {
      prompt_tokens: 1180,
      completion_tokens: 540,
      total_tokens: 1720,
      prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 448,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    },
    service_tier: 'default',
    system_fingerprint: null,
  }),
  expected: {
    serviceTier: 'default',
    model: 'o4-mini-2025-04-16',
    usage: { inputTokens: 156, outputTokens: 540, cacheReadTokens: 1024, cacheWriteTokens: 0 },
    unparseable: false,
    sawTerminalEvent: true,
  },
};

export const OPENAI_ERROR_JSON: JsonFixture = {
  name: 'OpenAI error body',
  wireFormat: 'openai',
  body: JSON.stringify({
    error: {
      message: 'The model `gpt-9` does not exist or you do not have access to it.',
      type: 'invalid_request_error',
      param: null,
      code: 'model_not_found',
    },
  }),
  expected: {
    usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
    providerError: 'The model `gpt-9` does not exist or you do not have access to it.',
    unparseable: false,
    sawTerminalEvent: true,
  },
};

// --- Gemini's OpenAI-compatible endpoint (CRLF line endings, usage repeated on chunks) ---------

const geminiChunk = (fields: Record<string, unknown>): string =>
  sse({
    ...fields,
    created: 1741570283,
    id: 'a3rOaKOqGtDs7dcPq8HhuQ4',
    model: 'gemini-2.5-flash',
    object: 'chat.completion.chunk',
  }).replaceAll('\n', '\r\n');

export const GEMINI_STREAM: StreamFixture = {
  name: 'Gemini OpenAI-compatible stream with usage on the chunks that carry choices',
  wireFormat: 'openai',
  body: [
    geminiChunk({
      choices: [{ delta: { content: 'Das', role: 'assistant' }, index: 0 }],
      usage: { completion_tokens: 1, prompt_tokens: 9, total_tokens: 10 },
    }),
    geminiChunk({
      choices: [{ delta: { content: ' Wetter ist schön ☀️', role: 'assistant' }, index: 0 }],
      usage: { completion_tokens: 7, prompt_tokens: 9, total_tokens: 16 },
    }),
    geminiChunk({
      choices: [{ delta: { content: '.', role: 'assistant' }, finish_reason: 'stop', index: 0 }],
      usage: { completion_tokens: 8, prompt_tokens: 9, total_tokens: 17 },
    }),
    'data: [DONE]\r\n\r\n',
  ].join(''),
  expected: {
    model: 'gemini-2.5-flash',
    usage: { inputTokens: 9, outputTokens: 8, cacheReadTokens: 0, cacheWriteTokens: 0 },
    unparseable: false,
    sawTerminalEvent: true,
  },
};

export const GEMINI_JSON: JsonFixture = {
  name: 'Gemini OpenAI-compatible completion with implicit cache hits',
  wireFormat: 'openai',
  body: JSON.stringify({
    choices: [
      {
        finish_reason: 'stop',
        index: 0,
        message: { content: 'Hallo! 👋', role: 'assistant' },
      },
    ],
    created: 1741570283,
    id: 'a3rOaKOqGtDs7dcPq8HhuQ4',
    model: 'gemini-2.5-flash',
    object: 'chat.completion',
    usage: {
      completion_tokens: 4,
      prompt_tokens: 5120,
      total_tokens: 5124,
      prompt_tokens_details: { cached_tokens: 4096 },
    },
  }),
  expected: {
    model: 'gemini-2.5-flash',
    usage: { inputTokens: 1024, outputTokens: 4, cacheReadTokens: 4096, cacheWriteTokens: 0 },
    unparseable: false,
    sawTerminalEvent: true,
  },
};

export const GEMINI_ERROR_JSON: JsonFixture = {
  name: 'Gemini OpenAI-compatible error (a one-element array)',
  wireFormat: 'openai',
  body: JSON.stringify([
    {
      error: {
        code: 400,
        message: 'API key not valid. Please pass a valid API key.',
        status: 'INVALID_ARGUMENT',
      },
    },
  ]),
  expected: {
    usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
    providerError: 'API key not valid. Please pass a valid API key.',
    unparseable: false,
    sawTerminalEvent: true,
  },
};

// --- Mistral ------------------------------------------------------------------------------------

const mistralChunk = (fields: Record<string, unknown>): string =>
  sse({
    id: '9b8e3f6e1c0a4d0b8f7e2a1c3d5b7e9f',
    object: 'chat.completion.chunk',
    created: 1741570283,
    model: 'mistral-small-latest',
    ...fields,
  });

export const MISTRAL_STREAM: StreamFixture = {
  name: 'Mistral stream with usage on the final chunk that also has choices',
  wireFormat: 'openai',
  body: [
    mistralChunk({
      choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
    }),
    mistralChunk({
      choices: [{ index: 0, delta: { content: 'Très bien, merci' }, finish_reason: null }],
    }),
    mistralChunk({
      choices: [{ index: 0, delta: { content: ' ! 🇫🇷' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 10, total_tokens: 25, completion_tokens: 15 },
    }),
    sse('[DONE]'),
  ].join(''),
  expected: {
    model: 'mistral-small-latest',
    usage: { inputTokens: 10, outputTokens: 15, cacheReadTokens: 0, cacheWriteTokens: 0 },
    unparseable: false,
    sawTerminalEvent: true,
  },
};

export const MISTRAL_ERROR_JSON: JsonFixture = {
  name: 'Mistral error body',
  wireFormat: 'openai',
  body: JSON.stringify({
    object: 'error',
    message: 'Invalid model: mistral-gigantic',
    type: 'invalid_model',
    param: null,
    code: '1500',
  }),
  expected: {
    usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
    providerError: 'Invalid model: mistral-gigantic',
    unparseable: false,
    sawTerminalEvent: true,
  },
};

// --- xAI (Grok): reasoning tokens reported outside completion_tokens --------------------------

const xaiChunk = (fields: Record<string, unknown>): Record<string, unknown> => ({
  id: '4d6f2c1e-8a2b-4e9d-9b1f-0c3a5e7d9f21',
  object: 'chat.completion.chunk',
  created: 1741570283,
  model: 'grok-3-mini',
  ...fields,
  system_fingerprint: 'fp_d133ae3397',
});

const xaiUsageOnly = sse(
  xaiChunk({
    choices: [],
    usage: {
      prompt_tokens: 28,
      completion_tokens: 2,
      total_tokens: 298,
      prompt_tokens_details: {
        text_tokens: 28,
        audio_tokens: 0,
        image_tokens: 0,
        cached_tokens: 6,
      },
      completion_tokens_details: {
        reasoning_tokens: 268,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
      num_sources_used: 0,
    },
  }),
);

export const XAI_STREAM: StreamFixture = {
  name: 'xAI stream with reasoning tokens outside completion_tokens',
  wireFormat: 'openai',
  body: [
    sse(
      xaiChunk({
        choices: [
          { index: 0, delta: { role: 'assistant', reasoning_content: 'Six times seven…' } },
        ],
      }),
    ),
    sse(xaiChunk({ choices: [{ index: 0, delta: { content: '42' } }] })),
    sse(xaiChunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })),
    xaiUsageOnly,
    sse('[DONE]'),
  ].join(''),
  usageOnlyEvent: xaiUsageOnly,
  expected: {
    model: 'grok-3-mini',
    usage: { inputTokens: 22, outputTokens: 270, cacheReadTokens: 6, cacheWriteTokens: 0 },
    unparseable: false,
    sawTerminalEvent: true,
  },
};

export const XAI_JSON: JsonFixture = {
  name: 'xAI completion with reasoning tokens outside completion_tokens',
  wireFormat: 'openai',
  body: JSON.stringify({
    id: '0daf962f-a275-4a3c-839a-047854645532',
    object: 'chat.completion',
    created: 1739301120,
    model: 'grok-4-0709',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'Hello there!', refusal: null },
        finish_reason: 'stop',
      },
    ],
    usage: {
      prompt_tokens: 700,
      completion_tokens: 3,
      total_tokens: 1023,
      prompt_tokens_details: {
        text_tokens: 700,
        audio_tokens: 0,
        image_tokens: 0,
        cached_tokens: 679,
      },
      completion_tokens_details: {
        reasoning_tokens: 320,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
      num_sources_used: 0,
    },
    system_fingerprint: 'fp_3a7881249c',
  }),
  expected: {
    model: 'grok-4-0709',
    usage: { inputTokens: 21, outputTokens: 323, cacheReadTokens: 679, cacheWriteTokens: 0 },
    unparseable: false,
    sawTerminalEvent: true,
  },
};

export const XAI_ERROR_JSON: JsonFixture = {
  name: 'xAI error body (error is a string)',
  wireFormat: 'openai',
  body: JSON.stringify({
    code: 'Client specified an invalid argument',
    error:
      'Incorrect API key provided: xa***zz. You can obtain an API key from https://console.x.ai.',
  }),
  expected: {
    usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
    providerError:
      'Incorrect API key provided: xa***zz. You can obtain an API key from https://console.x.ai.',
    unparseable: false,
    sawTerminalEvent: true,
  },
};

export const STREAM_FIXTURES: readonly StreamFixture[] = [
  ANTHROPIC_STREAM,
  ANTHROPIC_STREAM_OUTPUT_ONLY_DELTA,
  ANTHROPIC_STREAM_ERROR,
  OPENAI_STREAM,
  GEMINI_STREAM,
  MISTRAL_STREAM,
  XAI_STREAM,
];

export const JSON_FIXTURES: readonly JsonFixture[] = [
  ANTHROPIC_JSON,
  ANTHROPIC_ERROR_JSON,
  OPENAI_JSON,
  OPENAI_ERROR_JSON,
  GEMINI_JSON,
  GEMINI_ERROR_JSON,
  MISTRAL_ERROR_JSON,
  XAI_JSON,
  XAI_ERROR_JSON,
];
