import type { UsageKind } from '#contracts/usage-query.ts';

/** How each kind of request is named in the Logs badges and the Kind filter. */
export const KIND_LABELS: Readonly<Record<UsageKind, string>> = {
  chat: 'Chat',
  responses: 'Responses',
  embeddings: 'Embeddings',
};

/** The label of a kind filter value (the value itself if it names no kind). */
export function kindLabel(value: string): string {
  return Object.hasOwn(KIND_LABELS, value) ? KIND_LABELS[value as UsageKind] : value;
}
