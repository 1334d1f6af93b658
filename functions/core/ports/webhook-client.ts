import type { AttemptResult } from '../alerts/channels/alert-channel.ts';

/**
 * POSTs alert notices to customer URLs (webhooks, Slack). The adapter enforces the runtime's URL
 * policy (in AWS: https only, and never a private, loopback, link-local or metadata address,
 * checked on every address the host resolves to, at connection time), follows no redirect,
 * times out after a bound, and reads nothing of the answer but its status.
 */
export interface WebhookClient {
  /**
   * Why `url` cannot receive deliveries under the policy (scheme, credentials in the URL, an
   * address refused after DNS resolution, a host that does not resolve), or undefined when it can.
   */
  refusal(url: string): Promise<string | undefined>;
  /** POSTs `body` (JSON) with `headers`; answers the status, the refusal or the failure. */
  post(
    url: string,
    headers: Readonly<Record<string, string>>,
    body: string,
  ): Promise<AttemptResult>;
}
