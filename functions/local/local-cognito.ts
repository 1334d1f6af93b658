// Sign-in in local mode: cognito-local with the dashboard's pool and client, its users kept in
// the data folder (or in a temporary folder, removed on close, when there is none).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '#core/ports/logger.ts';
import type { CognitoPoolConfig } from '#lambda/dashboard-api.deps.ts';
import { startCognito } from './cognito-stand-in.ts';
import { listenAs } from './local-ports.ts';

export interface LocalCognito {
  /** cognito-local and the dashboard's pool and client (what `GET /api/config` reports). */
  readonly pool: Required<CognitoPoolConfig>;
  close(): Promise<void>;
}

export async function startLocalCognito(options: {
  readonly dataDir: string | undefined;
  readonly port: number;
  readonly logger: Logger;
}): Promise<LocalCognito> {
  const { dataDir, port, logger } = options;
  const folder = dataDir
    ? join(dataDir, 'cognito')
    : await mkdtemp(join(tmpdir(), 'metrion-cognito-'));
  const removeTemporary = () =>
    dataDir ? Promise.resolve() : rm(folder, { recursive: true, force: true });
  const cognito = await listenAs('cognito', port, () =>
    startCognito({ dataDir: folder, port, logger }),
  ).catch(async (error: unknown) => {
    await removeTemporary();
    throw error;
  });
  const { region, userPoolId, clientId, issuer, endpoint } = cognito;
  return {
    pool: { region, userPoolId, clientId, issuer, endpoint },
    async close() {
      await cognito.close();
      await removeTemporary();
    },
  };
}
