import type { Account } from '../accounts/account.ts';
import { BoundedMap } from '../collections/bounded-map.ts';

/** Key digests remembered per process; the oldest is forgotten first beyond this. */
const DEFAULT_MAX_ENTRIES = 10_000;

/**
 * The account each Metrion Key digest was last admitted for in this process, so a request's
 * trace can be written in parallel with its admission instead of after it. Never used to
 * authenticate: the admission still decides, and a digest it no longer knows is forgotten. A
 * digest names one account for good (keys are random), so only the account's plan, which sets
 * the trace's retention, can be stale. Bounded, insertion ordered.
 */
export class AdmittedAccounts {
  readonly #accounts: BoundedMap<string, Account>;

  constructor(maxEntries = DEFAULT_MAX_ENTRIES) {
    this.#accounts = new BoundedMap(maxEntries);
  }

  /** The account last admitted with `keyDigest`; undefined: none in this process. */
  get(keyDigest: string): Account | undefined {
    return this.#accounts.get(keyDigest);
  }

  remember(keyDigest: string, account: Account): void {
    this.#accounts.set(keyDigest, account);
  }

  forget(keyDigest: string): void {
    this.#accounts.delete(keyDigest);
  }
}
