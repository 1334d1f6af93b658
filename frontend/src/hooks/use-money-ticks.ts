import { useCallback } from 'react';
import type { FxDto } from '#contracts/dashboard-api.ts';
import { formatMoneyTick } from '../lib/format.ts';

/** A chart's money axis ticks in `currency`. */
export function useMoneyTicks(currency: FxDto['currency']) {
  return useCallback(
    (value: number, step: number) => formatMoneyTick(value, step, currency),
    [currency],
  );
}
