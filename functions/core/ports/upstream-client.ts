/** Sends one request to a provider and hands back the response as it arrives. */
export interface UpstreamRequest {
  /** Absolute URL built from the configured origin and the route table, never from the caller. */
  readonly url: string;
  /** @default 'POST' */
  readonly method?: 'POST' | 'GET';
  readonly headers: Readonly<Record<string, string>>;
  /** Ignored for GET. */
  readonly body: Uint8Array;
  /** Aborting it cancels the request and the response body. */
  readonly signal: AbortSignal;
}

export interface UpstreamResponse {
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: ReadableStream<Uint8Array>;
}

export interface UpstreamClient {
  /**
   * Resolves once response headers arrive. Redirects are not followed.
   * @throws UpstreamUnavailableError when the connection fails or is reset before headers.
   * Rejects with the signal's reason when the signal aborts first.
   */
  send(request: UpstreamRequest): Promise<UpstreamResponse>;
}
