// Local stand-in for Amazon Cognito (never bundled into a Lambda): cognito-local's server in this
// process, its data in a folder, the dashboard's user pool and app client created idempotently,
// and sign-ups confirmed at once (local mode sends no e-mail).
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { Config } from 'cognito-local/lib/server/config.js';
import { type Route, Router } from 'cognito-local/lib/server/Router.js';
import { createServer } from 'cognito-local/lib/server/server.js';
import {
  type CognitoService,
  CognitoServiceFactoryImpl,
} from 'cognito-local/lib/services/cognitoService.js';
import type { CryptoService } from 'cognito-local/lib/services/crypto.js';
import { StormDBDataStoreFactory } from 'cognito-local/lib/services/dataStore/stormDb.js';
import type { Services } from 'cognito-local/lib/services/index.js';
import { DateClock, MessagesService, TriggersService } from 'cognito-local/lib/services/index.js';
import type { Lambda } from 'cognito-local/lib/services/lambda.js';
import { MessageDeliveryService } from 'cognito-local/lib/services/messageDelivery/messageDelivery.js';
import type { MessageSender } from 'cognito-local/lib/services/messageDelivery/messageSender.js';
import { otp } from 'cognito-local/lib/services/otp.js';
import { JwtTokenGenerator } from 'cognito-local/lib/services/tokenGenerator.js';
import { UserPoolServiceFactoryImpl } from 'cognito-local/lib/services/userPoolService.js';
import type { Logger } from '#core/ports/logger.ts';

/** Names of the local pool and client; found by name on restart, so their ids persist. */
export const LOCAL_USER_POOL_NAME = 'metrion-local';
export const LOCAL_APP_CLIENT_NAME = 'metrion-dashboard';
const REGION = 'local';

export interface StartCognitoOptions {
  /** Where users, pools and clients are kept (cognito-local's JSON files). */
  readonly dataDir: string;
  /**
   * Port on 127.0.0.1; 0 picks a free one. Token issuers contain it, so a fixed port keeps
   * browser sessions valid across restarts. @default 0
   */
  readonly port?: number;
  /** Receives messages Cognito would e-mail (e.g. forgot-password codes). @default - dropped */
  readonly logger?: Logger;
}

/** A running cognito-local with the dashboard's pool and client. */
export interface RunningCognito {
  /** Cognito API endpoint for SDK clients, `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
  /** `iss` of its tokens; the JWKS is at `<issuer>/.well-known/jwks.json`. */
  readonly issuer: string;
  close(): Promise<void>;
}

// cognito-local logs through pino (its own dependency); resolve it from there.
const pino = createRequire(import.meta.resolve('cognito-local'))('pino') as (options: {
  level: string;
}) => Parameters<typeof createServer>[1];

/** No Lambda triggers run locally: auto-confirmation happens in the SignUp route instead. */
const NO_LAMBDA: Lambda = {
  enabled: () => false,
  invoke: (() =>
    Promise.reject(
      new Error('cognito-local: Lambda triggers are not configured'),
    )) as unknown as Lambda['invoke'],
};

/**
 * Starts cognito-local on 127.0.0.1 and ensures the dashboard pool (email as username) and app
 * client (USER_PASSWORD_AUTH and SRP, no secret) exist. SignUp answers `UserConfirmed: true`:
 * the user is confirmed (AdminConfirmSignUp) and the email marked verified right away, so the
 * local flow is sign up -> sign in without a confirmation code.
 */
