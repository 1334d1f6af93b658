// Small node:http helpers shared by the stand-in's API and its two pages.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { newId } from './objects.ts';

/** An API answer before it is written (kept whole for idempotent replays). */
export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(response: ServerResponse, answer: ApiAnswer): void {
  response.writeHead(answer.status, {
    'content-type': 'application/json',
    'request-id': newId('req'),
  });
  response.end(JSON.stringify(answer.body));
}

/** Stripe's error object (`invalid_request_error`), as the SDK raises it. */
export function stripeError(status: number, message: string, code?: string): ApiAnswer {
  return {
    status,
    body: { error: { type: 'invalid_request_error', message, code } },
  };
}

export function sendHtml(response: ServerResponse, html: string, status = 200): void {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  response.end(html);
}

export function redirect(response: ServerResponse, location: string): void {
  response.writeHead(303, { location });
  response.end();
}

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** A plain HTML page standing in for one of Stripe's hosted pages. */
export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}
