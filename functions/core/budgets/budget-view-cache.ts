import { BoundedMap } from '../collections/bounded-map.ts';
import type { BudgetView } from './budget.ts';

/** Keys remembered per process; the oldest is forgotten first beyond this. */
const DEFAULT_MAX_ENTRIES = 10_000;

/**
 * The budgets the proxy last saw per Metrion Key digest (from the admission write's answer), so
 * the next admission can be planned without reading first. Only a hint: every admission planned
 * from it is conditional on its view version, and a stale one fails closed and is replaced by
 * the view the refusal path read. Keys without active budgets are not kept (the plan for them
 * needs nothing), so the cache holds only accounts with budgets. Bounded, insertion ordered.
 */
export class BudgetViewCache {
  readonly #views: BoundedMap<string, BudgetView>;

  constructor(maxEntries = DEFAULT_MAX_ENTRIES) {
    this.#views = new BoundedMap(maxEntries);
  }

  /** The last view seen for `keyDigest`; undefined: none seen, or the account had no budgets. */
  get(keyDigest: string): BudgetView | undefined {
    return this.#views.get(keyDigest);
  }

  /** Remembers what an admission answered (undefined: the account has no active budgets). */
  remember(keyDigest: string, view: BudgetView | undefined): void {
    if (view === undefined || view.budgets.length === 0) this.#views.delete(keyDigest);
    else this.#views.set(keyDigest, view);
  }
}
