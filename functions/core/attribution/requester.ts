import { NO_REQUESTER_FILTER } from '../usage/usage-query.ts';
import { MAX_REQUESTER_LENGTH } from '../usage/usage-record.ts';

const REQUESTER_PATTERN = /^[\x20-\x7e]+$/;

/** A requester label checked: the label (undefined when blank), or why it cannot be one. */
export type RequesterCheck =
  | { readonly ok: true; readonly requester: string | undefined }
  | { readonly ok: false; readonly problem: string };

/**
 * The one requester rule, for the `x-metrion-user` header and the labels SDKs put in the body:
 * trimmed, printable ASCII of at most {@link MAX_REQUESTER_LENGTH} characters, and not
 * {@link NO_REQUESTER_FILTER} (the Logs value for "no label"). `source` names the field in the
 * problem message.
 */
export function checkRequester(value: string, source: string): RequesterCheck {
  const requester = value.trim();
  if (requester === '') return { ok: true, requester: undefined };
  if (requester.length > MAX_REQUESTER_LENGTH || !REQUESTER_PATTERN.test(requester)) {
    return {
      ok: false,
      problem: `${source} must be printable ASCII of at most ${MAX_REQUESTER_LENGTH} characters.`,
    };
  }
  if (requester === NO_REQUESTER_FILTER) {
    return {
      ok: false,
      problem: `${source} "${NO_REQUESTER_FILTER}" is reserved (Logs use it for requests without a label). Send another label, or none.`,
    };
  }
  return { ok: true, requester };
}
