import type { Clock } from '#core/ports/clock.ts';
import type { Logger } from '#core/ports/logger.ts';
import type { RollupStore } from '#core/ports/rollup-store.ts';
import { type SealReport, sealRollups } from '#core/rollups/seal-rollups.ts';

export interface SealRollupsHandlerDeps {
  readonly rollups: RollupStore;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** The scheduled seal job (EventBridge every 5 minutes; a timer locally). */
export function createSealRollupsHandler(deps: SealRollupsHandlerDeps) {
  return (_event?: unknown): Promise<SealReport> => sealRollups(deps);
}
