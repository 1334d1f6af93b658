import type { PriceCatalog } from '../pricing/price-catalog.ts';
import type { ParsedProxyRequest } from '../proxy/parse-proxy-request.ts';
import type { TokenUsage } from '../usage/usage-record.ts';
import type { MaxCost } from './reservation.ts';

/** What bounding a request's cost needs from the price catalog that will price it. */
export type MaxCostPricing = Pick<PriceCatalog, 'computeCost' | 'contextWindow' | 'serviceTiers'>;

/**
 * Input tokens one image can cost, at most. OpenAI-compatible: gpt-4o-mini's high-detail
 * maximum is 2,833 + 8 tiles x 5,667 = 48,169 tokens (its image multiplier; other models count
 * far fewer); Gemini counts 258 per 768-px tile. Anthropic: an image costs about
 * width x height / 750 tokens and is resized to at most 1.15 megapixels (about 1,600 tokens).
 */
const IMAGE_TOKENS = { openai: 50_000, anthropic: 5_000 } as const;
/** System prompt a provider adds when tools are defined (Anthropic's is 346 tokens at most). */
const TOOLS_PROMPT_TOKENS = 1_024;
/** Chat-format tokens that are not in the body (role markers, start and end of the reply). */
const FORMAT_TOKENS = 256;

/** Content part types whose input Metrion cannot measure from the body. */
const UNMEASURED_PARTS: Readonly<Record<string, string>> = {
  file: 'a file input',
  input_file: 'a file input',
  input_audio: 'an audio input',
  audio: 'an audio input',
};
const IMAGE_PARTS = new Set(['image_url', 'input_image', 'image']);

/** Responses API fields that pull in input stored at the provider. */
const STORED_INPUT_FIELDS: Readonly<Record<string, string>> = {
  previous_response_id: 'previous_response_id continues a conversation stored at the provider',
  conversation: 'conversation brings in input stored at the provider',
  prompt: 'prompt refers to a prompt template stored at the provider',
};

interface InputBound {
  /** Upper bound on input tokens, from the body's bytes and its images. */
  readonly tokens: number;
  /** Why part of the input cannot be bounded; undefined when all of it can. */
  readonly unmeasured: string | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const encoder = new TextEncoder();

/** UTF-8 bytes of every string below `value` (an image's URL or inline data). */
function stringBytes(value: unknown): number {
  let bytes = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const next = stack.pop();
    if (typeof next === 'string') bytes += encoder.encode(next).byteLength;
    else if (Array.isArray(next)) for (const item of next) stack.push(item);
    else if (isRecord(next)) for (const item of Object.values(next)) stack.push(item);
  }
  return bytes;
}

/**
 * Text tokens are bounded by the body's UTF-8 bytes: a byte-level BPE token (GPT, Claude,
 * Mistral; Gemini's SentencePiece falls back to bytes) is at least one byte, and JSON's quoting
 * and escapes only add bytes. Images are not text: each counts a fixed maximum instead of its
 * bytes. Files, audio and input stored at the provider cannot be bounded from the body.
 */
function boundInput(parsed: ParsedProxyRequest, bodyBytes: number): InputBound {
  let tokens = bodyBytes + FORMAT_TOKENS;
  let unmeasured: string | undefined;
  for (const [field, reason] of Object.entries(STORED_INPUT_FIELDS)) {
    const value = parsed.json[field];
    if (value !== undefined && value !== null) unmeasured ??= `the request's ${reason}`;
  }
  if (Array.isArray(parsed.json.tools) && parsed.json.tools.length > 0) {
    tokens += TOOLS_PROMPT_TOKENS;
  }
  const stack: unknown[] = [parsed.json];
  while (stack.length > 0) {
    const next = stack.pop();
    if (Array.isArray(next)) for (const item of next) stack.push(item);
    else if (isRecord(next)) {
      const type = typeof next.type === 'string' ? next.type : undefined;
      if (type !== undefined && IMAGE_PARTS.has(type)) {
        tokens += IMAGE_TOKENS[parsed.wireFormat] - stringBytes(next);
      } else if (type !== undefined && UNMEASURED_PARTS[type] !== undefined) {
        unmeasured ??= `the request has ${UNMEASURED_PARTS[type]}, whose tokens Metrion cannot count`;
      } else if (type === 'document' && !isTextDocument(next)) {
        unmeasured ??= 'the request has a document (PDF), whose tokens Metrion cannot count';
      } else for (const item of Object.values(next)) stack.push(item);
    }
  }
  return { tokens, unmeasured };
}

