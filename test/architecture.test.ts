// Enforces the dependency rule (docs/architecture.md, Layers) on import specifiers and env reads.
import { readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.tsx?$/.test(file))
    .map((file) => join(folder, file));
}

function importSpecifiers(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [
    ...text.matchAll(
      /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g,
    ),
  ];
  return specifiers.map((match) => match[1] ?? match[2] ?? match[3] ?? '');
}

/** Layer of a relative specifier resolved from `file`, or of a subpath alias. */
function targetOf(file: string, specifier: string): string {
  if (specifier.startsWith('#')) return specifier.slice(1).split('/')[0] ?? '';
  if (specifier.startsWith('.')) {
    const resolved = relative(join(ROOT, 'functions'), join(ROOT, file, '..', specifier));
    return resolved.startsWith('..') ? 'outside' : (resolved.split('/')[0] ?? '');
  }
  return `package:${specifier}`;
}

/** The core may use itself and deterministic crypto; time, randomness and I/O come as ports. */
const ALLOWED_IN_CORE = new Set(['core', 'package:node:crypto', 'package:node:buffer']);

/**
 * Data modules and pure rules of the core that contracts (and so the browser bundle) and lib may
 * read, so that each list, limit and rule exists once: they import nothing that does I/O.
 */
const CORE_CATALOGUES = new Set([
  '#core/attribution/scope.ts',
  '#core/attribution/tags.ts',
  '#core/accounts/account.ts',
  '#core/alerts/alert-policy.ts',
  '#core/billing/billing-event.ts',
  '#core/billing/plans.ts',
  '#core/budgets/budget.ts',
  '#core/currency/money-text.ts',
  '#core/logs/request-id.ts',
  '#core/providers/provider-registry.ts',
  '#core/providers/routes.ts',
  '#core/text/safe-name.ts',
  '#core/usage/usage-query.ts',
  '#core/usage/usage-record.ts',
]);

/**
 * What CDK code may import (docs/architecture.md, Layers): core data (`ROUTES`, `PROVIDERS`,
 * the seal job's `SWEEP_EVENT`, the longest request a trace waits for, the operational metrics the
 * alarms watch, the KMS purposes the key grants allow), the table definitions, env var names,
 * contracts, CDK and Node.
 */
const LIB_MAY_IMPORT = new Set([
  '#core/providers/provider-registry.ts',
  '#core/providers/routes.ts',
  '#core/text/safe-name.ts',
  '#core/rollups/seal-rollups.ts',
  '#core/traces/trace-lifetime.ts',
  '#core/observability/operational-metrics.ts',
  '#core/vault/secret-purposes.ts',
  '#adapters/dynamodb/table-definitions.ts',
  '#lambda/env.ts',
  'aws-cdk-lib',
  'constructs',
  'cdk-nag',
  'zod',
]);

