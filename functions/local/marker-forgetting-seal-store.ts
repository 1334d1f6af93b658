import type { RollupSealStore } from '#core/ports/rollup-seal-store.ts';
import type { UsageFeed } from './usage-feed.ts';

/**
 * The seal job's store in local mode: before each marker is cleared, the usage feed forgets it
 * has set it, so the next record of that account-hour sets it again (`UsageFeed.markBeforeAppend`
 * writes a marker once per account and hour). Every other call goes to `store` unchanged.
 */
export function forgettingClearedMarkers(
  store: RollupSealStore,
  feed: Pick<UsageFeed, 'forgetMarker'>,
): RollupSealStore {
  const clearDirty: RollupSealStore['clearDirty'] = (hourStartMs, accountId) => {
    feed.forgetMarker(accountId, hourStartMs);
    return store.clearDirty(hourStartMs, accountId);
  };
  return new Proxy(store, {
    get(target, name) {
      if (name === 'clearDirty') return clearDirty;
      const value: unknown = Reflect.get(target, name, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
