import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { awsEndpointOverride } from '#lambda/env.ts';
import { AwsJsonClient } from '#lambda/lean-aws/aws-json-client.ts';
import {
  GetSecretValueCommand,
  SecretsManagerClient,
} from '#lambda/lean-aws/client-secrets-manager.ts';
import { signRequest } from '#lambda/lean-aws/sigv4.ts';

// AWS's published Signature Version 4 test suite (get-vanilla, post-vanilla).
const EXAMPLE_CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const EXAMPLE_SCOPE = {
  region: 'us-east-1',
  service: 'service',
  credentials: EXAMPLE_CREDENTIALS,
  now: new Date('2015-08-30T12:36:00Z'),
};

describe('signRequest', () => {
  it.each([
    ['GET', '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'],
    ['POST', '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b'],
  ])('signs %s-vanilla as the AWS test suite does', (method, signature) => {
    const headers = signRequest(
      { method, host: 'example.amazonaws.com', path: '/', headers: {}, body: '' },
      EXAMPLE_SCOPE,
    );

    expect(headers.authorization).toBe(
      `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${signature}`,
    );
    expect(headers['x-amz-date']).toBe('20150830T123600Z');
  });

  it('keeps signing keys apart by secret when it reuses them', () => {
    const request = { method: 'POST', host: 'h', path: '/', headers: {}, body: '' };
    const signature = (scope: typeof EXAMPLE_SCOPE) =>
      signRequest(request, scope).authorization?.split('Signature=')[1];
    const first = signature(EXAMPLE_SCOPE);
    const otherSecret = {
      ...EXAMPLE_SCOPE,
      credentials: { ...EXAMPLE_CREDENTIALS, secretAccessKey: 'another' },
    };

    expect(signature(otherSecret)).not.toBe(first);
    expect(signature(EXAMPLE_SCOPE)).toBe(first);
  });

  it('signs the session token and the body: changing either changes the signature', () => {
    const request = { method: 'POST', host: 'h', path: '/', headers: {}, body: '{"a":1}' };
    const withToken = {
      ...EXAMPLE_SCOPE,
      credentials: { ...EXAMPLE_CREDENTIALS, sessionToken: 't' },
    };

    const signed = signRequest(request, withToken);

    expect(signed['x-amz-security-token']).toBe('t');
    expect(signed.authorization).toContain('SignedHeaders=host;x-amz-date;x-amz-security-token,');
    expect(signRequest({ ...request, body: '{"a":2}' }, withToken).authorization).not.toBe(
      signed.authorization,
    );
  });
});

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A loopback service answering each request with the next scripted answer. */
function scriptedService() {
  const received: Received[] = [];
  let answers: Array<{ status: number; body: unknown }> = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = answers.shift() ?? { status: 500, body: { __type: 'NoScript' } };
      response.writeHead(answer.status, { 'x-amzn-requestid': `req-${received.length}` });
      response.end(JSON.stringify(answer.body));
    });
  });
  return {
    server,
    received,
    script: (next: typeof answers) => {
      answers = [...next];
      received.length = 0;
    },
    endpoint: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  };
}

