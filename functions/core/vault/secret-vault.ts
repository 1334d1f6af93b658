import { Buffer } from 'node:buffer';
import type { AccountDataKeyStore } from '../ports/account-data-key-store.ts';
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
import { CURRENT_SEALED_VERSION, type SealedSecret } from './sealed-secret.ts';
import {
  ACCOUNT_SECRETS_PURPOSE,
  METRION_KEY_PURPOSE,
  PROVIDER_KEY_PURPOSE,
} from './secret-purposes.ts';

/**
 * Seals and opens secrets with envelope encryption: one data key per account, each secret bound
 * to its own context as GCM additional data (see `SealedSecret` for both stored versions).
 */
export interface SecretVault {
  /**
   * Encrypts `plaintext` under the data key of `context.account`, created on its first secret.
   * @returns The storable form (version 2); no plaintext data key outlives the call but cached ones.
   */
  seal(plaintext: string, context: EncryptionContext): Promise<SealedSecret>;
  /**
   * Decrypts a sealed secret (either version) with the context it was sealed under.
   * @throws SecretIntegrityError when the record was tampered with or belongs to another context.
   */
  open(sealed: SealedSecret, context: EncryptionContext): Promise<string>;
}

export interface SecretVaultOptions {
  /** Wraps and unwraps data keys (KMS, or the local master key). */
  readonly dataKeyProvider: DataKeyProvider;
  /** Keeps each account's wrapped data key (read on `seal` only). */
  readonly accountDataKeys: AccountDataKeyStore;
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
  return { account: accountId, provider, purpose: PROVIDER_KEY_PURPOSE };
}

/** Context for the viewable copy of an account's Metrion Key. */
export function metrionKeyContext(accountId: string): EncryptionContext {
  return { account: accountId, purpose: METRION_KEY_PURPOSE };
}

/** KMS context of an account's data key: the account alone (each secret's context is its AAD). */
export function accountDataKeyContext(accountId: string): EncryptionContext {
  return { account: accountId, purpose: ACCOUNT_SECRETS_PURPOSE };
}

/**
 * Unwrapped data keys with their cache (keyed by wrapped data key and canonical KMS context) and
 * one provider call per entry at a time.
 */
function createUnwrappedKeys(
  dataKeyProvider: DataKeyProvider,
  clock: Clock,
  ttlMs: number,
  maxEntries: number,
) {
  const cache = new DataKeyCache(maxEntries);
  // Unwraps already waiting on the provider for a given entry; later ones reuse that call.
  const inFlight = new Map<string, Promise<void>>();

  /**
   * Runs `use` with the unwrapped key, synchronously after the cache lookup or the unwrap, so an
   * eviction (which wipes the key) can never happen between fetching a key and using it.
   */
  async function withDataKey<T>(
    encryptedDataKey: string,
    kmsContext: EncryptionContext,
    use: (dataKey: Uint8Array) => T,
  ): Promise<T> {
    const entryId = `${encryptedDataKey}|${canonicalContext(kmsContext)}`;
    const cached = cache.get(entryId, clock.nowMs());
    if (cached !== undefined) return use(cached);

    const pending = inFlight.get(entryId);
    if (pending !== undefined) {
      await pending;
      const shared = cache.get(entryId, clock.nowMs());
      if (shared !== undefined) return use(shared);
    }

    const encrypted = fromBase64(encryptedDataKey);
    if (encrypted === undefined) throw integrityError();
    const request = dataKeyProvider.decryptDataKey(encrypted, kmsContext);
    const settled = request.then(
      () => undefined,
      () => undefined,
    );
    inFlight.set(entryId, settled);
    let dataKey: Uint8Array;
    try {
      dataKey = await request;
    } finally {
      // Runs before the waiters resume (`settled` resolved first), so no newer call is lost.
      inFlight.delete(entryId);
    }
    try {
      return use(dataKey);
    } finally {
      // The key is valid even when the ciphertext was tampered with, so it is cached anyway.
      cache.set(entryId, dataKey, clock.nowMs(), ttlMs);
    }
  }

  /** Caches a data key; with a TTL of 0 (cache off) the same call drops and wipes it. */
  function remember(encryptedDataKey: string, kmsContext: EncryptionContext, dataKey: Uint8Array) {
    const entryId = `${encryptedDataKey}|${canonicalContext(kmsContext)}`;
    cache.set(entryId, dataKey, clock.nowMs(), ttlMs);
  }

  return { withDataKey, remember };
}

