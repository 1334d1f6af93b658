import { Buffer } from 'node:buffer';
import type { Clock } from '../ports/clock.ts';
import type { DataKeyProvider, EncryptionContext } from '../ports/data-key-provider.ts';
import type { Random } from '../ports/random.ts';
import type { ProviderId } from '../providers/provider-registry.ts';
import {
  AUTH_TAG_BYTES,
  canonicalContext,
  type GcmCiphertext,
  IV_BYTES,
  integrityError,
  openWithDataKey,
  sealWithDataKey,
} from './envelope.ts';
import type { SealedSecret } from './sealed-secret.ts';

/** Seals and opens secrets with envelope encryption (one data key per secret). */
export interface SecretVault {
  /**
   * Encrypts `plaintext` under a data key generated for this secret alone.
   * @returns The storable form; the plaintext data key is wiped before this resolves.
   */
  seal(plaintext: string, context: EncryptionContext): Promise<SealedSecret>;
  /**
   * Decrypts a sealed secret with the context it was sealed under.
   * @throws SecretIntegrityError when the record was tampered with or belongs to another context.
   */
  open(sealed: SealedSecret, context: EncryptionContext): Promise<string>;
}

export interface SecretVaultOptions {
  /** Wraps and unwraps data keys (KMS, or the local master key). */
  readonly dataKeyProvider: DataKeyProvider;
  /** Source of the per-encryption IVs. */
  readonly random: Random;
  /** Drives expiry of cached data keys. */
  readonly clock: Clock;
  /**
   * How long an unwrapped data key stays in memory after it was fetched (not extended by use).
   * `0` disables the cache.
   * @default 300_000 (5 minutes)
   */
  readonly dataKeyCacheTtlMs?: number;
  /**
   * Most unwrapped data keys kept at once; the least recently used one is evicted and wiped.
   * `0` disables the cache.
   * @default 1000
   */
  readonly maxCachedDataKeys?: number;
}

/** Context for a customer's stored provider key: the blob only opens for that account+provider. */
export function providerKeyContext(accountId: string, provider: ProviderId): EncryptionContext {
  return { account: accountId, provider, purpose: 'provider-key' };
}

/** Context for the viewable copy of an account's Metrion Key. */
export function metrionKeyContext(accountId: string): EncryptionContext {
  return { account: accountId, purpose: 'metrion-key' };
}

/**
 * Creates the vault used for provider keys and the viewable Metrion Key.
 *
 * Unwrapped data keys are cached in memory, keyed by (wrapped data key, canonical context), so a
 * warm proxy makes no KMS call. This cache never decides *whether* a secret is valid: callers read
 * the sealed record from the database on every request, so deleting or replacing a key takes
 * effect immediately; a cached data key can only open the exact ciphertext it was created for.
 */
