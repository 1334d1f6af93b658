// The smoke check's steps, in order: each returns the detail of its `ok` line or throws the
// reason it failed; later steps build on earlier ones, so the first failure ends the run.
import OpenAI from 'openai';
import { API_ROUTES } from '#contracts/api-routes.ts';
import type { Plan } from '#contracts/settings-api.ts';
import { confirmSignUp, initiatePasswordAuth, signUp } from '../../frontend/src/lib/cognito.ts';
import { type DashboardClient, SmokeStepError } from './dashboard-client.ts';
import type { SmokeOptions } from './smoke-options.ts';

/** What the steps learn as they go. */
interface SmokeState {
  api: DashboardClient;
  plan?: Plan;
  requestId?: string;
}

type SmokeStep = (state: SmokeState, options: SmokeOptions) => Promise<string>;

/** Polls `read` every 500 ms until it returns a value or `timeoutMs` passes. */
async function poll<T>(
  read: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T | undefined> {
  for (const deadline = Date.now() + timeoutMs; ; ) {
    const value = await read();
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Sign-up (or sign-in) through Cognito as the dashboard does, then the account it opens. */
const signUpStep: SmokeStep = async (state, { email, password, start }) => {
  const { cognito } = await state.api.call('getConfig');
  if (start.kind === 'sign-up' && !(await signUp(cognito, email, password)).confirmed) {
    throw new SmokeStepError(
      `Cognito emailed a confirmation code to ${email}: run again with --email ${email} --code <code> (same SMOKE_PASSWORD).`,
    );
  }
  if (start.kind === 'confirm') await confirmSignUp(cognito, email, start.code);
  const tokens = await initiatePasswordAuth(cognito, email, password);
  state.api = state.api.signedIn(tokens.idToken);
  const me = await state.api.call('getMe');
  state.plan = me.plan;
  return `${me.email}, account ${me.accountId} (${me.plan})`;
};

/** Stored mode: the provider key saved, then a stream through the openai SDK. */
const streamStep: SmokeStep = async (state, options) => {
  const provider = { provider: 'openai' };
  await state.api.call('putProviderKey', { params: provider, body: { key: options.providerKey } });
  const { metrionKey } = await state.api.call('getMetrionKey');
  const openai = new OpenAI({
    apiKey: metrionKey,
    baseURL: `${options.url}/api/proxy/openai/v1`,
    maxRetries: 0,
  });
  const { data: stream, response } = await openai.chat.completions
    .create({
      model: options.model,
      messages: [{ role: 'user', content: 'Say hello in five words.' }],
      max_completion_tokens: 32,
      stream: true,
    })
    .withResponse();
  let [chunks, text] = [0, ''];
  for await (const chunk of stream) {
    chunks += 1;
    text += chunk.choices[0]?.delta.content ?? '';
  }
  state.requestId = response.headers.get('x-metrion-request-id') ?? undefined;
  if (!state.requestId) throw new SmokeStepError('the answer had no x-metrion-request-id');
  return `${chunks} chunks: "${text.trim().slice(0, 60)}" (request ${state.requestId})`;
};

/** The request's Logs row with its cost (recorded after the stream ends). */
const costStep: SmokeStep = async (state) => {
  const requestId = state.requestId ?? '';
  const row = await poll(async () => {
    const answer = await state.api.send('getLog', { params: { requestId } });
    return answer.status === 200 ? API_ROUTES.getLog.response.parse(answer.json) : undefined;
  }, 30_000);
  if (!row) throw new SmokeStepError(`request ${requestId} is not in Logs after 30 s`);
  if (row.costUsd === null) throw new SmokeStepError(`${row.model} is unpriced: no cost`);
  return `$${row.costUsd} for ${row.inputTokens} input and ${row.outputTokens} output tokens of ${row.model}`;
};

/** Upgrade to Pro through Checkout: completed on the stand-in's page, or only opened. */
const checkoutStep: SmokeStep = async (state, options) => {
  if (state.plan === 'pro') return 'skipped: the account is on Pro already';
  const { url } = await state.api.call('startCheckout');
  if (options.checkout === 'open') {
    const page = await fetch(url);
    if (!page.ok) throw new SmokeStepError(`Checkout ${url} answered ${page.status}`);
    return `Checkout opens at ${new URL(url).origin}; pay with a test card in a browser, then run again with --sign-in for the alert email`;
  }
  const subscribed = await fetch(url, { method: 'POST', redirect: 'manual' });
  if (subscribed.status >= 400) throw new SmokeStepError(`Checkout answered ${subscribed.status}`);
  const billing = await poll(async () => {
    const view = await state.api.call('getBilling');
    return view.plan === 'pro' ? view : undefined;
  }, 15_000);
  if (!billing) throw new SmokeStepError('still on Free 15 s after Checkout: no webhook arrived');
  state.plan = 'pro';
  return `Pro (${billing.status}) after subscribing on ${new URL(url).origin}`;
};

/** A budget rule's Test email, read back from the inbox when there is one; the rule removed. */
const alertEmailStep: SmokeStep = async (state, options) => {
  if (state.plan !== 'pro') return 'skipped: alert rules need Pro (complete Checkout first)';
  const sinceEpochSeconds = Math.floor(Date.now() / 1000) - 1;
  const body = { type: 'budget', threshold: 1000, name: 'Metrion smoke test' };
  const rule = await state.api.call('createAlertRule', { body });
  try {
    const sent = await state.api.call('testAlertRule', { params: { id: rule.id } });
    if (options.inbox === undefined) return `sent to ${sent.to} (read it in that mailbox)`;
    const subject = await poll(
      () => inboxSubject(options.inbox ?? '', sent.to, sinceEpochSeconds),
      15_000,
    );
    if (!subject) throw new SmokeStepError(`no email to ${sent.to} in ${options.inbox} after 15 s`);
    return `"${subject}" to ${sent.to}, in ${options.inbox}`;
  } finally {
    await state.api.call('deleteAlertRule', { params: { id: rule.id } });
  }
};

/** The subject of an email to `to` in aws-ses-v2-local's store since then, if one arrived. */
async function inboxSubject(inbox: string, to: string, sinceEpochSeconds: number) {
  const store = (await (await fetch(`${inbox}/store?since=${sinceEpochSeconds}`)).json()) as {
    emails: { subject: string; destination: { to: string[] } }[];
  };
  return store.emails.find((email) => email.destination.to.includes(to))?.subject;
}

export const SMOKE_STEPS: readonly (readonly [string, SmokeStep])[] = [
  ['sign-up', signUpStep],
  ['streamed request', streamStep],
  ['cost recorded', costStep],
  ['Stripe test checkout', checkoutStep],
  ['alert Test email', alertEmailStep],
];

/** Runs the steps in order, one line each; returns whether every step passed. */
export async function runSmoke(
  options: SmokeOptions,
  api: DashboardClient,
  print: (line: string) => void,
): Promise<boolean> {
  const state: SmokeState = { api };
  for (const [name, step] of SMOKE_STEPS) {
    try {
      print(`ok    ${name.padEnd(22)} ${await step(state, options)}`);
    } catch (error) {
      print(`FAIL  ${name.padEnd(22)} ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  }
  return true;
}
