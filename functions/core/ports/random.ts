/** Randomness, injected so tests can be deterministic. Real implementations use a CSPRNG. */
export interface Random {
  /** `length` bytes from a cryptographically secure source. */
  bytes(length: number): Uint8Array;
}
