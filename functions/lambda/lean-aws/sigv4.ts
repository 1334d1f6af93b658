// AWS Signature Version 4 for the signed JSON client (aws-json-client.ts): the header form
// (`Authorization`), for requests with no query string, as AWS's JSON protocols send them.
import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto';

/** The credentials a request is signed with (the SDK's `AwsCredentialIdentity` fields used). */
export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface RequestToSign {
  readonly method: string;
  /** Host, with the port when it is not the scheme's default. */
  readonly host: string;
  /** Absolute path, already URI-encoded (AWS's JSON endpoints use `/`). */
  readonly path: string;
  /** Lower-case names; `host`, `x-amz-date` and `x-amz-security-token` are added here. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface SigningScope {
  readonly region: string;
  /** The service's signing name, e.g. `dynamodb`, `kms`, `secretsmanager`. */
  readonly service: string;
  readonly credentials: SigningCredentials;
  readonly now: Date;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string) =>
  createHmac('sha256', key).update(data, 'utf8').digest();

/**
 * Signing keys by credentials and scope. A key changes once a day per scope, and Node checks a
 * raw HMAC key by throwing and catching inside (about 40 µs per HMAC, five per signature when
 * derived each time), so each is derived once and kept as a KeyObject (about 5 µs per HMAC).
 */
const signingKeys = new Map<string, KeyObject>();
const MAX_SIGNING_KEYS = 16;

function signingKey(secretAccessKey: string, day: string, region: string, service: string) {
  const id = `${sha256Hex(secretAccessKey)}/${day}/${region}/${service}`;
  let key = signingKeys.get(id);
  if (key === undefined) {
    if (signingKeys.size >= MAX_SIGNING_KEYS) signingKeys.clear();
    key = createSecretKey(
      hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, day), region), service), 'aws4_request'),
    );
    signingKeys.set(id, key);
  }
  return key;
}

/** `20150830T123600Z` */
function amzDate(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/**
 * Returns every header the request must carry: the given ones plus `host`, `x-amz-date`, the
 * session token when there is one, and `authorization`. All of them are signed.
 */
export function signRequest(request: RequestToSign, scope: SigningScope): Record<string, string> {
  const date = amzDate(scope.now);
  const day = date.slice(0, 8);
  const headers: Record<string, string> = {
    ...request.headers,
    host: request.host,
    'x-amz-date': date,
  };
  if (scope.credentials.sessionToken) {
    headers['x-amz-security-token'] = scope.credentials.sessionToken;
  }
  const names = Object.keys(headers)
    .map((name) => name.toLowerCase())
    .sort();
  const lowerCased = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const canonicalHeaders = names
    .map((name) => `${name}:${String(lowerCased[name]).trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    request.method,
    request.path,
    '',
    canonicalHeaders,
    signedHeaders,
    sha256Hex(request.body),
  ].join('\n');
  const credentialScope = `${day}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = [ALGORITHM, date, credentialScope, sha256Hex(canonicalRequest)].join('\n');
  const key = signingKey(scope.credentials.secretAccessKey, day, scope.region, scope.service);
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  headers.authorization = `${ALGORITHM} Credential=${scope.credentials.accessKeyId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
