// A loopback KMS endpoint for the signed JSON client: it decodes each JSON request (blobs from
// base64), hands it as the SDK's command to a KMS client that aws-sdk-client-mock makes behave
// like KMS, and answers in KMS's wire format, errors as `{__type, message}`. So the data-key
// provider runs over the bundle's real wire path while the tests assert on the mocked client.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DecryptCommand,
  type DecryptCommandInput,
  GenerateDataKeyCommand,
  type GenerateDataKeyCommandInput,
  type KMSClient,
} from '@aws-sdk/client-kms';

export interface KmsWireBridge {
  readonly endpoint: string;
  /** Every request's `authorization` header, in order. */
  readonly authorizations: string[];
  close(): Promise<void>;
}

const blob = (value: unknown) =>
  typeof value === 'string' ? new Uint8Array(Buffer.from(value, 'base64')) : undefined;
const base64 = (value: Uint8Array | undefined) =>
  value === undefined ? undefined : Buffer.from(value).toString('base64');

async function forward(kms: KMSClient, target: string, input: Record<string, unknown>) {
  if (target === 'TrentService.GenerateDataKey') {
    const output = await kms.send(
      new GenerateDataKeyCommand(input as unknown as GenerateDataKeyCommandInput),
    );
    return {
      KeyId: output.KeyId,
      Plaintext: base64(output.Plaintext),
      CiphertextBlob: base64(output.CiphertextBlob),
    };
  }
  if (target === 'TrentService.Decrypt') {
    const output = await kms.send(
      new DecryptCommand({
        ...input,
        CiphertextBlob: blob(input.CiphertextBlob),
      } as unknown as DecryptCommandInput),
    );
    return { KeyId: output.KeyId, Plaintext: base64(output.Plaintext) };
  }
  throw Object.assign(new Error(`not bridged: ${target}`), { name: 'UnsupportedOperation' });
}

export async function startKmsWireBridge(kms: KMSClient): Promise<KmsWireBridge> {
  const authorizations: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      authorizations.push(String(request.headers.authorization));
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      try {
        const output = await forward(kms, String(request.headers['x-amz-target']), input);
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(output));
      } catch (error) {
        const { name, message, $fault } = error as Error & { $fault?: string };
        response.writeHead($fault === 'server' ? 500 : 400, {
          'content-type': 'application/x-amz-json-1.1',
        });
        response.end(JSON.stringify({ __type: name, message }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    authorizations,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
