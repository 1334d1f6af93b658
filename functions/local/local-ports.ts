/**
 * The fixed ports of `npm start`: one per local server, each movable by its variable. The only
 * place their defaults live (local-config.ts reads them; a test checks the README's table).
 */
export const LOCAL_PORTS = {
  api: { port: 8787, variable: 'PORT', serves: 'the proxy, the dashboard and its API' },
  cognito: { port: 8788, variable: 'METRION_COGNITO_PORT', serves: 'cognito-local (sign-in)' },
  ses: { port: 8789, variable: 'METRION_SES_PORT', serves: 'aws-ses-v2-local (alert emails)' },
  stripe: { port: 8790, variable: 'METRION_STRIPE_PORT', serves: 'the Stripe stand-in' },
} as const satisfies Record<string, LocalPort>;

export interface LocalPort {
  readonly port: number;
  /** The environment variable that moves it. */
  readonly variable: string;
  /** What listens there, for messages. */
  readonly serves: string;
}

export type LocalServer = keyof typeof LOCAL_PORTS;

/** A local server could not listen on its port: the one line `npm start` prints before exit 1. */
export class PortUnavailableError extends Error {
  readonly server: LocalServer;
  readonly port: number;

  constructor(server: LocalServer, port: number, code: string | undefined) {
    const { variable, serves } = LOCAL_PORTS[server];
    const reason =
      code === 'EADDRINUSE'
        ? 'is in use'
        : code === 'EACCES'
          ? 'needs privileges this user does not have'
          : `is not available (${code ?? 'listen failed'})`;
    super(
      `Port ${port} for ${serves} ${reason}. Stop what holds it (lsof -i :${port}), or set ${variable} to a free port (${variable}=0 picks one).`,
    );
    this.name = 'PortUnavailableError';
    this.server = server;
    this.port = port;
  }
}

/** The errno code of a failed listen, found on the error or its cause; else undefined. */
export function listenErrorCode(error: unknown): string | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    const { code } = current as { code?: unknown };
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') return code;
  }
  return undefined;
}

/**
 * Starts one local server; a listen failure becomes {@link PortUnavailableError} naming the
 * port's variable. Other failures pass through unchanged.
 */
export async function listenAs<T>(
  server: LocalServer,
  port: number,
  start: () => Promise<T>,
): Promise<T> {
  try {
    return await start();
  } catch (error) {
    const code = listenErrorCode(error);
    if (code === undefined) throw error;
    throw new PortUnavailableError(server, port, code);
  }
}
