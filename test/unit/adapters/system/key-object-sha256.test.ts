import { createHash, createHmac } from 'node:crypto';
import { Sha256Node } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { hmacKey, KeyObjectSha256 } from '#adapters/system/key-object-sha256.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('KeyObjectSha256', () => {
  it('hashes like node:crypto SHA-256 without a secret', async () => {
    const hash = new KeyObjectSha256();
    hash.update('canonical request');
    hash.update(new TextEncoder().encode(' and bytes'));
    expect(hex(await hash.digest())).toBe(
      createHash('sha256').update('canonical request and bytes').digest('hex'),
    );
  });

  it('computes HMAC-SHA256 like node:crypto for string and byte secrets', async () => {
    const stringKeyed = new KeyObjectSha256('AWS4secret');
    stringKeyed.update('20261206');
    const signingKey = await stringKeyed.digest();
    expect(hex(signingKey)).toBe(
      createHmac('sha256', 'AWS4secret').update('20261206').digest('hex'),
    );
    const bytesKeyed = new KeyObjectSha256(signingKey);
    bytesKeyed.update('string to sign');
    expect(hex(await bytesKeyed.digest())).toBe(
      createHmac('sha256', signingKey).update('string to sign').digest('hex'),
    );
  });

  it('uses only the bytes of a view on a larger buffer as the key', async () => {
    const backing = Buffer.from('xxxxKEYBYTESyyyy');
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 4, 8);
    const hash = new KeyObjectSha256(view);
    hash.update('data');
    expect(hex(await hash.digest())).toBe(
      createHmac('sha256', 'KEYBYTES').update('data').digest('hex'),
    );
  });

  it('treats an empty string secret as no secret, as the SDK hash does', async () => {
    const hash = new KeyObjectSha256('');
    hash.update('data');
    expect(hex(await hash.digest())).toBe(createHash('sha256').update('data').digest('hex'));
  });

  it('lets a plain hash go on after a digest, and starts over on reset', async () => {
    const hash = new KeyObjectSha256();
    hash.update('a');
    await hash.digest();
    hash.update('b');
    expect(hex(await hash.digest())).toBe(createHash('sha256').update('ab').digest('hex'));
    hash.reset();
    hash.update('c');
    expect(hex(await hash.digest())).toBe(createHash('sha256').update('c').digest('hex'));
  });

  it('shares one KeyObject between equal keys and tells different keys apart', () => {
    expect(hmacKey('same')).toBe(hmacKey(Buffer.from('same')));
    expect(hmacKey('same')).not.toBe(hmacKey('other'));
  });

  it('gives the SDK signer the signature its own Node hash gives', async () => {
    const sign = (sha256: typeof Sha256Node) =>
      new SignatureV4({
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG' },
        region: 'eu-west-1',
        service: 'dynamodb',
        sha256,
      }).sign(
        {
          method: 'POST',
          protocol: 'https:',
          hostname: 'dynamodb.eu-west-1.amazonaws.com',
          path: '/',
          query: {},
          headers: {
            host: 'dynamodb.eu-west-1.amazonaws.com',
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': 'DynamoDB_20120810.GetItem',
          },
          body: '{"TableName":"t","Key":{"pk":{"S":"a"}}}',
        },
        { signingDate: new Date('2026-12-06T08:00:00Z') },
      );
    const ours = await sign(KeyObjectSha256);
    const sdks = await sign(Sha256Node);
    expect(ours.headers.authorization).toMatch(/Signature=[0-9a-f]{64}$/);
    expect(ours.headers.authorization).toBe(sdks.headers.authorization);
  });
});
