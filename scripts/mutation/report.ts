// Reads StrykerJS's JSON reports (the mutation-testing-report schema) and turns them into scores
// per module and a list of the mutants that survived, keyed so that a committed list of
// equivalent mutants can name them.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const ARTIFACTS_DIR = 'test-artifacts/mutation';

/** The parts of a mutant in Stryker's JSON report that scoring needs. */
export interface ReportMutant {
  readonly mutatorName: string;
  readonly replacement?: string;
  readonly location: { readonly start: { readonly line: number; readonly column: number } };
  readonly status: string;
}

export interface MutationReport {
  readonly files: Record<string, { readonly mutants: readonly ReportMutant[] }>;
}

/** Mutants that count: detected (killed, timed out) or undetected (survived, not covered). */
const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

export interface FileScore {
  readonly killed: number;
  readonly survived: number;
  /** Mutants that did not compile or broke the run: not counted either way. */
  readonly invalid: number;
  /** Killed share of the valid mutants, in percent with one decimal; null without any. */
  readonly score: number | null;
}

/** A survivor's stable name: `line:column Mutator replacement` (whitespace collapsed). */
export function mutantKey(mutant: ReportMutant): string {
  const replacement = (mutant.replacement ?? '').replace(/\s+/g, ' ').trim();
  const short = replacement.length > 60 ? `${replacement.slice(0, 57)}...` : replacement;
  const { line, column } = mutant.location.start;
  return `${line}:${column} ${mutant.mutatorName} ${short}`;
}

export function scoreOf(mutants: readonly ReportMutant[]): FileScore {
  let killed = 0;
  let survived = 0;
  let invalid = 0;
  for (const mutant of mutants) {
    if (DETECTED.has(mutant.status)) killed += 1;
    else if (UNDETECTED.has(mutant.status)) survived += 1;
    else if (mutant.status !== 'Ignored') invalid += 1;
  }
  const valid = killed + survived;
  return {
    killed,
    survived,
    invalid,
    score: valid === 0 ? null : Math.floor((killed * 1000) / valid) / 10,
  };
}

/** Survivor keys per file of a report. */
export function survivorsOf(report: MutationReport): Record<string, string[]> {
  const survivors: Record<string, string[]> = {};
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const keys = mutants.filter((m) => UNDETECTED.has(m.status)).map(mutantKey);
    if (keys.length > 0) survivors[file] = keys.sort();
  }
  return survivors;
}

export function reportPath(moduleName: string): string {
  return path.join(ARTIFACTS_DIR, moduleName, 'report.json');
}

/** The module's last report, or undefined when it has not run on this machine. */
export function readReport(moduleName: string): MutationReport | undefined {
  const file = reportPath(moduleName);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as MutationReport;
}
