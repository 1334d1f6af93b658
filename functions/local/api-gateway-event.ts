// Builds what API Gateway (REST API, Lambda proxy integration) and the Lambda runtime hand a
// handler: the v1 proxy event and the invocation context. Used by the local server and by tests.
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

/** The request as it arrived on the wire, before API Gateway shapes it. */
export interface ProxyEventInput {
  readonly method: string;
  /** Path plus optional `?query`, exactly as in the request line. */
  readonly rawUrl: string;
  /** Header names and values alternating, in arrival order and case (Node's `rawHeaders`). */
  readonly rawHeaders: readonly string[];
  readonly body: Uint8Array;
  readonly sourceIp: string;
  /** API Gateway resource that matched, e.g. `/api/proxy/{proxy+}`. @default - the path */
  readonly resource?: string | undefined;
  /** @default 'local' */
  readonly stage?: string;
  /** `requestContext.requestId`. @default - a random UUID */
  readonly requestId?: string;
  /** @default - now */
  readonly receivedAt?: Date;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Shapes a request the way API Gateway REST API does for a Lambda proxy integration (payload
 * v1): header names keep the case the client sent, `headers` holds the last value of a repeated
 * header and `multiValueHeaders` all of them, query maps are `null` when there is no query, and
 * the body is a string (base64 with `isBase64Encoded` when the bytes are not valid UTF-8), or
 * `null` when empty.
 */
export function buildProxyEvent(input: ProxyEventInput): APIGatewayProxyEvent {
  const receivedAt = input.receivedAt ?? new Date();
  const stage = input.stage ?? 'local';
  const requestId = input.requestId ?? randomUUID();
  const queryStart = input.rawUrl.indexOf('?');
  // Never `new URL(rawUrl, base)`: a path like `//host/x` would be read as another host.
  const path = queryStart === -1 ? input.rawUrl : input.rawUrl.slice(0, queryStart);
  const query = queryStart === -1 ? '' : input.rawUrl.slice(queryStart + 1);
  const resource = input.resource ?? path;
  const { headers, multiValueHeaders } = groupHeaders(input.rawHeaders);
  const { single, multi } = groupQuery(query);
  const { body, isBase64Encoded } = encodeBody(input.body);
  return {
    resource,
    path,
    httpMethod: input.method.toUpperCase(),
    headers,
    multiValueHeaders,
    queryStringParameters: single,
    multiValueQueryStringParameters: multi,
    pathParameters: matchPathParameters(resource, path),
    stageVariables: null,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: undefined,
      domainName: headerValue(headers, 'host') ?? 'localhost',
      domainPrefix: 'local',
      extendedRequestId: requestId,
      httpMethod: input.method.toUpperCase(),
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: input.sourceIp,
        user: null,
        userAgent: headerValue(headers, 'user-agent') ?? null,
        userArn: null,
      },
      path: `/${stage}${path}`,
      protocol: 'HTTP/1.1',
      requestId,
      requestTime: formatRequestTime(receivedAt),
      requestTimeEpoch: receivedAt.getTime(),
      resourceId: 'local',
      resourcePath: resource,
      stage,
    },
    body,
    isBase64Encoded,
  };
}

/** What the Lambda runtime's context needs to know about the function and this invocation. */
export interface LambdaContextInput {
  /** @default 'metrion-local' */
  readonly functionName?: string | undefined;
  /** The function timeout that `getRemainingTimeInMillis` counts down from. */
  readonly timeoutMs: number;
  /** @default - a random UUID */
  readonly awsRequestId?: string;
  /** @default 1024 */
  readonly memoryLimitInMB?: number;
  /** Clock for the deadline. @default Date.now */
  readonly now?: () => number;
}

/** A Lambda invocation context with a real countdown in `getRemainingTimeInMillis`. */
export function buildLambdaContext(input: LambdaContextInput): Context {
  const now = input.now ?? Date.now;
  const deadlineMs = now() + input.timeoutMs;
  const functionName = input.functionName ?? 'metrion-local';
  const unsupported = (name: string) => () => {
    throw new Error(`context.${name}() is not supported by the Node.js 24 runtime`);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: String(input.memoryLimitInMB ?? 1024),
    awsRequestId: input.awsRequestId ?? randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadlineMs - now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
}

function groupHeaders(rawHeaders: readonly string[]): {
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
} {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  // A repeated header keeps the spelling of its first occurrence.
  const spelling = new Map<string, string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const sent = rawHeaders[i] as string;
    const value = rawHeaders[i + 1] as string;
    const name = spelling.get(sent.toLowerCase()) ?? sent;
    spelling.set(sent.toLowerCase(), name);
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  return { headers, multiValueHeaders };
}

function headerValue(headers: Record<string, string>, lowerName: string): string | undefined {
  const name = Object.keys(headers).find((candidate) => candidate.toLowerCase() === lowerName);
  return name === undefined ? undefined : headers[name];
}

function groupQuery(query: string): {
  single: Record<string, string> | null;
  multi: Record<string, string[]> | null;
} {
  if (query === '') return { single: null, multi: null };
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [key, value] of new URLSearchParams(query)) {
    single[key] = value;
    multi[key] = [...(multi[key] ?? []), value];
  }
  return { single, multi };
}

function encodeBody(bytes: Uint8Array): { body: string | null; isBase64Encoded: boolean } {
  if (bytes.byteLength === 0) return { body: null, isBase64Encoded: false };
  try {
    return { body: strictUtf8.decode(bytes), isBase64Encoded: false };
  } catch {
    return { body: Buffer.from(bytes).toString('base64'), isBase64Encoded: true };
  }
}

// `/a/{id}/{proxy+}` against `/a/42/b/c` -> { id: '42', proxy: 'b/c' }; null when no parameters.
function matchPathParameters(resource: string, path: string): Record<string, string> | null {
  const resourceParts = resource.split('/');
  const pathParts = path.split('/');
  const parameters: Record<string, string> = {};
  for (const [index, part] of resourceParts.entries()) {
    const greedy = /^\{(.+)\+\}$/.exec(part);
    const single = /^\{(.+)\}$/.exec(part);
    if (greedy?.[1] !== undefined) {
      parameters[greedy[1]] = safeDecode(pathParts.slice(index).join('/'));
      break;
    }
    if (single?.[1] !== undefined) {
      parameters[single[1]] = safeDecode(pathParts[index] ?? '');
    }
  }
  return Object.keys(parameters).length === 0 ? null : parameters;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

// API Gateway's `requestTime` format: `25/Nov/2026:03:25:40 +0000`.
function formatRequestTime(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}
