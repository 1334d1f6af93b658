import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { MUTATION_MODULES, TARGET_SCORE } from '../../test/mutation/modules.ts';
import { checkModule, type ModuleCheck, readEquivalents } from './equivalents.ts';
import { ARTIFACTS_DIR, readReport } from './report.ts';

export const SCORES_FILE = path.join(ARTIFACTS_DIR, 'scores.json');

/**
 * Scores every module from its last report, writes them to {@link SCORES_FILE}, prints them with
 * any survivor the equivalents list does not name (and any stale entry), and answers whether
 * every module reached the target with nothing unexplained.
 */
export function summarise(): boolean {
  const equivalents = readEquivalents();
  const checks: ModuleCheck[] = [];
  for (const module of MUTATION_MODULES) {
    const report = readReport(module.name);
    if (report !== undefined) checks.push(checkModule(module, report, equivalents));
  }
  writeFileSync(SCORES_FILE, `${JSON.stringify(scoreFile(checks), null, 2)}\n`);
  console.log(
    `\nMutation score per module (killed / (killed + survived)), target ${TARGET_SCORE}%:`,
  );
  let ok = true;
  for (const check of checks) {
    const below = check.score !== null && check.score < TARGET_SCORE;
    ok &&= !below && check.unexplained.length === 0 && check.stale.length === 0;
    const equivalent = check.survived - check.unexplained.length;
    console.log(
      `  ${check.name.padEnd(20)} ${String(check.score ?? '-').padStart(5)}%  killed ${check.killed}, survived ${check.survived} (named equivalent: ${equivalent})${below ? '  BELOW TARGET' : ''}`,
    );
    for (const line of check.unexplained) console.log(`    unexplained survivor: ${line}`);
    for (const line of check.stale) console.log(`    stale equivalents entry: ${line}`);
  }
  const missing = MUTATION_MODULES.filter((m) => !checks.some((c) => c.name === m.name));
  for (const module of missing) console.log(`  ${module.name.padEnd(20)}     -   no report yet`);
  console.log(`Scores written to ${SCORES_FILE}.`);
  return ok;
}

function scoreFile(checks: readonly ModuleCheck[]) {
  return {
    target: TARGET_SCORE,
    modules: Object.fromEntries(
      checks.map(({ name, killed, survived, invalid, score, files, unexplained }) => [
        name,
        { score, killed, survived, invalid, unexplainedSurvivors: unexplained.length, files },
      ]),
    ),
  };
}
