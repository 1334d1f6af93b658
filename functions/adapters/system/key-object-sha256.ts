// SHA-256 and HMAC-SHA256 for the AWS SDK clients (their `sha256` option: SigV4 signing, payload
// hashes) on node:crypto, with every HMAC key held as a KeyObject. The SDK's own Node hash hands
// createHmac the raw key bytes on each call, and Node checks a raw key by provoking and catching
// an exception: about 40 µs per HMAC against 5 µs with a KeyObject, two HMACs per signed request.
// The digests are the same; only the key's form changes.
import {
  createHash,
  createHmac,
  createSecretKey,
  type Hash,
  type Hmac,
  type KeyObject,
} from 'node:crypto';

/** What the SDK passes and hashes (`SourceData` of @smithy/types). */
type SourceData = string | ArrayBuffer | ArrayBufferView;

/**
 * Keys seen recently. Signing derives one key per credentials, day, region and service, and the
 * SDK caches it, so a process meets a handful; the bound only stops an unusual caller from
 * growing the map without limit.
 */
const MAX_CACHED_KEYS = 64;
const keyObjects = new Map<string, KeyObject>();

function bytesOf(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** The key as a KeyObject, cached by its bytes (hex), so equal keys share one. */
export function hmacKey(secret: SourceData): KeyObject {
  const bytes = bytesOf(secret);
  const id = bytes.toString('hex');
  let key = keyObjects.get(id);
  if (key === undefined) {
    if (keyObjects.size >= MAX_CACHED_KEYS) keyObjects.clear();
    key = createSecretKey(bytes);
    keyObjects.set(id, key);
  }
  return key;
}

/** The SDK's hash interface (`Checksum` of @smithy/types): a hash, or an HMAC given a secret. */
export class KeyObjectSha256 {
  readonly digestLength = 32;
  readonly #key: KeyObject | undefined;
  #hash: Hash | Hmac;

  // Like the SDK's hash, an empty string secret means a plain hash.
  constructor(secret?: SourceData) {
    this.#key = secret === undefined || secret === '' ? undefined : hmacKey(secret);
    this.#hash = this.#create();
  }

  update(data: SourceData): void {
    this.#hash.update(typeof data === 'string' ? data : bytesOf(data));
  }

  /** An HMAC is finished by its digest; a plain hash may go on (the SDK's does). */
  async digest(): Promise<Uint8Array> {
    const hash = this.#hash;
    const digest = this.#key === undefined ? (hash as Hash).copy().digest() : hash.digest();
    return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
  }

  reset(): void {
    this.#hash = this.#create();
  }

  #create(): Hash | Hmac {
    return this.#key === undefined ? createHash('sha256') : createHmac('sha256', this.#key);
  }
}