function libMayImport(specifier: string): boolean {
  return (
    LIB_MAY_IMPORT.has(specifier) ||
    specifier.startsWith('#contracts/') ||
    specifier.startsWith('aws-cdk-lib/') ||
    isBuiltin(specifier) ||
    // Relative imports stay inside lib/ (a `../functions/…` path would dodge the rules above).
    (specifier.startsWith('.') && !/^(\.\.\/)+(functions|bin|frontend|test)\//.test(specifier))
  );
}

/**
 * Lists the core owns, spelled as quoted literals: contracts build their enums from the core
 * (`z.enum(CURRENCIES)`), never from a second copy of the values.
 */
const CORE_LIST_LITERAL =
  /['"](?:USD|EUR|CHF|anthropic|openai|gemini|mistral|grok|free|pro|24h|7d|30d|90d|stored|pass-through)['"]/;

describe('dependency rule', () => {
  it('keeps functions/core free of I/O packages and outer layers', () => {
    const violations = sourceFiles('functions/core').flatMap((file) =>
      importSpecifiers(file)
        .map((specifier) => ({ file, specifier, target: targetOf(file, specifier) }))
        .filter(({ target }) => !ALLOWED_IN_CORE.has(target)),
    );
    expect(violations).toEqual([]);
  });

  it('lets lib import only CDK, Node, core data, table definitions, env names and contracts', () => {
    const violations = sourceFiles('lib').flatMap((file) =>
      importSpecifiers(file)
        .filter((specifier) => !libMayImport(specifier))
        .map((specifier) => ({ file, specifier })),
    );
    expect(violations).toEqual([]);
  });

  it('keeps the contracts from retyping a list the core owns', () => {
    const violations = sourceFiles('functions/contracts').flatMap((file) =>
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .map((line, index) => ({ file, line: index + 1, text: line.trim() }))
        .filter(({ text }) => !text.startsWith('*') && !text.startsWith('//'))
        .filter(({ text }) => CORE_LIST_LITERAL.test(text)),
    );
    expect(violations).toEqual([]);
  });

  it('computes SDK base URLs only in core/providers/routes.ts', () => {
    // `<root>/<provider>/v1` spelled anywhere else is a second copy of the rule.
    const violations = ['functions', 'frontend/src', 'bin', 'lib']
      .flatMap(sourceFiles)
      .filter((file) => file !== join('functions/core/providers', 'routes.ts'))
      .filter((file) => /\}\/v1[`'"]/.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(violations).toEqual([]);
  });

  it('lets functions/contracts import only zod, each other and core catalogues', () => {
    const violations = sourceFiles('functions/contracts').flatMap((file) =>
      importSpecifiers(file)
        .filter(
          (specifier) =>
            specifier !== 'zod' && !specifier.startsWith('./') && !CORE_CATALOGUES.has(specifier),
        )
        .map((specifier) => ({ file, specifier })),
    );
    expect(violations).toEqual([]);
  });

  it('lets the frontend reach functions/ only through #contracts', () => {
    const src = join(ROOT, 'frontend/src');
    const violations = sourceFiles('frontend/src').flatMap((file) =>
      importSpecifiers(file)
        .filter((specifier) =>
          specifier.startsWith('#')
            ? !specifier.startsWith('#contracts/')
            : specifier.startsWith('.') &&
              relative(src, join(ROOT, file, '..', specifier)).startsWith('..'),
        )
        .map((specifier) => ({ file, specifier })),
    );
    expect(violations).toEqual([]);
  });

  it('keeps handlers away from adapters, roots and the AWS SDK', () => {
    const violations = sourceFiles('functions/handlers').flatMap((file) =>
      importSpecifiers(file)
        .map((specifier) => ({ file, specifier, target: targetOf(file, specifier) }))
        .filter(
          ({ target }) =>
            ['adapters', 'lambda', 'local', 'outside'].includes(target) ||
            target.startsWith('package:@aws-sdk/'),
        ),
    );
    expect(violations).toEqual([]);
  });

  it('keeps adapters from importing handlers or composition roots', () => {
    const violations = sourceFiles('functions/adapters').flatMap((file) =>
      importSpecifiers(file)
        .map((specifier) => ({ file, specifier, target: targetOf(file, specifier) }))
        .filter(({ target }) => ['handlers', 'lambda', 'local', 'outside'].includes(target)),
    );
    expect(violations).toEqual([]);
  });

  it('never reaches local-mode code from a Lambda composition root', () => {
    const violations = sourceFiles('functions/lambda').flatMap((file) =>
      importSpecifiers(file)
        .map((specifier) => ({ file, specifier, target: targetOf(file, specifier) }))
        .filter(
          ({ target }) =>
            target === 'local' || /dynalite|cognito-local|aws-ses-v2-local/.test(target),
        ),
    );
    expect(violations).toEqual([]);
  });

  it('reads process.env only in functions/lambda/env.ts among Lambda code', () => {
    const readers = [
      'functions/core',
      'functions/handlers',
      'functions/adapters',
      'functions/lambda',
      'functions/contracts',
    ]
      .flatMap(sourceFiles)
      .filter((file) => file !== join('functions/lambda', 'env.ts'))
      .filter((file) => /process\.env/.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(readers).toEqual([]);
  });
});
