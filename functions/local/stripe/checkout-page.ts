// The stand-in's hosted Checkout page: Subscribe pays the session (no card).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { escapeHtml, page, readBody, redirect, sendHtml, sendJson, stripeError } from './http.ts';
import { completeCheckout, type StandIn } from './lifecycle.ts';

/** `GET /checkout/{id}` shows the page; `POST` pays an open session and returns to Metrion. */
export async function handleCheckoutPage(
  standIn: StandIn,
  request: IncomingMessage,
  response: ServerResponse,
  sessionId: string,
): Promise<void> {
  const entry = standIn.store.checkoutSessions.get(sessionId);
  if (entry === undefined) return sendJson(response, stripeError(404, 'No such checkout session'));
  const { session } = entry;
  if (session.status === 'expired') {
    if (request.method === 'POST') await readBody(request);
    return sendHtml(
      response,
      page('Checkout expired', '<p>This Checkout page has expired. Start again from Metrion.</p>'),
      410,
    );
  }
  if (request.method === 'POST') {
    await readBody(request);
    if (session.status === 'open') await completeCheckout(standIn, entry);
    return redirect(response, session.success_url);
  }
  const cancel =
    session.cancel_url === null
      ? ''
      : `<p><a href="${escapeHtml(session.cancel_url)}">Back</a></p>`;
  return sendHtml(
    response,
    page(
      'Metrion Pro (local Stripe Checkout)',
      `<p>Subscribe to Metrion Pro. This is the local stand-in: no card is charged.</p>
<form method="post" action="/checkout/${escapeHtml(session.id)}"><button type="submit">Subscribe</button></form>${cancel}`,
    ),
  );
}
