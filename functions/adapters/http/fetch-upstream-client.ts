// UpstreamClient over the runtime's fetch (undici): POST (GET for side calls), no redirects followed, streamed body.
import { UpstreamUnavailableError } from '#core/errors.ts';
import type {
  UpstreamClient,
  UpstreamRequest,
  UpstreamResponse,
} from '#core/ports/upstream-client.ts';

const EMPTY_BODY = (): ReadableStream<Uint8Array> =>
  new ReadableStream({
    start(controller) {
      controller.close();
    },
  });

/**
 * The network reason undici gives (`connect ECONNREFUSED 10.0.0.5:443`, `other side closed`),
 * without the trailing address: customers see the kind of failure, never an internal address.
 */
function connectionFailureReason(error: unknown): string {
  if (!(error instanceof Error && error.cause instanceof Error)) return 'connection failed';
  return error.cause.message.replace(/\s+\S+:\d+$/, '');
}

export class FetchUpstreamClient implements UpstreamClient {
  async send(request: UpstreamRequest): Promise<UpstreamResponse> {
    let response: Response;
    try {
      response = await fetch(request.url, {
        method: request.method ?? 'POST',
        headers: request.headers,
        body: request.method === 'GET' ? undefined : (request.body as Uint8Array<ArrayBuffer>),
        redirect: 'manual',
        signal: request.signal,
      });
    } catch (error) {
      if (request.signal.aborted) throw request.signal.reason;
      throw new UpstreamUnavailableError(
        `Metrion could not connect to the provider (${connectionFailureReason(error)}). Retry the request.`,
      );
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return { status: response.status, headers, body: response.body ?? EMPTY_BODY() };
  }
}
