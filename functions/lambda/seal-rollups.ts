import { createSealRollupsHandler } from '#handlers/seal-rollups.ts';
import { awsSealRollupsConfig } from './aws-runtime.ts';
import { buildSealRollupsDeps } from './seal-rollups.deps.ts';

export const handler = createSealRollupsHandler(buildSealRollupsDeps(await awsSealRollupsConfig()));
