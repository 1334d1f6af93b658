import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  generateMetrionKey,
  isMetrionKey,
  looksLikeMetrionKey,
  METRION_KEY_PREFIX,
  metrionKeyDigest,
} from '#core/accounts/metrion-key.ts';
import { FixedRandom } from '../../../fakes/fixed-random.ts';

const PEPPER = new Uint8Array(32).fill(7);

describe('generateMetrionKey', () => {
  it('is the prefix plus the 16 random bytes as 32 lowercase hex characters', () => {
    const bytes = Uint8Array.from({ length: 16 }, (_, index) => index * 17);
    const random = new FixedRandom({ queue: [bytes] });

    const key = generateMetrionKey(random);

    expect(random.requests).toEqual([16]);
    expect(key).toBe('sk-metrion-00112233445566778899aabbccddeeff');
    expect(isMetrionKey(key)).toBe(true);
  });

  it('carries all 128 bits: every random input gives a distinct, valid key', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        (first, second) => {
          const a = generateMetrionKey(new FixedRandom({ queue: [first] }));
          const b = generateMetrionKey(new FixedRandom({ queue: [second] }));
          expect(isMetrionKey(a)).toBe(true);
          expect(a === b).toBe(Buffer.from(first).equals(Buffer.from(second)));
        },
      ),
    );
  });

  it('refuses a Random that returns the wrong number of bytes', () => {
    const short = { bytes: () => new Uint8Array(8) };

    expect(() => generateMetrionKey(short)).toThrow(RangeError);
  });
});

describe('isMetrionKey', () => {
  it.each([
    [`sk-metrion-${'a'.repeat(31)}`, 'too short'],
    [`sk-metrion-${'a'.repeat(33)}`, 'too long'],
    [`sk-metrion-${'A'.repeat(32)}`, 'uppercase hex'],
    [`sk-metrion-${'g'.repeat(32)}`, 'non-hex'],
    [`SK-METRION-${'a'.repeat(32)}`, 'uppercase prefix'],
    [` sk-metrion-${'a'.repeat(32)}`, 'leading space'],
    [`sk-metrion-${'a'.repeat(32)}\n`, 'trailing newline'],
    [`sk-proj-${'a'.repeat(32)}`, 'another prefix'],
  ])('rejects %j (%s)', (value) => {
    expect(isMetrionKey(value)).toBe(false);
  });

  it('accepts the exact format', () => {
    expect(isMetrionKey(`sk-metrion-${'0123456789abcdef'.repeat(2)}`)).toBe(true);
  });
});

describe('looksLikeMetrionKey', () => {
  it('detects stored mode from the prefix alone, even for a malformed key', () => {
    expect(METRION_KEY_PREFIX).toBe('sk-metrion-');
    expect(looksLikeMetrionKey('sk-metrion-oops')).toBe(true);
    expect(looksLikeMetrionKey('sk-ant-api03-xyz')).toBe(false);
    expect(looksLikeMetrionKey('Bearer sk-metrion-x')).toBe(false);
  });
});

describe('metrionKeyDigest', () => {
  const key = `sk-metrion-${'ab'.repeat(16)}`;

  it('is HMAC-SHA256 hex: stable for the same key and pepper', () => {
    const digest = metrionKeyDigest(key, PEPPER);

    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(metrionKeyDigest(key, PEPPER)).toBe(digest);
    expect(digest).not.toContain('ab'.repeat(16));
  });

  it('matches the RFC 4231 HMAC-SHA256 test vector (case 1)', () => {
    const pepper = new Uint8Array(20).fill(0x0b);

    expect(metrionKeyDigest('Hi There', pepper)).toBe(
      'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    );
  });

  it('depends on the pepper and on the key', () => {
    const otherPepper = Uint8Array.from(PEPPER);
    otherPepper[0] = 8;
    const otherKey = `sk-metrion-${'ab'.repeat(15)}ac`;

    expect(metrionKeyDigest(key, otherPepper)).not.toBe(metrionKeyDigest(key, PEPPER));
    expect(metrionKeyDigest(otherKey, PEPPER)).not.toBe(metrionKeyDigest(key, PEPPER));
  });

  it('refuses a pepper shorter than 16 bytes', () => {
    expect(() => metrionKeyDigest(key, new Uint8Array(15))).toThrow(RangeError);
  });
});
