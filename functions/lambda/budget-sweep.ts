import { createBudgetSweepHandler } from '#handlers/budget-sweep.ts';
import { awsBudgetSweepConfig } from './aws-runtime.ts';
import { buildBudgetSweepDeps } from './budget-sweep.deps.ts';

export const handler = createBudgetSweepHandler(buildBudgetSweepDeps(await awsBudgetSweepConfig()));
