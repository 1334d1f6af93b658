// The signed JSON client that stands in for the AWS SDK's DynamoDB, KMS and Secrets Manager
// clients in the proxy bundle (esbuild aliases, lib/constructs/lambda-bundling.ts): one POST per
// call with `X-Amz-Target`, SigV4-signed, over a keep-alive agent, retried as the SDK's standard
// mode retries (3 attempts, jittered backoff, throttling, 5xx and network errors). Errors carry
// the service's error type as `name`, like the SDK's exceptions, so the adapters' translation
// (`dynamo-errors.ts`, `kms-data-key-provider.ts`) works on both.
import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { awsEndpointOverride, awsEnvCredentials } from '../env.ts';
import { type SigningCredentials, signRequest } from './sigv4.ts';

/** What identifies one AWS JSON-protocol service. */
export interface AwsJsonService {
  /** Signing name and endpoint prefix, e.g. `dynamodb`. */
  readonly name: string;
  /** The service id in `AWS_ENDPOINT_URL_<ID>`, e.g. `DYNAMODB`, `SECRETS_MANAGER`. */
  readonly endpointId: string;
  /** `X-Amz-Target` prefix, e.g. `DynamoDB_20120810`. */
  readonly targetPrefix: string;
  /** `application/x-amz-json-<version>`. */
  readonly jsonVersion: '1.0' | '1.1';
}

type CredentialSource = SigningCredentials | (() => Promise<SigningCredentials>);

/** The subset of the SDK's client config this client honours. */
export interface AwsJsonClientConfig {
  readonly region?: string;
  /** @default - `AWS_ENDPOINT_URL_<ID>`, `AWS_ENDPOINT_URL`, then the regional endpoint */
  readonly endpoint?: string;
  /** @default - the environment's credentials (Lambda's execution role) */
  readonly credentials?: CredentialSource;
  /** @default 3 */
  readonly maxAttempts?: number;
  /** @default { httpAgent: { maxSockets: 50 } } */
  readonly requestHandler?: { readonly httpAgent?: { readonly maxSockets?: number } };
}

/** An AWS error answer (or a transport failure), shaped like the SDK's service exceptions. */
export class AwsServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode?: number; requestId?: string; attempts: number };

  constructor(
    name: string,
    message: string,
    details: {
      fault: 'client' | 'server';
      status?: number;
      requestId?: string;
      attempts: number;
      fields?: Record<string, unknown>;
    },
  ) {
    super(message);
    Object.assign(this, details.fields);
    this.name = name;
    this.$fault = details.fault;
    this.$metadata = {
      attempts: details.attempts,
      ...(details.status === undefined ? {} : { httpStatusCode: details.status }),
      ...(details.requestId === undefined ? {} : { requestId: details.requestId }),
    };
  }
}

/** Error types the SDK's standard retry mode retries besides 5xx answers and network errors. */
const RETRYABLE_TYPES: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'RequestThrottled',
  'SlowDown',
  'PriorRequestNotComplete',
  'RequestTimeout',
  'RequestTimeoutException',
]);

const THROTTLING_BASE_DELAY_MS = 500;
const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 20_000;

interface RawAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** One client per service and process; share it like an SDK client. */
export class AwsJsonClient {
  readonly #service: AwsJsonService;
  readonly #region: string;
  readonly #url: URL;
  readonly #credentials: () => Promise<SigningCredentials>;
  readonly #maxAttempts: number;
  readonly #agent: http.Agent;

