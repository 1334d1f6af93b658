// The committed list of equivalent mutants (test/mutation/equivalent-mutants.json) checked
// against the modules' last reports: every survivor must be named there with a reason, and
// every entry must still name a survivor (a killed or moved mutant leaves a stale entry).
import { readFileSync } from 'node:fs';
import type { MutationModule } from '../../test/mutation/modules.ts';
import { type MutationReport, scoreOf, survivorsOf } from './report.ts';

export const EQUIVALENTS_FILE = 'test/mutation/equivalent-mutants.json';

/** File -> survivor key (`line:column Mutator replacement`) -> why no test can kill it. */
export type EquivalentMutants = Record<string, Record<string, string>>;

export function readEquivalents(): EquivalentMutants {
  return JSON.parse(readFileSync(EQUIVALENTS_FILE, 'utf8')) as EquivalentMutants;
}

export interface ModuleCheck {
  readonly name: string;
  readonly killed: number;
  readonly survived: number;
  readonly invalid: number;
  readonly score: number | null;
  readonly files: Record<string, ReturnType<typeof scoreOf>>;
  /** Survivors with no entry in the list. */
  readonly unexplained: readonly string[];
  /** Entries for this module's files that name no survivor of the last report. */
  readonly stale: readonly string[];
}

export function checkModule(
  module: MutationModule,
  report: MutationReport,
  equivalents: EquivalentMutants,
): ModuleCheck {
  const files: Record<string, ReturnType<typeof scoreOf>> = {};
  const all = Object.values(report.files).flatMap(({ mutants }) => mutants);
  for (const [file, { mutants }] of Object.entries(report.files)) files[file] = scoreOf(mutants);
  const survivors = survivorsOf(report);
  const unexplained: string[] = [];
  const stale: string[] = [];
  for (const file of Object.keys(report.files)) {
    const listed = equivalents[file] ?? {};
    const fileSurvivors = survivors[file] ?? [];
    const found = new Set(fileSurvivors);
    // Per mutant, not per key: two mutants can share a line, column and replacement.
    for (const key of fileSurvivors) if (!(key in listed)) unexplained.push(`${file} ${key}`);
    for (const key of Object.keys(listed)) if (!found.has(key)) stale.push(`${file} ${key}`);
  }
  return { name: module.name, ...scoreOf(all), files, unexplained, stale };
}
