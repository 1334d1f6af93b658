import { randomBytes } from 'node:crypto';
import type {
  DataKeyProvider,
  EncryptionContext,
  GeneratedDataKey,
} from '#core/ports/data-key-provider.ts';
import { canonicalContext, integrityError } from '#core/vault/envelope.ts';

interface IssuedKey {
  readonly plaintext: Uint8Array;
  readonly context: string;
}

/**
 * DataKeyProvider fake: `encrypted` is an opaque random handle into a map, so it carries no key
 * material. Passes the same contract suite as the KMS and local adapters.
 */
export class InMemoryDataKeyProvider implements DataKeyProvider {
  readonly #issued = new Map<string, IssuedKey>();

  /** Issues a random key and a 16-byte handle bound to `context`. */
  async generateDataKey(context: EncryptionContext): Promise<GeneratedDataKey> {
    const plaintext = new Uint8Array(randomBytes(32));
    const encrypted = new Uint8Array(randomBytes(16));
    this.#issued.set(toHex(encrypted), {
      plaintext: Uint8Array.from(plaintext),
      context: canonicalContext(context),
    });
    return { plaintext, encrypted };
  }

  /** Returns a copy of the issued key, or throws SecretIntegrityError like the real adapters. */
  async decryptDataKey(encrypted: Uint8Array, context: EncryptionContext): Promise<Uint8Array> {
    const issued = this.#issued.get(toHex(encrypted));
    if (issued === undefined || issued.context !== canonicalContext(context)) {
      throw integrityError();
    }
    return Uint8Array.from(issued.plaintext);
  }
}

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
