// `npm run mutate:check`: the equivalents list against the modules' last reports, without
// running Stryker. Fails when a survivor is not named or an entry names no survivor.
import { summarise } from './mutation/summary.ts';

process.exitCode = summarise() ? 0 : 1;
