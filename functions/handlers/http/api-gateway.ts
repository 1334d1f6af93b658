import type { APIGatewayProxyEvent } from 'aws-lambda';

/** Header names lower-cased (API Gateway REST keeps the caller's case); first value wins. */
export function lowerCaseHeaders(event: APIGatewayProxyEvent): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] ??= value;
  }
  return headers;
}

/** The request body exactly as the caller sent it. */
export function rawBody(event: APIGatewayProxyEvent): Uint8Array {
  if (event.body === null || event.body === undefined) return new Uint8Array();
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

/** A one-chunk stream, because middy's streaming mode accepts strings or streams only. */
export function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}
