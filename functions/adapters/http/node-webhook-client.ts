// WebhookClient over node:http/https: one POST, redirects never followed, a 5 s timeout, the status only; DNS answers checked against the URL policy at connection time.
import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AttemptResult } from '#core/alerts/channels/alert-channel.ts';
import { DELIVERY_TIMEOUT_MS } from '#core/alerts/channels/alert-delivery.ts';
import type { WebhookClient } from '#core/ports/webhook-client.ts';
import { addressRefusal, urlRefusal, type WebhookUrlPolicy } from './url-policy.ts';

/** Resolves a host name to every address it has (A and AAAA). */
export type Resolver = (hostname: string) => Promise<readonly LookupAddress[]>;

const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true });

/** A refusal raised inside the connection's lookup: the request never connects. */
class AddressRefusedError extends Error {}

export interface NodeWebhookClientOptions {
  readonly policy: WebhookUrlPolicy;
  /** @default - the system resolver (`dns.lookup`, every address) */
  readonly resolve?: Resolver;
  /** @default 5000 */
  readonly timeoutMs?: number;
}

export class NodeWebhookClient implements WebhookClient {
  readonly #policy: WebhookUrlPolicy;
  readonly #resolve: Resolver;
  readonly #timeoutMs: number;

  constructor(options: NodeWebhookClientOptions) {
    this.#policy = options.policy;
    this.#resolve = options.resolve ?? systemResolver;
    this.#timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  }

  async refusal(url: string): Promise<string | undefined> {
    const refusal = urlRefusal(url, this.#policy);
    if (refusal !== undefined) return refusal;
    const { hostname } = new URL(url);
    if (this.#policy.insecureHosts.includes(hostname)) return undefined;
    try {
      await this.#checkedAddresses(hostname);
      return undefined;
    } catch (error) {
      return error instanceof AddressRefusedError ? error.message : 'The host does not resolve.';
    }
  }

  /** Every address of `hostname`; refused whole if any one is in a refused range. */
  async #checkedAddresses(hostname: string): Promise<readonly LookupAddress[]> {
    const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
    const addresses = await this.#resolve(bare);
    if (addresses.length === 0) throw new AddressRefusedError('The host does not resolve.');
    for (const { address } of addresses) {
      const refusal = addressRefusal(address);
      if (refusal !== undefined) throw new AddressRefusedError(refusal);
    }
    return addresses;
  }

  /**
   * The connection's own lookup: the addresses it connects to are the ones checked (no second
   * resolution a rebinding DNS server could answer differently).
   */
  #lookup: RequestOptions['lookup'] = (hostname, options, callback) => {
    this.#checkedAddresses(hostname).then(
      (addresses) => {
        if (options.all) callback(null, addresses as LookupAddress[]);
        else callback(null, addresses[0]?.address ?? '', addresses[0]?.family ?? 4);
      },
      (error: Error) => callback(error, '', 4),
    );
  };

  post(
    url: string,
    headers: Readonly<Record<string, string>>,
    body: string,
  ): Promise<AttemptResult> {
    const refusal = urlRefusal(url, this.#policy);
    if (refusal !== undefined) return Promise.resolve({ kind: 'refused', reason: refusal });
    const target = new URL(url);
    const insecure = this.#policy.insecureHosts.includes(target.hostname);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const payload = Buffer.from(body, 'utf8');
    return new Promise<AttemptResult>((resolve) => {
      const request = send(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(payload.length) },
          signal: AbortSignal.timeout(this.#timeoutMs),
          lookup: insecure ? undefined : this.#lookup,
        },
        (response) => {
          // Only the status is kept: the body is never read, shown or stored.
          resolve({ kind: 'answered', status: response.statusCode ?? 0 });
          response.destroy();
        },
      );
      request.on('error', (error) => {
        if (error instanceof AddressRefusedError) {
          resolve({ kind: 'refused', reason: error.message });
        } else if (error.name === 'AbortError' || error.name === 'TimeoutError') {
          resolve({ kind: 'failed', reason: 'timeout' });
        } else {
          resolve({ kind: 'failed', reason: 'network' });
        }
      });
      request.end(payload);
    });
  }
}