function isTextDocument(part: Record<string, unknown>): boolean {
  return isRecord(part.source) && part.source.type === 'text';
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** The most output tokens the request asks for, or undefined when it sets no cap. */
function outputCap(parsed: ParsedProxyRequest): number | undefined {
  const { json } = parsed;
  if (parsed.endpoint === 'embeddings') return 0;
  if (parsed.endpoint === 'responses') return positiveInteger(json.max_output_tokens);
  const caps = [positiveInteger(json.max_tokens), positiveInteger(json.max_completion_tokens)];
  const cap = Math.max(...caps.map((value) => value ?? 0));
  if (cap === 0) return undefined;
  // OpenAI-compatible `n` asks for that many choices, each up to the cap.
  return parsed.wireFormat === 'openai' ? cap * (positiveInteger(json.n) ?? 1) : cap;
}

/**
 * The most `parsed` can cost, from its body alone: input tokens bounded by
 * the body (and by the model's context window: a request over it is refused unbilled), output
 * by its cap (`max_tokens`, `max_completion_tokens`, `max_output_tokens`, times `n`), else by
 * the context window, priced by the catalog that will price the record (on `atMs`'s day, at the
 * context tier that input reaches), every input token at the dearest of the input and
 * cache-write prices, in the dearest service tier the answer may be billed in.
 * `unbounded` when the model's maximum output is unknown and the request sets no cap, or when
 * part of the input cannot be measured (its `partialPicoUsd` covers what can).
 */
export function maxRequestCost(
  parsed: ParsedProxyRequest,
  bodyBytes: number,
  atMs: number,
  pricing: MaxCostPricing,
): MaxCost {
  const window = pricing.contextWindow(parsed.provider, parsed.model);
  const input = boundInput(parsed, bodyBytes);
  const inputTokens = window === undefined ? input.tokens : Math.min(input.tokens, window);
  const cap = outputCap(parsed);
  const outputTokens = cap ?? window ?? 0;
  const picoUsd = dearestCost(parsed, { inputTokens, outputTokens }, atMs, pricing);
  if (picoUsd === null) return { kind: 'unpriced' };
  if (cap === undefined && window === undefined) {
    return {
      kind: 'unbounded',
      partialPicoUsd: picoUsd,
      reason: `the request sets no output limit and Metrion does not know model "${parsed.model}"'s maximum output (send max_tokens)`,
    };
  }
  if (input.unmeasured !== undefined) {
    return { kind: 'unbounded', partialPicoUsd: picoUsd, reason: input.unmeasured };
  }
  return { kind: 'bounded', picoUsd };
}

/**
 * The service tiers the answer may be billed in: the one the request asks for when it names a
 * priced one (`flex`, `priority`) or `default`; else (`auto`, or none: the project's default
 * tier, which may be priority) the standard one and every tier priced for the model.
 */
function candidateTiers(
  parsed: ParsedProxyRequest,
  pricing: MaxCostPricing,
): (string | undefined)[] {
  const tiers = pricing.serviceTiers(parsed.provider, parsed.model);
  const asked = parsed.json.service_tier;
  if (asked === 'default') return [undefined];
  if (typeof asked === 'string' && tiers.includes(asked)) return [asked];
  return [undefined, ...tiers];
}

/**
 * The dearest way the tokens can be billed: all input at the input price, or all of it as
 * 5-minute or 1-hour cache writes, in every service tier the answer may be served in.
 */
function dearestCost(
  parsed: ParsedProxyRequest,
  tokens: { readonly inputTokens: number; readonly outputTokens: number },
  atMs: number,
  pricing: MaxCostPricing,
): bigint | null {
  const { inputTokens, outputTokens } = tokens;
  const writes = {
    inputTokens: 0,
    outputTokens,
    cacheReadTokens: 0,
    cacheWriteTokens: inputTokens,
  };
  const usages: TokenUsage[] = [
    { inputTokens, outputTokens, cacheReadTokens: 0, cacheWriteTokens: 0 },
    writes,
    { ...writes, cacheWrite5mTokens: 0, cacheWrite1hTokens: inputTokens },
  ];
  let dearest: bigint | null = null;
  for (const tier of candidateTiers(parsed, pricing)) {
    for (const usage of usages) {
      const cost = pricing.computeCost(
        parsed.provider,
        parsed.model,
        usage,
        atMs,
        tier,
      ).costPicoUsd;
      if (cost === null) return null;
      if (dearest === null || cost > dearest) dearest = cost;
    }
  }
  return dearest;
}
