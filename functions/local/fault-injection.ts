// Test-only fault injection for a running local process (the soak, the process-kill tests): a
// request names the faults it wants in a header, and the local composition root applies them to
// that request's DynamoDB and KMS calls only. Enabled by an explicit option of startLocalMetrion;
// `npm start` never sets it, and nothing outside functions/local knows it exists.
import { AsyncLocalStorage } from 'node:async_hooks';
import { KMSClient } from '@aws-sdk/client-kms';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KmsDataKeyProvider } from '#adapters/kms/kms-data-key-provider.ts';
import type { DataKeyProvider } from '#core/ports/data-key-provider.ts';
import type { Logger } from '#core/ports/logger.ts';
import type { LocalData } from './local-data.ts';
import type { LocalHandlers } from './local-routes.ts';

/**
 * The request header naming faults: comma-separated `<target>=<fault>`, e.g.
 * `admission=throttle` or `record=hang,trace=timeout`.
 */
export const FAULT_HEADER = 'x-metrion-test-fault';

/** The DynamoDB calls a fault can hit: the admission write, the trace write, the record write. */
export const STORE_FAULT_TARGETS = ['admission', 'trace', 'record'] as const;
export type StoreFaultTarget = (typeof STORE_FAULT_TARGETS)[number];

/**
 * `throttle`: refused before it lands (ProvisionedThroughputExceeded); `timeout`: lands, then its
 * answer is lost; `hang`: never sent, never answered; `hang-after-write`: lands, never answered.
 */
export const STORE_FAULTS = ['throttle', 'timeout', 'hang', 'hang-after-write'] as const;
export type StoreFault = (typeof STORE_FAULTS)[number];

/** The faults one request asked for. `kms: 'error'` makes its data-key decryption fail. */
export interface RequestFaults {
  readonly store: Readonly<Partial<Record<StoreFaultTarget, StoreFault>>>;
  readonly kms?: 'error';
  /** The request's `x-metrion-user`, named in the log line of each fault applied. */
  readonly requester?: string;
}

const NO_FAULTS: RequestFaults = { store: {} };

/** Reads the header; unknown pairs are ignored (a typo injects nothing). */
export function parseFaultHeader(value: string | undefined): RequestFaults {
  if (value === undefined) return NO_FAULTS;
  const store: Partial<Record<StoreFaultTarget, StoreFault>> = {};
  let kms: 'error' | undefined;
  for (const pair of value.split(',')) {
    const [target = '', fault = ''] = pair.trim().split('=');
    if (target === 'kms' && fault === 'error') kms = 'error';
    if (isOneOf(STORE_FAULT_TARGETS, target) && isOneOf(STORE_FAULTS, fault)) store[target] = fault;
  }
  return kms === undefined ? { store } : { store, kms };
}

function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}

/** Applies the current request's faults; built once per local process. */
export interface LocalFaults {
  /** The data access with faults: the document client's calls and the data keys. */
  wrapData(data: LocalData): LocalData;
  /** The handlers, each invocation running with the faults its request's header names. */
  wrapHandlers(handlers: LocalHandlers): LocalHandlers;
}

export function createLocalFaults(options: { readonly logger: Logger }): LocalFaults {
  const current = new AsyncLocalStorage<RequestFaults>();
  const { logger } = options;
  return {
    wrapData(data) {
      injectStoreFaults(data.documentClient, data.accountsTable, () => current.getStore(), logger);
      return {
        ...data,
        dataKeyProvider: faultyDataKeys(data.dataKeyProvider, () => current.getStore(), logger),
      };
    },
    wrapHandlers(handlers) {
      const run =
        (handler: unknown) =>
        (event: { headers?: Record<string, string | undefined> }, ...rest: unknown[]) =>
          current.run(requestFaults(event), () =>
            (handler as (...args: unknown[]) => unknown)(event, ...rest),
          );
      return { ...handlers, proxy: keepMarks(handlers.proxy, run(handlers.proxy)) };
    },
  };
}

/** The faults the request's header names, and whom the request is for (the log says it). */
function requestFaults(event: { headers?: Record<string, string | undefined> }): RequestFaults {
  const faults = parseFaultHeader(headerOf(event, FAULT_HEADER));
  const requester = headerOf(event, 'x-metrion-user');
  return requester === undefined ? faults : { ...faults, requester };
}

function headerOf(
  event: { headers?: Record<string, string | undefined> },
  name: string,
): string | undefined {
  const entry = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return entry?.[1];
}

/** The streaming marks `awslambda.streamifyResponse` set on the handler, kept on its wrapper. */
function keepMarks(original: unknown, wrapper: object): unknown {
  for (const symbol of Object.getOwnPropertySymbols(original)) {
    (wrapper as Record<symbol, unknown>)[symbol] = (original as Record<symbol, unknown>)[symbol];
  }
  return wrapper;
}

function targetOf(command: string, input: Record<string, unknown>, accountsTable: string) {
  const key = (input.Item ?? input.Key ?? {}) as Record<string, unknown>;
  const text = (value: unknown) =>
    typeof value === 'object' && value !== null && 'S' in value ? String(value.S) : String(value);
  if (command === 'PutItemCommand' && text(key.sk).startsWith('REQ#')) return 'record';
  if (command === 'PutItemCommand' && text(key.pk).startsWith('TRACE#')) return 'trace';
  const admits = command === 'UpdateItemCommand' || command === 'GetItemCommand';
  if (admits && input.TableName === accountsTable) return 'admission';
  return undefined;
}

function storeError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

const never = () => new Promise<never>(() => undefined);

/** A middleware before the SDK's retries: an injected failure reaches the adapter as is. */
function injectStoreFaults(
  client: DynamoDBDocumentClient,
  accountsTable: string,
  faults: () => RequestFaults | undefined,
  logger: Logger,
): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? '';
      const target = targetOf(command, args.input as Record<string, unknown>, accountsTable);
      const requested = faults();
      const fault = target && requested?.store[target];
      if (!fault) return next(args);
      logger.warn('test fault injected', {
        target,
        fault,
        command,
        requester: requested.requester,
      });
      if (fault === 'throttle') {
        throw storeError('ProvisionedThroughputExceededException', 'Rate of requests exceeded');
      }
      if (fault === 'hang') return never();
      await next(args);
      if (fault === 'hang-after-write') return never();
      throw storeError('TimeoutError', 'socket timed out after the write');
    },
    { step: 'initialize', name: 'localTestFaults' },
  );
}

/** Decryption through the real KMS adapter on a client whose every call fails, when asked. */
function faultyDataKeys(
  inner: DataKeyProvider,
  faults: () => RequestFaults | undefined,
  logger: Logger,
): DataKeyProvider {
  const failingKms = new KMSClient({
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  failingKms.middlewareStack.add(
    () => async () => {
      throw storeError('KMSInternalException', 'KMS failed (injected)');
    },
    { step: 'initialize', name: 'localTestKmsFault' },
  );
  const kms = new KmsDataKeyProvider({ client: failingKms, keyId: 'alias/local-test-fault' });
  return {
    generateDataKey: (context) => inner.generateDataKey(context),
    decryptDataKey(encrypted, context) {
      const requested = faults();
      if (requested?.kms !== 'error') return inner.decryptDataKey(encrypted, context);
      logger.warn('test fault injected', {
        target: 'kms',
        fault: 'error',
        command: 'Decrypt',
        requester: requested.requester,
      });
      return kms.decryptDataKey(encrypted, context);
    },
  };
}