export function createSecretVault(options: SecretVaultOptions): SecretVault {
  const { dataKeyProvider, random, clock } = options;
  const ttlMs = options.dataKeyCacheTtlMs ?? 300_000;
  const maxEntries = options.maxCachedDataKeys ?? 1000;
  if (!Number.isFinite(ttlMs) || ttlMs < 0) {
    throw new RangeError('dataKeyCacheTtlMs must be a finite number >= 0.');
  }
  if (!Number.isInteger(maxEntries) || maxEntries < 0) {
    throw new RangeError('maxCachedDataKeys must be an integer >= 0.');
  }
  const cache = new DataKeyCache(maxEntries);
  // Opens already waiting on the provider for a given entry; later opens reuse that call.
  const inFlight = new Map<string, Promise<void>>();

  return {
    async seal(plaintext, context) {
      const { plaintext: dataKey, encrypted } = await dataKeyProvider.generateDataKey(context);
      const message = Buffer.from(plaintext, 'utf8');
      try {
        const sealed = sealWithDataKey(dataKey, message, context, random);
        return {
          version: 1,
          encryptedDataKey: toBase64(encrypted),
          iv: toBase64(sealed.iv),
          ciphertext: toBase64(sealed.ciphertext),
          authTag: toBase64(sealed.authTag),
        };
      } finally {
        dataKey.fill(0);
        message.fill(0);
      }
    },

    async open(sealed, context) {
      const parts = decodeSealed(sealed);
      const entryId = `${sealed.encryptedDataKey}|${canonicalContext(context)}`;
      // Every use of a cached key is synchronous with its lookup, so an eviction (which wipes
      // the key) can never happen between fetching a key and decrypting with it.
      const cached = cache.get(entryId, clock.nowMs());
      if (cached !== undefined) return decryptText(cached, parts, context);

      const pending = inFlight.get(entryId);
      if (pending !== undefined) {
        await pending;
        const shared = cache.get(entryId, clock.nowMs());
        if (shared !== undefined) return decryptText(shared, parts, context);
      }

      const encryptedDataKey = fromBase64(sealed.encryptedDataKey);
      if (encryptedDataKey === undefined) throw integrityError();
      const request = dataKeyProvider.decryptDataKey(encryptedDataKey, context);
      const settled = request.then(
        () => undefined,
        () => undefined,
      );
      inFlight.set(entryId, settled);
      let dataKey: Uint8Array;
      try {
        dataKey = await request;
      } finally {
        if (inFlight.get(entryId) === settled) inFlight.delete(entryId);
      }
      try {
        return decryptText(dataKey, parts, context);
      } finally {
        // The key is valid even when the ciphertext was tampered with, so it is cached anyway.
        if (ttlMs > 0) cache.set(entryId, dataKey, clock.nowMs(), ttlMs);
        else dataKey.fill(0);
      }
    },
  };
}

function decryptText(dataKey: Uint8Array, parts: GcmCiphertext, context: EncryptionContext) {
  const bytes = openWithDataKey(dataKey, parts, context);
  try {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  } finally {
    bytes.fill(0);
  }
}

/** Validates the stored shape before any provider call, so a corrupt record costs no KMS call. */
function decodeSealed(sealed: SealedSecret): GcmCiphertext {
  if (sealed.version !== 1) throw integrityError();
  const iv = fromBase64(sealed.iv);
  const ciphertext = fromBase64(sealed.ciphertext);
  const authTag = fromBase64(sealed.authTag);
  if (
    iv === undefined ||
    ciphertext === undefined ||
    authTag === undefined ||
    iv.length !== IV_BYTES ||
    authTag.length !== AUTH_TAG_BYTES
  ) {
    throw integrityError();
  }
  return { iv, ciphertext, authTag };
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Strict base64: Node silently skips invalid characters, so insist on a canonical round trip. */
function fromBase64(text: string): Uint8Array | undefined {
  if (typeof text !== 'string') return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? new Uint8Array(bytes) : undefined;
}

interface CachedDataKey {
  readonly dataKey: Uint8Array;
  readonly expiresAtMs: number;
}

/** LRU over a Map (insertion order = recency). Evicted and expired keys are zeroed. */
class DataKeyCache {
  readonly #maxEntries: number;
  readonly #entries = new Map<string, CachedDataKey>();

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  get(id: string, nowMs: number): Uint8Array | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    this.#entries.delete(id);
    if (entry.expiresAtMs <= nowMs) {
      entry.dataKey.fill(0);
      return undefined;
    }
    this.#entries.set(id, entry);
    return entry.dataKey;
  }

  /** Inserts as most recent, then drops expired entries and the least recent beyond the bound. */
  set(id: string, dataKey: Uint8Array, nowMs: number, ttlMs: number): void {
    const previous = this.#entries.get(id);
    this.#entries.delete(id);
    if (previous !== undefined && previous.dataKey !== dataKey) previous.dataKey.fill(0);
    this.#entries.set(id, { dataKey, expiresAtMs: nowMs + ttlMs });
    let excess = this.#entries.size - this.#maxEntries;
    for (const [entryId, entry] of this.#entries) {
      if (excess > 0 || entry.expiresAtMs <= nowMs) {
        this.#entries.delete(entryId);
        entry.dataKey.fill(0);
        excess -= 1;
      }
    }
  }
}
