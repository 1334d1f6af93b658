/** The SDKs (and curl) the tag samples on Integrate show, in order. */
export const TAG_SAMPLE_KINDS = [
  'openai-request',
  'openai-default',
  'anthropic',
  'ai-sdk',
  'curl',
] as const;
export type TagSampleKind = (typeof TAG_SAMPLE_KINDS)[number];

export interface TagSampleInput {
  /** The OpenAI base URL of the proxy (`<origin>/api/proxy/openai/v1`). */
  readonly openaiBaseUrl: string;
  /** The Anthropic base URL of the proxy (`<origin>/api/proxy`). */
  readonly anthropicBaseUrl: string;
  readonly metrionKey: string;
}

/**
 * A snippet that tags requests (`x-metrion-tag-<key>: <value>`) and names the requester with
 * the SDK's own end-user field, for one SDK. Every snippet is runnable as shown.
 */
export function tagSample(kind: TagSampleKind, input: TagSampleInput): string {
  const { openaiBaseUrl, anthropicBaseUrl, metrionKey } = input;
  switch (kind) {
    case 'openai-request':
      return `import OpenAI from 'openai';

const client = new OpenAI({ baseURL: '${openaiBaseUrl}', apiKey: '${metrionKey}' });

// Tags for this request only; \`user\` (or \`safety_identifier\`) becomes its requester.
const completion = await client.chat.completions.create(
  {
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Summarise my inbox' }],
    user: 'customer-42',
  },
  { headers: { 'x-metrion-tag-feature': 'inbox-summary', 'x-metrion-tag-plan': 'pro' } },
);
`;
    case 'openai-default':
      return `import OpenAI from 'openai';

// Every request of this client carries these tags.
const client = new OpenAI({
  baseURL: '${openaiBaseUrl}',
  apiKey: '${metrionKey}',
  defaultHeaders: { 'x-metrion-tag-service': 'search-api', 'x-metrion-tag-env': 'prod' },
});

const completion = await client.chat.completions.create({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Find flights to Lisbon' }],
});
`;
    case 'anthropic':
      return `import Anthropic from '@anthropic-ai/sdk';

const client = new Anthropic({
  baseURL: '${anthropicBaseUrl}',
  apiKey: '${metrionKey}',
  defaultHeaders: { 'x-metrion-tag-service': 'support-bot' },
});

// Per-request tags add to the client's; metadata.user_id becomes the requester.
const message = await client.messages.create(
  {
    model: 'claude-haiku-4-5',
    max_tokens: 256,
    messages: [{ role: 'user', content: 'Where is my order?' }],
    metadata: { user_id: 'customer-42' },
  },
  { headers: { 'x-metrion-tag-feature': 'order-status' } },
);
`;
    case 'ai-sdk':
      return `import { createOpenAI } from '@ai-sdk/openai';
import { generateText } from 'ai';

const openai = createOpenAI({ baseURL: '${openaiBaseUrl}', apiKey: '${metrionKey}' });

const { text } = await generateText({
  model: openai.chat('gpt-4o-mini'),
  prompt: 'Draft a reply',
  headers: { 'x-metrion-tag-feature': 'draft-reply', 'x-metrion-user': 'customer-42' },
});
`;
    case 'curl':
      return `curl ${openaiBaseUrl}/chat/completions \\
  -H 'authorization: Bearer ${metrionKey}' \\
  -H 'content-type: application/json' \\
  -H 'x-metrion-tag-feature: nightly-batch' \\
  -H 'x-metrion-tag-run: 2026-12-06' \\
  -d '{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}'
`;
  }
}
