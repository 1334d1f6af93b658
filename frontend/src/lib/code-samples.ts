import { aiSdkBaseUrl } from '#contracts/providers.ts';
import { PROVIDERS, type ProviderId } from './providers.ts';

/** Languages (and frameworks) with a ready-to-paste sample. `ai-sdk`: the Vercel AI SDK. */
export const SAMPLE_LANGUAGES = ['typescript', 'ai-sdk', 'python'] as const;
export type SampleLanguage = (typeof SAMPLE_LANGUAGES)[number];

/**
 * `stored`: the Metrion Key is the API key and Metrion sends the saved provider key upstream.
 * `pass-through`: the caller's own provider key is forwarded, the Metrion Key names the account.
 */
export const SAMPLE_MODES = ['stored', 'pass-through'] as const;
export type SampleMode = (typeof SAMPLE_MODES)[number];

export interface SampleInput {
  readonly provider: ProviderId;
  readonly language: SampleLanguage;
  readonly mode: SampleMode;
  /** The proxy base URL for this provider. */
  readonly baseUrl: string;
  readonly metrionKey: string;
}

// A priced, inexpensive model per provider, so the first request shows a real cost.
const SAMPLE_MODELS: Readonly<Record<ProviderId, string>> = {
  anthropic: 'claude-haiku-4-5',
  openai: 'gpt-4o-mini',
  gemini: 'gemini-2.5-flash',
  mistral: 'mistral-small-latest',
  grok: 'grok-4-fast',
};

// Where each provider's SDK convention keeps its own key in pass-through mode.
const KEY_ENV_VARS: Readonly<Record<ProviderId, string>> = {
  anthropic: 'ANTHROPIC_API_KEY',
  openai: 'OPENAI_API_KEY',
  gemini: 'GEMINI_API_KEY',
  mistral: 'MISTRAL_API_KEY',
  grok: 'XAI_API_KEY',
};

function anthropicTypeScript({ mode, baseUrl, metrionKey }: SampleInput): string {
  const auth =
    mode === 'stored'
      ? `  apiKey: '${metrionKey}',`
      : `  apiKey: process.env.ANTHROPIC_API_KEY,\n  defaultHeaders: { 'x-metrion-token': '${metrionKey}' },`;
  return `import Anthropic from '@anthropic-ai/sdk';

const client = new Anthropic({
  baseURL: '${baseUrl}',
${auth}
});

const message = await client.messages.create({
  model: '${SAMPLE_MODELS.anthropic}',
  max_tokens: 256,
  messages: [{ role: 'user', content: 'Hello from Metrion' }],
});
console.log(message.content);
`;
}

function anthropicPython({ mode, baseUrl, metrionKey }: SampleInput): string {
  const auth =
    mode === 'stored'
      ? `    api_key="${metrionKey}",`
      : `    api_key=os.environ["ANTHROPIC_API_KEY"],\n    default_headers={"x-metrion-token": "${metrionKey}"},`;
  return `${mode === 'stored' ? '' : 'import os\n'}import anthropic

client = anthropic.Anthropic(
    base_url="${baseUrl}",
${auth}
)

message = client.messages.create(
    model="${SAMPLE_MODELS.anthropic}",
    max_tokens=256,
    messages=[{"role": "user", "content": "Hello from Metrion"}],
)
print(message.content)
`;
}

// Providers that offer the OpenAI Responses API (`/responses`) besides chat completions.
const RESPONSES_API: ReadonlySet<ProviderId> = new Set(['openai', 'grok']);