  constructor(service: AwsJsonService, config: AwsJsonClientConfig = {}) {
    this.#service = service;
    const region = config.region;
    if (!region) throw new Error(`The ${service.name} client needs a region`);
    this.#region = region;
    const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
    this.#url = new URL(
      config.endpoint ??
        awsEndpointOverride(service.endpointId) ??
        `https://${service.name}.${region}.${suffix}`,
    );
    const credentials = config.credentials;
    this.#credentials =
      typeof credentials === 'function'
        ? credentials
        : async () => credentials ?? awsEnvCredentials();
    this.#maxAttempts = config.maxAttempts ?? 3;
    const Agent = this.#url.protocol === 'http:' ? http.Agent : https.Agent;
    this.#agent = new Agent({
      keepAlive: true,
      maxSockets: config.requestHandler?.httpAgent?.maxSockets ?? 50,
    });
  }

  /** Calls `operation` with a JSON body; resolves with the parsed answer. */
  async call(operation: string, input: unknown): Promise<Record<string, unknown>> {
    const body = JSON.stringify(input);
    for (let attempt = 1; ; attempt += 1) {
      let error: AwsServiceError;
      try {
        const answer = await this.#send(operation, body);
        if (answer.status === 200) {
          return answer.body === '' ? {} : (JSON.parse(answer.body) as Record<string, unknown>);
        }
        error = serviceError(answer, attempt);
      } catch (cause) {
        error = networkError(cause, attempt);
      }
      const retryable = error.$fault === 'server' || RETRYABLE_TYPES.has(error.name);
      if (!retryable || attempt >= this.#maxAttempts) throw error;
      const base = RETRYABLE_TYPES.has(error.name) ? THROTTLING_BASE_DELAY_MS : BASE_DELAY_MS;
      await sleep(Math.random() * Math.min(MAX_DELAY_MS, base * 2 ** (attempt - 1)));
    }
  }

  /** Closes the kept-alive sockets. */
  destroy(): void {
    this.#agent.destroy();
  }

  async #send(operation: string, body: string): Promise<RawAnswer> {
    const headers = signRequest(
      {
        method: 'POST',
        host: this.#url.host,
        path: this.#url.pathname,
        headers: {
          'content-type': `application/x-amz-json-${this.#service.jsonVersion}`,
          'x-amz-target': `${this.#service.targetPrefix}.${operation}`,
        },
        body,
      },
      {
        region: this.#region,
        service: this.#service.name,
        credentials: await this.#credentials(),
        now: new Date(),
      },
    );
    headers['content-length'] = String(Buffer.byteLength(body));
    const transport = this.#url.protocol === 'http:' ? http : https;
    return new Promise<RawAnswer>((resolve, reject) => {
      const request = transport.request(
        this.#url,
        { method: 'POST', headers, agent: this.#agent },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  }
}

/** `com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException` -> the part after `#`. */
function errorType(answer: RawAnswer, fields: Record<string, unknown>): string {
  const header = answer.headers['x-amzn-errortype'];
  const raw = String((typeof header === 'string' ? header : undefined) ?? fields.__type ?? '');
  const type = raw.split(':')[0]?.split('#').at(-1) ?? '';
  return type || (answer.status >= 500 ? 'InternalServerError' : 'UnknownError');
}

function serviceError(answer: RawAnswer, attempts: number): AwsServiceError {
  let fields: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(answer.body);
    if (typeof parsed === 'object' && parsed !== null) fields = parsed as Record<string, unknown>;
  } catch {
    // A non-JSON answer (a proxy's HTML page): the status decides.
  }
  const { __type: _type, message, Message, ...rest } = fields;
  const requestId = answer.headers['x-amzn-requestid'];
  return new AwsServiceError(errorType(answer, fields), String(message ?? Message ?? ''), {
    fault: answer.status >= 500 ? 'server' : 'client',
    status: answer.status,
    attempts,
    fields: rest,
    ...(typeof requestId === 'string' ? { requestId } : {}),
  });
}

/** A failure before any answer (reset, refused, DNS): retryable, like the SDK's. */
function networkError(cause: unknown, attempts: number): AwsServiceError {
  const error = cause instanceof Error ? cause : new Error(String(cause));
  const code = (error as { code?: unknown }).code;
  return new AwsServiceError(typeof code === 'string' ? code : error.name, error.message, {
    fault: 'server',
    attempts,
    fields: { cause: error },
  });
}

/** Base64 of bytes, as AWS's JSON protocols carry blobs. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Bytes of a base64 blob from an answer, in an unpooled array the caller may wipe. */
export function fromBase64(text: unknown): Uint8Array | undefined {
  return typeof text === 'string' ? new Uint8Array(Buffer.from(text, 'base64')) : undefined;
}
