// The stand-in's billing portal: Cancel plan (at period end), Renew plan, Cancel now.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { escapeHtml, page, readBody, redirect, sendHtml, sendJson, stripeError } from './http.ts';
import { endSubscription, type StandIn, setCancelAtPeriodEnd } from './lifecycle.ts';
import type { PortalSessionObject, StripeSubscriptionObject } from './objects.ts';

async function applyAction(
  standIn: StandIn,
  subscriptions: readonly StripeSubscriptionObject[],
  action: string | null,
) {
  for (const subscription of subscriptions) {
    if (action === 'cancel') await setCancelAtPeriodEnd(standIn, subscription, true);
    else if (action === 'resume') await setCancelAtPeriodEnd(standIn, subscription, false);
    else if (action === 'cancel_now') await endSubscription(standIn, subscription);
  }
}

function portalHtml(session: PortalSessionObject, owned: readonly StripeSubscriptionObject[]) {
  const form = (action: string, label: string) =>
    `<form method="post" action="/portal/${escapeHtml(session.id)}"><input type="hidden" name="action" value="${action}"><button type="submit">${label}</button></form>`;
  const rows = owned
    .map((subscription) => {
      const end = subscription.items.data[0]?.current_period_end ?? 0;
      const until = new Date(end * 1000).toISOString().slice(0, 10);
      const state = subscription.cancel_at_period_end
        ? `Pro, ends on ${until}`
        : `Pro (${subscription.status}), renews on ${until}`;
      const actions = subscription.cancel_at_period_end
        ? form('resume', 'Renew plan')
        : form('cancel', 'Cancel plan');
      return `<p>${escapeHtml(state)}</p>${actions}${form('cancel_now', 'Cancel now')}`;
    })
    .join('');
  const back =
    session.return_url === null
      ? ''
      : `<p><a href="${escapeHtml(session.return_url)}">Return to Metrion</a></p>`;
  return page(
    'Billing (local Stripe portal)',
    `${rows === '' ? '<p>No active subscription.</p>' : rows}${back}`,
  );
}

/** `GET /portal/{id}` lists the customer's live subscriptions; `POST` applies one action. */
export async function handlePortalPage(
  standIn: StandIn,
  request: IncomingMessage,
  response: ServerResponse,
  sessionId: string,
  fallbackReturnUrl: string,
): Promise<void> {
  const session = standIn.store.portalSessions.get(sessionId);
  if (session === undefined) return sendJson(response, stripeError(404, 'No such portal session'));
  const owned = [...standIn.store.subscriptions.values()].filter(
    (subscription) =>
      subscription.customer === session.customer && subscription.status !== 'canceled',
  );
  if (request.method === 'POST') {
    const action = new URLSearchParams(await readBody(request)).get('action');
    await applyAction(standIn, owned, action);
    return redirect(response, session.return_url ?? fallbackReturnUrl);
  }
  return sendHtml(response, portalHtml(session, owned));
}
