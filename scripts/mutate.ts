// `npm run mutate [-- <module>... | --force]`: StrykerJS over the modules that hold money and
// trust (test/mutation/modules.ts), one module per run, each with its own incremental file so a
// rerun only tests mutants whose code or tests changed. Prints the score per module, writes them
// to test-artifacts/mutation/scores.json and checks the survivors against the committed list of
// equivalent mutants. Not part of `npm test`: a full run takes hours on a 2-core machine.
import { globSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Stryker } from '@stryker-mutator/core';
import { MUTATION_MODULES } from '../test/mutation/modules.ts';
import { ARTIFACTS_DIR, reportPath } from './mutation/report.ts';
import { summarise } from './mutation/summary.ts';

/** Written per module (git-ignored); `stryker.config.json` points the checker at it. */
const CHECKER_TSCONFIG = 'test/mutation/tsconfig.module.json';

const args = process.argv.slice(2);
const force = args.includes('--force');
const named = args.filter((arg) => !arg.startsWith('--'));
const unknown = named.filter((name) => !MUTATION_MODULES.some((m) => m.name === name));
if (unknown.length > 0) {
  console.error(
    `Unknown module(s): ${unknown.join(', ')}. Modules: ${MUTATION_MODULES.map((m) => m.name).join(', ')}`,
  );
  process.exit(2);
}
const selected = MUTATION_MODULES.filter((m) => named.length === 0 || named.includes(m.name));

for (const module of selected) {
  if (module.mutate.every((pattern) => globSync(pattern).length === 0)) {
    console.log(`mutate: ${module.name}: no files yet (${module.mutate.join(', ')}), skipped`);
    continue;
  }
  const dir = path.join(ARTIFACTS_DIR, module.name);
  mkdirSync(dir, { recursive: true });
  console.log(`mutate: ${module.name}: ${module.mutate.join(', ')}`);
  writeCheckerProject(module.mutate);
  await new Stryker({
    mutate: [...module.mutate],
    testFiles: [...module.tests],
    incrementalFile: path.join(dir, 'incremental.json'),
    force,
    jsonReporter: { fileName: reportPath(module.name) },
    htmlReporter: { fileName: path.join(dir, 'index.html') },
  }).runMutationTest();
}

process.exitCode = summarise() ? 0 : 1;

/**
 * The TypeScript checker's project: the module's files and what they import, not the whole
 * tree. Its watch builder re-checks every file that depends on a mutated one, so a project of
 * all functions costs a minute per mutant on a busy machine; the callers' types are `tsc -p .`'s.
 */
function writeCheckerProject(patterns: readonly string[]): void {
  const files = patterns.flatMap((pattern) => globSync(pattern)).map((file) => `../../${file}`);
  const project = { extends: '../../tsconfig.json', include: [], files };
  writeFileSync(CHECKER_TSCONFIG, `${JSON.stringify(project, null, 2)}\n`);
}
