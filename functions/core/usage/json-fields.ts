/** Reading provider JSON defensively: a value the wire format did not promise is never trusted. */

/** Recorded when the provider reports an error but says nothing about it. */
export const NO_ERROR_MESSAGE = 'The provider reported an error without a message.';

export type ParsedJson = { readonly ok: true; readonly value: unknown } | { readonly ok: false };

export function parseJson(text: string): ParsedJson {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A token count: a non-negative safe integer, else undefined (absent, null or nonsense). */
export function tokenCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** The object under `key`, or an empty one: details objects are optional everywhere. */
export function recordAt(value: Record<string, unknown>, key: string): Record<string, unknown> {
  const inner = value[key];
  return isRecord(inner) ? inner : {};
}

/**
 * The provider's error message, in any of the shapes seen in the wild: `{error:{message}}`
 * (OpenAI, Anthropic with `type: 'error'`), `{error: '...'}` (xAI), `{object:'error', message}`
 * (Mistral), and a one-element array of those (Gemini's OpenAI endpoint).
 */
export function providerErrorMessage(body: unknown): string | undefined {
  if (Array.isArray(body)) return body.length > 0 ? providerErrorMessage(body[0]) : undefined;
  if (!isRecord(body)) return undefined;
  const { error } = body;
  if (typeof error === 'string') return error === '' ? NO_ERROR_MESSAGE : error;
  if (isRecord(error)) {
    if (typeof error.message === 'string' && error.message !== '') return error.message;
    if (typeof error.type === 'string' && error.type !== '') return error.type;
    return NO_ERROR_MESSAGE;
  }
  if (body.object === 'error') {
    // A structured message (Mistral's validation details) can echo the prompt: not recorded.
    return typeof body.message === 'string' && body.message !== ''
      ? body.message
      : NO_ERROR_MESSAGE;
  }
  return undefined;
}