describe('AwsJsonClient', () => {
  const service = scriptedService();
  let client: AwsJsonClient;
  beforeAll(async () => {
    await new Promise<void>((resolve) => service.server.listen(0, '127.0.0.1', resolve));
    client = new AwsJsonClient(
      {
        name: 'dynamodb',
        endpointId: 'DYNAMODB',
        targetPrefix: 'DynamoDB_20120810',
        jsonVersion: '1.0',
      },
      {
        region: 'eu-central-1',
        endpoint: service.endpoint(),
        credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
      },
    );
  });
  afterAll(() => {
    client.destroy();
    service.server.close();
  });
  beforeEach(() => service.script([]));

  it('posts the JSON input with the target, content type and a SigV4 signature', async () => {
    service.script([{ status: 200, body: { Item: { pk: { S: 'a' } } } }]);

    const output = await client.call('GetItem', { TableName: 't' });

    expect(output).toEqual({ Item: { pk: { S: 'a' } } });
    const [request] = service.received;
    expect(request?.body).toBe('{"TableName":"t"}');
    expect(request?.headers['x-amz-target']).toBe('DynamoDB_20120810.GetItem');
    expect(request?.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(request?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKID\/\d{8}\/eu-central-1\/dynamodb\/aws4_request, /,
    );
  });

  it('throws a client error at once, named by its type, with the answer fields', async () => {
    service.script([
      {
        status: 400,
        body: {
          __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
          message: 'The conditional request failed',
          Item: { pk: { S: 'a' } },
        },
      },
    ]);

    const error = await client.call('PutItem', {}).catch((caught: unknown) => caught);

    expect(error).toMatchObject({
      name: 'ConditionalCheckFailedException',
      message: 'The conditional request failed',
      Item: { pk: { S: 'a' } },
      $fault: 'client',
      $metadata: { httpStatusCode: 400, requestId: 'req-1', attempts: 1 },
    });
    expect(service.received).toHaveLength(1);
  });

  it.each([
    ['a 500', { status: 500, body: { __type: 'InternalServerError', message: 'x' } }],
    ['throttling', { status: 400, body: { __type: 'ThrottlingException', message: 'x' } }],
  ])('retries %s, up to three attempts in all', async (_label, failure) => {
    service.script([failure, { status: 200, body: { ok: true } }]);

    expect(await client.call('GetItem', {})).toEqual({ ok: true });
    expect(service.received).toHaveLength(2);

    service.script([failure, failure, failure, { status: 200, body: {} }]);
    const error = await client.call('GetItem', {}).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ name: failure.body.__type, $metadata: { attempts: 3 } });
    expect(service.received).toHaveLength(3);
  });

  it('retries a refused connection, then throws it named by its code', async () => {
    const closed = new AwsJsonClient(
      { name: 'kms', endpointId: 'KMS', targetPrefix: 'TrentService', jsonVersion: '1.1' },
      {
        region: 'eu-central-1',
        endpoint: 'http://127.0.0.1:1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
        maxAttempts: 2,
      },
    );

    const error = await closed.call('Decrypt', {}).catch((caught: unknown) => caught);

    expect(error).toMatchObject({
      name: 'ECONNREFUSED',
      $fault: 'server',
      $metadata: { attempts: 2 },
    });
    closed.destroy();
  });
});

describe('SecretsManagerClient', () => {
  const service = scriptedService();
  beforeAll(() => new Promise<void>((resolve) => service.server.listen(0, '127.0.0.1', resolve)));
  afterAll(() => service.server.close());

  it('reads a secret string and a binary secret', async () => {
    service.script([
      { status: 200, body: { Name: 'pepper', SecretString: 'text', CreatedDate: 1.7e9 } },
      { status: 200, body: { Name: 'bytes', SecretBinary: 'AQID' } },
    ]);
    const client = new SecretsManagerClient({
      region: 'eu-central-1',
      endpoint: service.endpoint(),
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });

    const text = await client.send(new GetSecretValueCommand({ SecretId: 'arn:pepper' }));
    const binary = await client.send(new GetSecretValueCommand({ SecretId: 'arn:bytes' }));
    client.destroy();

    expect(text.SecretString).toBe('text');
    expect(binary.SecretBinary).toEqual(Uint8Array.of(1, 2, 3));
    expect(service.received[0]?.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
    expect(JSON.parse(service.received[0]?.body ?? '')).toEqual({ SecretId: 'arn:pepper' });
  });
});

describe('awsEndpointOverride', () => {
  it('prefers the service variable, then the general one, unless told to ignore both', () => {
    const env = { AWS_ENDPOINT_URL: 'http://all', AWS_ENDPOINT_URL_KMS: 'http://kms' };

    expect(awsEndpointOverride('KMS', env)).toBe('http://kms');
    expect(awsEndpointOverride('DYNAMODB', env)).toBe('http://all');
    expect(
      awsEndpointOverride('KMS', { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }),
    ).toBe(undefined);
    expect(awsEndpointOverride('KMS', {})).toBe(undefined);
  });
});