/**
 * Creates the vault used for provider keys and the viewable Metrion Key.
 *
 * Unwrapped data keys are cached in memory, keyed by (wrapped data key, canonical KMS context),
 * so a warm proxy makes at most one KMS call per account per cache period. This cache never
 * decides *whether* a secret is valid: callers read the sealed record from the database on every
 * request, so deleting or replacing a key takes effect immediately; a cached data key only
 * decrypts ciphertexts that carry it and whose own context (the GCM additional data) matches.
 */
export function createSecretVault(options: SecretVaultOptions): SecretVault {
  const { dataKeyProvider, accountDataKeys, random, clock } = options;
  const ttlMs = options.dataKeyCacheTtlMs ?? 300_000;
  const maxEntries = options.maxCachedDataKeys ?? 1000;
  if (!Number.isFinite(ttlMs) || ttlMs < 0) {
    throw new RangeError('dataKeyCacheTtlMs must be a finite number >= 0.');
  }
  if (!Number.isInteger(maxEntries) || maxEntries < 0) {
    throw new RangeError('maxCachedDataKeys must be an integer >= 0.');
  }
  const keys = createUnwrappedKeys(dataKeyProvider, clock, ttlMs, maxEntries);

  /** The account's wrapped data key, created (and shared with concurrent creators) if missing. */
  async function accountDataKey(accountId: string): Promise<string> {
    const stored = await accountDataKeys.getAccountDataKey(accountId);
    if (stored !== undefined) return stored;
    const { plaintext, encrypted } = await dataKeyProvider.generateDataKey(
      accountDataKeyContext(accountId),
    );
    const created = toBase64(encrypted);
    try {
      const kept = await accountDataKeys.putAccountDataKeyIfAbsent(accountId, created);
      if (kept === created) {
        keys.remember(created, accountDataKeyContext(accountId), Uint8Array.from(plaintext));
      }
      return kept;
    } finally {
      plaintext.fill(0);
    }
  }

  return {
    async seal(plaintext, context) {
      const accountId = accountOf(context);
      const encryptedDataKey = await accountDataKey(accountId);
      const message = Buffer.from(plaintext, 'utf8');
      try {
        const sealed = await keys.withDataKey(
          encryptedDataKey,
          accountDataKeyContext(accountId),
          (dataKey) => sealWithDataKey(dataKey, message, context, random),
        );
        return {
          version: CURRENT_SEALED_VERSION,
          encryptedDataKey,
          iv: toBase64(sealed.iv),
          ciphertext: toBase64(sealed.ciphertext),
          authTag: toBase64(sealed.authTag),
        };
      } finally {
        message.fill(0);
      }
    },

    async open(sealed, context) {
      const parts = decodeSealed(sealed);
      // Version 1 wrapped a key for this secret alone under its full context.
      const kmsContext = sealed.version === 1 ? context : accountDataKeyContext(accountOf(context));
      return keys.withDataKey(sealed.encryptedDataKey, kmsContext, (dataKey) =>
        decryptText(dataKey, parts, context),
      );
    },
  };
}

function accountOf(context: EncryptionContext): string {
  const accountId = context.account;
  if (!accountId) throw new RangeError("A secret's context must name its account.");
  return accountId;
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
  if (sealed.version !== 1 && sealed.version !== CURRENT_SEALED_VERSION) throw integrityError();
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
    // A replaced entry (a new key remembered while another call unwrapped it) is wiped.
    this.#entries.get(id)?.dataKey.fill(0);
    this.#entries.delete(id);
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