export async function startCognito(options: StartCognitoOptions): Promise<RunningCognito> {
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const logger = pino({ level: 'silent' });
  const ctx = { logger };
  const clock = new DateClock();
  const dataStores = new StormDBDataStoreFactory(options.dataDir);
  const config = {
    LambdaClient: {},
    TriggerFunctions: {},
    UserPoolDefaults: { UsernameAttributes: ['email'] },
    // Set once the port is known; the token generator reads it per token.
    TokenConfig: { IssuerDomain: '' },
    ServerConfig: { port: options.port ?? 0, hostname: '127.0.0.1', development: false },
  } as Config;
  const cognito = await new CognitoServiceFactoryImpl(
    options.dataDir,
    dataStores,
    new UserPoolServiceFactoryImpl(clock, dataStores),
  ).create(ctx, config.UserPoolDefaults);
  // The crypto service only serves the CustomEmailSender trigger, which is never enabled here.
  const triggers = new TriggersService(clock, cognito, NO_LAMBDA, {} as CryptoService);
  const sender: MessageSender = {
    sendEmail: async (_ctx, _user, destination, message) => {
      options.logger?.info('cognito-local e-mail', { destination, code: message.__code });
    },
    sendSms: async () => {},
  };
  const services: Services = {
    clock,
    cognito,
    config,
    messages: new MessagesService(triggers, new MessageDeliveryService(sender)),
    otp,
    tokenGenerator: new JwtTokenGenerator(clock, triggers, config.TokenConfig),
    triggers,
  };
  const routes = Router(services);
  const router = (target: string): Route =>
    target === 'SignUp' ? confirmingSignUp(routes, cognito) : routes(target);

  const server = (await createServer(router, logger, config.ServerConfig, services)
    .start()
    .catch((error: unknown) => {
      throw new Error(
        `cognito-local could not listen on 127.0.0.1:${options.port ?? 0}: ${String(error)}`,
        { cause: error },
      );
    })) as Server;
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  config.TokenConfig.IssuerDomain = endpoint;

  const close = () =>
    new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    });
  try {
    const { userPoolId, clientId } = await ensurePoolAndClient(endpoint);
    return {
      endpoint,
      region: REGION,
      userPoolId,
      clientId,
      issuer: `${endpoint}/${userPoolId}`,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** SignUp, then AdminConfirmSignUp and a verified email, answering `UserConfirmed: true`. */
function confirmingSignUp(routes: (target: string) => Route, cognito: CognitoService): Route {
  return async (ctx, request) => {
    const output = await routes('SignUp')(ctx, request);
    const UserPoolId = (await cognito.getUserPoolForClientId(ctx, request.ClientId)).options.Id;
    if (!output.UserConfirmed) {
      await routes('AdminConfirmSignUp')(ctx, { UserPoolId, Username: request.Username });
    }
    // Cognito wants the address itself next to its verified flag.
    const email =
      (request.UserAttributes as { Name: string; Value: string }[] | undefined)?.find(
        (attribute) => attribute.Name === 'email',
      )?.Value ?? request.Username;
    await routes('AdminUpdateUserAttributes')(ctx, {
      UserPoolId,
      Username: request.Username,
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
      ],
    });
    return { UserSub: output.UserSub, UserConfirmed: true };
  };
}

/** Finds the pool and client by name (they persist in the data folder), else creates them. */
async function ensurePoolAndClient(
  endpoint: string,
): Promise<{ userPoolId: string; clientId: string }> {
  const client = new CognitoIdentityProviderClient({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const pools = await client.send(new ListUserPoolsCommand({ MaxResults: 60 }));
    let userPoolId = pools.UserPools?.find((pool) => pool.Name === LOCAL_USER_POOL_NAME)?.Id;
    if (userPoolId === undefined) {
      const created = await client.send(
        new CreateUserPoolCommand({
          PoolName: LOCAL_USER_POOL_NAME,
          UsernameAttributes: ['email'],
        }),
      );
      userPoolId = required(created.UserPool?.Id, 'user pool id');
    }
    // As in AWS (lib/constructs/auth.ts): an authenticator app is an optional second factor.
    // Set on every start, so pools created before it get it too.
    await client.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: userPoolId,
        MfaConfiguration: 'OPTIONAL',
        SoftwareTokenMfaConfiguration: { Enabled: true },
      }),
    );
    const clients = await client.send(
      new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60 }),
    );
    let clientId = clients.UserPoolClients?.find(
      (appClient) => appClient.ClientName === LOCAL_APP_CLIENT_NAME,
    )?.ClientId;
    if (clientId === undefined) {
      const created = await client.send(
        new CreateUserPoolClientCommand({
          UserPoolId: userPoolId,
          ClientName: LOCAL_APP_CLIENT_NAME,
          GenerateSecret: false,
          ExplicitAuthFlows: [
            'ALLOW_USER_PASSWORD_AUTH',
            'ALLOW_USER_SRP_AUTH',
            'ALLOW_REFRESH_TOKEN_AUTH',
          ],
        }),
      );
      clientId = required(created.UserPoolClient?.ClientId, 'app client id');
    }
    return { userPoolId, clientId };
  } finally {
    client.destroy();
  }
}

function required(value: string | undefined, what: string): string {
  if (!value) throw new Error(`cognito-local returned no ${what}`);
  return value;
}
