import { createDecipheriv, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SecretIntegrityError } from '#core/errors.ts';
import type { EncryptionContext } from '#core/ports/data-key-provider.ts';
import {
  canonicalContext,
  type GcmCiphertext,
  integrityError,
  openWithDataKey,
  sealWithDataKey,
} from '#core/vault/envelope.ts';
import { FixedRandom } from '../../../fakes/fixed-random.ts';

const CONTEXT: EncryptionContext = {
  account: 'acc_1',
  provider: 'openai',
  purpose: 'provider-key',
};
const PLAINTEXT = new TextEncoder().encode('sk-proj-THE-PROVIDER-SECRET');

function dataKey(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

function flipBit(bytes: Uint8Array, index: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[index] = (copy[index] ?? 0) ^ 0x80;
  return copy;
}

describe('canonicalContext', () => {
  it('is independent of key order and unambiguous about entry boundaries', () => {
    expect(canonicalContext({ b: '2', a: '1' })).toBe(canonicalContext({ a: '1', b: '2' }));
    expect(canonicalContext({ a: 'b=c' })).not.toBe(canonicalContext({ 'a=b': 'c' }));
    expect(canonicalContext({ a: '1,b' })).not.toBe(canonicalContext({ a: '1', b: '' }));
  });

  it('keeps the stored format: sorted [key, value] pairs as JSON', () => {
    expect(canonicalContext({ purpose: 'metrion-key', account: 'acc_1' })).toBe(
      '[["account","acc_1"],["purpose","metrion-key"]]',
    );
  });
});

describe('sealWithDataKey / openWithDataKey', () => {
  it('round-trips any bytes under any context', () => {
    const key = dataKey();
    const random = new FixedRandom({ seed: 1 });
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 512 }),
        fc.dictionary(fc.string(), fc.string()),
        (plaintext, context) => {
          const sealed = sealWithDataKey(key, plaintext, context, random);
          expect(openWithDataKey(key, sealed, context)).toEqual(plaintext);
        },
      ),
    );
  });

  it('draws a fresh 12-byte IV from Random for every encryption', () => {
    const key = dataKey();
    const random = new FixedRandom({ seed: 'iv' });

    const first = sealWithDataKey(key, PLAINTEXT, CONTEXT, random);
    const second = sealWithDataKey(key, PLAINTEXT, CONTEXT, random);

    expect(random.requests).toEqual([12, 12]);
    expect(first.iv).toHaveLength(12);
    expect(Buffer.from(first.iv).equals(Buffer.from(second.iv))).toBe(false);
    expect(Buffer.from(first.ciphertext).equals(Buffer.from(second.ciphertext))).toBe(false);
  });

  it('uses exactly the IV that Random returned', () => {
    const iv = Uint8Array.from({ length: 12 }, (_, index) => index + 1);

    const sealed = sealWithDataKey(dataKey(), PLAINTEXT, CONTEXT, new FixedRandom({ queue: [iv] }));

    expect(sealed.iv).toEqual(iv);
  });

  it('binds the canonical context as GCM additional data (readable by plain node:crypto)', () => {
    const key = dataKey();
    const sealed = sealWithDataKey(key, PLAINTEXT, CONTEXT, new FixedRandom());

    const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv, { authTagLength: 16 });
    decipher.setAAD(
      Buffer.from('[["account","acc_1"],["provider","openai"],["purpose","provider-key"]]'),
    );
    decipher.setAuthTag(sealed.authTag);
    const plaintext = Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);

    expect(new Uint8Array(plaintext)).toEqual(PLAINTEXT);
  });

  it('produces a 16-byte tag and does not leak the plaintext into the ciphertext', () => {
    const sealed = sealWithDataKey(dataKey(), PLAINTEXT, CONTEXT, new FixedRandom());

    expect(sealed.authTag).toHaveLength(16);
    expect(Buffer.from(sealed.ciphertext).includes(Buffer.from(PLAINTEXT))).toBe(false);
  });

  it('refuses to seal with a key that is not 32 bytes', () => {
    expect(() =>
      sealWithDataKey(new Uint8Array(16), PLAINTEXT, CONTEXT, new FixedRandom()),
    ).toThrow(new RangeError('A data key must be 32 bytes.'));
  });

  it('refuses to seal with an IV that is not 12 bytes (GCM itself would accept it)', () => {
    const shortIvs = { bytes: (length: number) => new Uint8Array(length - 4) };

    expect(() => sealWithDataKey(dataKey(), PLAINTEXT, CONTEXT, shortIvs)).toThrow(
      new RangeError('The IV must be 12 bytes.'),
    );
  });

  it('says what to do about a key that cannot be decrypted, and nothing more', () => {
    expect(integrityError().message).toBe(
      'A stored key could not be decrypted. Save the key again in Settings.',
    );
  });

  describe('rejects with SecretIntegrityError', () => {
    const key = dataKey();
    const sealed = sealWithDataKey(key, PLAINTEXT, CONTEXT, new FixedRandom({ seed: 2 }));

    function expectIntegrityError(open: () => unknown): void {
      let thrown: unknown;
      try {
        open();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(SecretIntegrityError);
      expect(String((thrown as Error).message)).not.toContain('THE-PROVIDER-SECRET');
    }

    it('a wrong data key', () => {
      expectIntegrityError(() => openWithDataKey(dataKey(), sealed, CONTEXT));
    });

    it.each<[string, EncryptionContext]>([
      ['another account', { ...CONTEXT, account: 'acc_2' }],
      ['another provider', { ...CONTEXT, provider: 'mistral' }],
      ['an extra entry', { ...CONTEXT, extra: '' }],
      ['a missing entry', { account: 'acc_1', provider: 'openai' }],
    ])('a context with %s', (_label, context) => {
      expectIntegrityError(() => openWithDataKey(key, sealed, context));
    });

    it('any tampered byte of ciphertext, tag or IV', () => {
      for (const field of ['ciphertext', 'authTag', 'iv'] as const) {
        for (let index = 0; index < sealed[field].length; index += 1) {
          const tampered: GcmCiphertext = { ...sealed, [field]: flipBit(sealed[field], index) };
          expectIntegrityError(() => openWithDataKey(key, tampered, CONTEXT));
        }
      }
    });

    it('a truncated auth tag, even when it is a correct prefix of the real tag', () => {
      for (const length of [4, 8, 12, 13, 15]) {
        const truncated = { ...sealed, authTag: sealed.authTag.slice(0, length) };
        expectIntegrityError(() => openWithDataKey(key, truncated, CONTEXT));
      }
    });

    it('an IV of the wrong length, or truncated ciphertext', () => {
      expectIntegrityError(() =>
        openWithDataKey(key, { ...sealed, iv: sealed.iv.slice(0, 8) }, CONTEXT),
      );
      expectIntegrityError(() =>
        openWithDataKey(key, { ...sealed, ciphertext: sealed.ciphertext.slice(0, -1) }, CONTEXT),
      );
    });

    it('a data key of the wrong length', () => {
      expectIntegrityError(() => openWithDataKey(key.slice(0, 16), sealed, CONTEXT));
    });
  });
});