function openAiTypeScript({ provider, mode, baseUrl, metrionKey }: SampleInput): string {
  const auth =
    mode === 'stored'
      ? `  apiKey: '${metrionKey}',`
      : `  apiKey: process.env.${KEY_ENV_VARS[provider]},\n  defaultHeaders: { 'x-metrion-token': '${metrionKey}' },`;
  const client = `import OpenAI from 'openai';

const client = new OpenAI({
  baseURL: '${baseUrl}',
${auth}
});
`;
  if (RESPONSES_API.has(provider)) {
    return `${client}
// The Responses API; chat.completions.create works the same way.
const response = await client.responses.create({
  model: '${SAMPLE_MODELS[provider]}',
  input: 'Hello from Metrion',
});
console.log(response.output_text);
`;
  }
  return `${client}
const completion = await client.chat.completions.create({
  model: '${SAMPLE_MODELS[provider]}',
  messages: [{ role: 'user', content: 'Hello from Metrion' }],
});
console.log(completion.choices[0]?.message.content);
`;
}

function openAiPython({ provider, mode, baseUrl, metrionKey }: SampleInput): string {
  const auth =
    mode === 'stored'
      ? `    api_key="${metrionKey}",`
      : `    api_key=os.environ["${KEY_ENV_VARS[provider]}"],\n    default_headers={"x-metrion-token": "${metrionKey}"},`;
  return `${mode === 'stored' ? '' : 'import os\n'}from openai import OpenAI

client = OpenAI(
    base_url="${baseUrl}",
${auth}
)

completion = client.chat.completions.create(
    model="${SAMPLE_MODELS[provider]}",
    messages=[{"role": "user", "content": "Hello from Metrion"}],
)
print(completion.choices[0].message.content)
`;
}

/** The Vercel AI SDK (`ai`) with its OpenAI or Anthropic provider pointed at Metrion. */
function aiSdkTypeScript({ provider, mode, baseUrl, metrionKey }: SampleInput): string {
  const anthropic = PROVIDERS[provider].wireFormat === 'anthropic';
  const auth =
    mode === 'stored'
      ? `  apiKey: '${metrionKey}',`
      : `  apiKey: process.env.${KEY_ENV_VARS[provider]},\n  headers: { 'x-metrion-token': '${metrionKey}' },`;
  if (anthropic) {
    return `import { createAnthropic } from '@ai-sdk/anthropic';
import { generateText } from 'ai';

// The AI SDK appends /messages to its base URL, so it ends in /v1.
const anthropic = createAnthropic({
  baseURL: '${aiSdkBaseUrl(baseUrl, 'anthropic')}',
${auth}
});

const { text } = await generateText({
  model: anthropic('${SAMPLE_MODELS.anthropic}'),
  prompt: 'Hello from Metrion',
});
console.log(text);
`;
  }
  const model = RESPONSES_API.has(provider)
    ? `${provider}('${SAMPLE_MODELS[provider]}'), // the Responses API; ${provider}.chat(…) for chat completions`
    : `${provider}.chat('${SAMPLE_MODELS[provider]}'),`;
  return `import { createOpenAI } from '@ai-sdk/openai';
import { generateText } from 'ai';

const ${provider} = createOpenAI({
  baseURL: '${baseUrl}',
${auth}
});

const { text } = await generateText({
  model: ${model}
  prompt: 'Hello from Metrion',
});
console.log(text);
`;
}

/** A complete, runnable snippet for one provider, language and mode. */
export function codeSample(input: SampleInput): string {
  const anthropic = PROVIDERS[input.provider].wireFormat === 'anthropic';
  if (input.language === 'ai-sdk') return aiSdkTypeScript(input);
  if (input.language === 'typescript') {
    return anthropic ? anthropicTypeScript(input) : openAiTypeScript(input);
  }
  return anthropic ? anthropicPython(input) : openAiPython(input);
}

/** The SDK a sample uses, to tell people what to install. */
export function sampleInstallCommand(provider: ProviderId, language: SampleLanguage): string {
  const anthropic = PROVIDERS[provider].wireFormat === 'anthropic';
  if (language === 'ai-sdk')
    return `npm install ai ${anthropic ? '@ai-sdk/anthropic' : '@ai-sdk/openai'}`;
  if (language === 'typescript') return `npm install ${anthropic ? '@anthropic-ai/sdk' : 'openai'}`;
  return `pip install ${anthropic ? 'anthropic' : 'openai'}`;
}
