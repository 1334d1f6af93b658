// AWS Signature Version 4 for the signed JSON client (aws-json-client.ts): the header form
// (`Authorization`), for requests with no query string, as AWS's JSON protocols send them.
import { createHash, createHmac } from 'node:crypto';

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
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${scope.credentials.secretAccessKey}`, day), scope.region), scope.service),
    'aws4_request',
  );
  const signature = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
  headers.authorization = `${ALGORITHM} Credential=${scope.credentials.accessKeyId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
