// Fast checks of the mutation-testing set-up (the run itself is `npm run mutate`, never part of
// `npm test`): the module list names files that exist, the Stryker configuration stays
// incremental and gentle on a shared machine, and the scoring counts what it says it counts.
import { existsSync, globSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkModule, readEquivalents } from '../../../scripts/mutation/equivalents.ts';
import {
  type MutationReport,
  mutantKey,
  type ReportMutant,
  scoreOf,
} from '../../../scripts/mutation/report.ts';
import { MUTATION_MODULES, TARGET_SCORE } from '../../mutation/modules.ts';

const isGlob = (pattern: string) => /[*?{[]/.test(pattern);

function mutant(line: number, status: string, mutatorName = 'EqualityOperator'): ReportMutant {
  return {
    mutatorName,
    replacement: 'a  <=\n b',
    location: { start: { line, column: 3 } },
    status,
  };
}

describe('the mutation module list', () => {
  it('names each module once and only files and tests that exist', () => {
    const names = MUTATION_MODULES.map((module) => module.name);
    expect(new Set(names).size).toBe(names.length);
    for (const module of MUTATION_MODULES) {
      for (const file of module.mutate.filter((pattern) => !isGlob(pattern))) {
        expect(existsSync(file), `${module.name}: ${file}`).toBe(true);
      }
      const mutated = module.mutate.flatMap((pattern) => globSync(pattern));
      if (mutated.length === 0) continue;
      for (const pattern of module.tests) {
        expect(globSync(pattern).length, `${module.name}: ${pattern}`).toBeGreaterThan(0);
      }
    }
  });

  it('names equivalent mutants only in mutated files, each with a reason', () => {
    const mutated = new Set(
      MUTATION_MODULES.flatMap((module) => module.mutate.flatMap((p) => globSync(p))),
    );
    for (const [file, survivors] of Object.entries(readEquivalents())) {
      expect(mutated.has(file), file).toBe(true);
      for (const [key, reason] of Object.entries(survivors)) {
        expect(reason.trim().length, `${file} ${key}`).toBeGreaterThan(10);
      }
    }
  });
});

describe('the Stryker configuration', () => {
  const config = JSON.parse(readFileSync('stryker.config.json', 'utf8')) as Record<string, unknown>;
  const scripts = (
    JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }
  ).scripts;

  it('is incremental, runs one mutant at a time and type-checks mutants', () => {
    expect(config.incremental).toBe(true);
    expect(config.concurrency).toBe(1);
    expect(config.testRunner).toBe('vitest');
    expect(config.checkers).toEqual(['typescript']);
  });

  it('runs from its own npm script, not from npm test', () => {
    expect(scripts.mutate).toContain('scripts/mutate.ts');
    expect(scripts.test).not.toMatch(/mutate|stryker/);
  });
});

describe('mutation scoring', () => {
  it('counts timeouts as killed, uncovered as survived and compile errors as neither', () => {
    const mutants = ['Killed', 'Timeout', 'Survived', 'NoCoverage', 'CompileError', 'Ignored'].map(
      (status, i) => mutant(i + 1, status),
    );

    expect(scoreOf(mutants)).toEqual({ killed: 2, survived: 2, invalid: 1, score: 50 });
  });

  it('rounds the score down, so a module just below the target is not reported on it', () => {
    const mutants = [
      ...Array.from({ length: 169 }, (_, i) => mutant(i, 'Killed')),
      ...Array.from({ length: 30 }, (_, i) => mutant(i, 'Survived')),
    ];

    expect(scoreOf(mutants).score).toBe(84.9);
    expect(84.9).toBeLessThan(TARGET_SCORE);
  });

  it('names survivors not on the equivalents list and entries that name no survivor', () => {
    const file = 'functions/core/example.ts';
    const report: MutationReport = {
      files: {
        [file]: { mutants: [mutant(4, 'Survived'), mutant(9, 'Survived'), mutant(12, 'Killed')] },
      },
    };
    const listed = mutantKey(mutant(4, 'Survived'));
    const equivalents = {
      [file]: { [listed]: 'only reached by a log line', '30:1 BooleanLiteral false': 'gone' },
    };

    const check = checkModule({ name: 'example', mutate: [file], tests: [] }, report, equivalents);

    expect(listed).toBe('4:3 EqualityOperator a <= b');
    expect(check.unexplained).toEqual([`${file} 9:3 EqualityOperator a <= b`]);
    expect(check.stale).toEqual([`${file} 30:1 BooleanLiteral false`]);
    expect(check.score).toBe(33.3);
  });

  it('counts two unnamed survivors with the same key as two', () => {
    const file = 'functions/core/example.ts';
    const report: MutationReport = {
      files: { [file]: { mutants: [mutant(4, 'Survived'), mutant(4, 'NoCoverage')] } },
    };

    const check = checkModule({ name: 'example', mutate: [file], tests: [] }, report, {});

    expect(check.survived).toBe(2);
    expect(check.unexplained).toHaveLength(2);
  });
});
