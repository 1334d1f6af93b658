import type { Clock } from '#core/ports/clock.ts';
import type { Logger } from '#core/ports/logger.ts';
import type { RollupSealStore } from '#core/ports/rollup-seal-store.ts';
import {
  type SealReport,
  SWEEP_EVENT,
  SWEEP_LOOKBACK_MS,
  sealRollups,
} from '#core/rollups/seal-rollups.ts';

export interface SealRollupsHandlerDeps {
  readonly rollups: RollupSealStore;
  readonly clock: Clock;
  readonly logger: Logger;
}

function isSweep(event: unknown): boolean {
  return typeof event === 'object' && event !== null && 'sweep' in event && event.sweep === true;
}

/**
 * The scheduled seal job: every 5 minutes over the last 48 hours, and once a day with
 * {@link SWEEP_EVENT} over every hour a dirty marker can still exist for.
 */
export function createSealRollupsHandler(deps: SealRollupsHandlerDeps) {
  return (event?: unknown): Promise<SealReport> =>
    sealRollups(deps, isSweep(event) ? { lookbackMs: SWEEP_LOOKBACK_MS } : {});
}
