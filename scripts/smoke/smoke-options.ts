import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { LOCAL_PORTS } from '../../functions/local/local-ports.ts';

export const SMOKE_USAGE = `Usage: npm run smoke -- --url <origin> [options]

A black-box check of a running Metrion: sign-up through Cognito, a streamed request through the
openai SDK, its cost in Logs, a Stripe test checkout, an alert Test email.

  --url <origin>           the dashboard origin: http://127.0.0.1:8787 for npm start, or a
                           deployed stack's DashboardUrl
  --email <address>        the user (default: a new smoke-<time>@example.com)
  --sign-in                the user exists and is confirmed: sign in instead of signing up
  --code <code>            confirm a sign-up with the code Cognito emailed (after a first run)
  --model <id>             OpenAI model of the streamed request (default gpt-4o-mini)
  --inbox <url|none>       where alert emails can be read: aws-ses-v2-local's URL (default for a
                           local --url: http://127.0.0.1:${LOCAL_PORTS.ses.port}), or none: only
                           check that Test sent one (default for other origins)
  --checkout <complete|open>
                           complete: subscribe on the Stripe stand-in's Checkout page (default
                           for a local --url); open: only check that Checkout opens (a real
                           Stripe Checkout needs a browser and a test card)

Environment: SMOKE_PROVIDER_KEY (required) is the OpenAI key stored for the user; SMOKE_PASSWORD
is the user's password (generated unless given; needed with --sign-in and --code).`;

export interface SmokeOptions {
  /** The dashboard origin, without a trailing slash. */
  readonly url: string;
  readonly email: string;
  readonly password: string;
  /** `sign-up` (the default), `confirm` with a code, or `sign-in` an existing user. */
  readonly start: { readonly kind: 'sign-up' | 'sign-in' } | { kind: 'confirm'; code: string };
  readonly model: string;
  readonly providerKey: string;
  /** aws-ses-v2-local's URL, or undefined to only check that Test sent an email. */
  readonly inbox: string | undefined;
  readonly checkout: 'complete' | 'open';
}

/** Wrong or missing options: printed with the usage. */
export class SmokeUsageError extends Error {
  override readonly name = 'SmokeUsageError';
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function parseSmokeOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): SmokeOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      url: { type: 'string' },
      email: { type: 'string' },
      'sign-in': { type: 'boolean', default: false },
      code: { type: 'string' },
      model: { type: 'string', default: 'gpt-4o-mini' },
      inbox: { type: 'string' },
      checkout: { type: 'string' },
    },
  });
  if (!values.url) throw new SmokeUsageError('--url is required.');
  const url = new URL(values.url).origin;
  const local = LOOPBACK.has(new URL(url).hostname);
  const providerKey = env.SMOKE_PROVIDER_KEY;
  if (!providerKey) throw new SmokeUsageError('Set SMOKE_PROVIDER_KEY to an OpenAI API key.');
  const start = values.code
    ? { kind: 'confirm' as const, code: values.code }
    : { kind: values['sign-in'] ? ('sign-in' as const) : ('sign-up' as const) };
  if (start.kind !== 'sign-up' && (!env.SMOKE_PASSWORD || !values.email)) {
    throw new SmokeUsageError('--sign-in and --code need --email and SMOKE_PASSWORD.');
  }
  if (!local && start.kind === 'sign-up' && (!env.SMOKE_PASSWORD || !values.email)) {
    throw new SmokeUsageError(
      'Cognito emails a confirmation code there: give --email of a mailbox you read and set SMOKE_PASSWORD (the run with --code needs the same one).',
    );
  }
  const checkout = values.checkout ?? (local ? 'complete' : 'open');
  if (checkout !== 'complete' && checkout !== 'open') {
    throw new SmokeUsageError('--checkout is complete or open.');
  }
  const inbox = values.inbox ?? (local ? `http://127.0.0.1:${LOCAL_PORTS.ses.port}` : 'none');
  return {
    url,
    email: values.email ?? `smoke-${Date.now()}@example.com`,
    // Cognito's default policy: 8+ characters with upper and lower case, a digit and a symbol.
    password: env.SMOKE_PASSWORD ?? `Smoke-${randomBytes(12).toString('hex')}-A1!`,
    start,
    model: values.model,
    providerKey,
    inbox: inbox === 'none' ? undefined : inbox.replace(/\/$/, ''),
    checkout,
  };
}
