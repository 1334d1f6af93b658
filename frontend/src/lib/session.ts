import { type CognitoConfig, type CognitoTokens, refreshTokens } from './cognito.ts';

/**
 * The signed-in session, kept in `sessionStorage`: it survives page navigation and reloads in
 * one tab, and ends when the tab closes. Nothing here is sent anywhere but Cognito and `/api`.
 */
interface StoredSession {
  readonly email: string;
  readonly idToken: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresAtMs: number;
}

const STORAGE_KEY = 'metrion.session';
/** Refresh this long before expiry so a token never expires between check and request. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * The token the dashboard API verifies in `Authorization: Bearer`. The dashboard API accepts
 * Cognito ID tokens (token_use `id`, audience = the app client).
 */
const BEARER_TOKEN: keyof Pick<StoredSession, 'idToken' | 'accessToken'> = 'idToken';

function read(): StoredSession | undefined {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as StoredSession) : undefined;
  } catch {
    return undefined;
  }
}

function write(session: StoredSession): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

/** Stores the tokens of a fresh sign-in. */
export function startSession(email: string, tokens: CognitoTokens): void {
  if (!tokens.refreshToken) throw new Error('A sign-in must return a refresh token.');
  write({
    email,
    idToken: tokens.idToken,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    expiresAtMs: Date.now() + tokens.expiresInSeconds * 1000,
  });
}

/** Forgets the session (sign-out, or the API said the token is no longer valid). */
export function endSession(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

/** Whether a session exists (it may still need a refresh). */
export function hasSession(): boolean {
  return read() !== undefined;
}

/** The signed-in user's email, for display. */
export function sessionEmail(): string | undefined {
  return read()?.email;
}

let refreshing: Promise<StoredSession | undefined> | undefined;

async function refresh(
  cognito: CognitoConfig,
  session: StoredSession,
): Promise<StoredSession | undefined> {
  try {
    const tokens = await refreshTokens(cognito, session.refreshToken);
    const next: StoredSession = {
      ...session,
      idToken: tokens.idToken,
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken ?? session.refreshToken,
      expiresAtMs: Date.now() + tokens.expiresInSeconds * 1000,
    };
    write(next);
    return next;
  } catch {
    endSession();
    return undefined;
  }
}

/**
 * A bearer token valid for at least another minute, refreshing it first when needed (one
 * refresh at a time, shared by concurrent callers).
 * @returns undefined when there is no session or the refresh token no longer works.
 */
export async function freshBearerToken(cognito: CognitoConfig): Promise<string | undefined> {
  return freshToken(cognito, BEARER_TOKEN);
}

/**
 * The access token, fresh like {@link freshBearerToken}: Cognito's own user calls (the
 * authenticator app settings) take it instead of the ID token.
 */
export async function freshAccessToken(cognito: CognitoConfig): Promise<string | undefined> {
  return freshToken(cognito, 'accessToken');
}

async function freshToken(
  cognito: CognitoConfig,
  kind: 'idToken' | 'accessToken',
): Promise<string | undefined> {
  const session = read();
  if (!session) return undefined;
  if (session.expiresAtMs - EXPIRY_MARGIN_MS > Date.now()) return session[kind];
  refreshing ??= refresh(cognito, session).finally(() => {
    refreshing = undefined;
  });
  return (await refreshing)?.[kind];
}
