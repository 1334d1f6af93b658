/**
 * Query parameters that carry a credential (Google APIs take `?key=<API key>` and
 * `?access_token=<OAuth token>`; others `token` or `authorization`). The credential is read from
 * the headers only: one in the URL would bypass the stored key in stored mode and sit in access
 * logs along the way, so it is never forwarded.
 */
const CREDENTIAL_PARAMETERS = /^(?:key|api[-_]?key|access[-_]?token|token|authorization)$/i;

/**
 * The query string a side call sends upstream (`?limit=20&after_id=…`, or '' without one): the
 * caller's parameters in their order, percent-encoded, without credential parameters. Metered
 * calls send none (their request is the JSON body).
 */
export function sideCallQueryString(
  parameters: readonly (readonly [name: string, value: string])[] | undefined,
): string {
  const kept = (parameters ?? []).filter(([name]) => !CREDENTIAL_PARAMETERS.test(name));
  if (kept.length === 0) return '';
  const pairs = kept.map(
    ([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`,
  );
  return `?${pairs.join('&')}`;
}
