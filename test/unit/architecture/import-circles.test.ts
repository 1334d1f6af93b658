// The import graph of production code has no circles: a circle means two modules that can only
// be understood (and changed) together, and type-only circles are counted as well.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const FOLDERS = ['functions', 'frontend/src', 'lib', 'bin', 'scripts'];
/** Parsing every source file takes seconds, more on a machine shared with other runs. */
const WHOLE_TREE_TIMEOUT_MS = 60_000;
const PACKAGE_IMPORTS: Record<string, string> = JSON.parse(
  readFileSync(join(ROOT, 'package.json'), 'utf8'),
).imports;

function sourceFiles(): string[] {
  return FOLDERS.flatMap((folder) =>
    readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
      .filter((file) => /\.tsx?$/.test(file))
      .map((file) => join(folder, file)),
  );
}

/** The repository path a specifier names (relative or `#subpath`), or undefined for packages. */
function resolve(file: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) return relative(ROOT, join(ROOT, dirname(file), specifier));
  for (const [pattern, target] of Object.entries(PACKAGE_IMPORTS)) {
    const prefix = pattern.replace('*', '');
    if (specifier.startsWith(prefix)) {
      return join(target.replace('*', ''), specifier.slice(prefix.length));
    }
  }
  return undefined;
}

/** Specifiers of static imports and re-exports, and of dynamic `import('...')` calls. */
function specifiers(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push(node.moduleSpecifier.text);
    }
    if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function importGraph(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files);
  return new Map(
    files.map((file) => [
      file,
      specifiers(file)
        .map((specifier) => resolve(file, specifier))
        .filter((target): target is string => target !== undefined && known.has(target)),
    ]),
  );
}

/** Groups of modules that reach each other (Tarjan's strongly connected components). */
function circles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (module: string): void => {
    index.set(module, next);
    low.set(module, next);
    next += 1;
    stack.push(module);
    onStack.add(module);
    for (const target of graph.get(module) ?? []) {
      if (!index.has(target)) {
        connect(target);
        low.set(module, Math.min(low.get(module) ?? 0, low.get(target) ?? 0));
      } else if (onStack.has(target)) {
        low.set(module, Math.min(low.get(module) ?? 0, index.get(target) ?? 0));
      }
    }
    if (low.get(module) !== index.get(module)) return;
    const group: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      group.push(member);
    } while (member !== module);
    if (group.length > 1 || graph.get(module)?.includes(module)) found.push(group.sort());
  };
  for (const module of graph.keys()) if (!index.has(module)) connect(module);
  return found;
}

describe('import graph', () => {
  it('finds a circle, type-only ones included', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(circles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });

  it('resolves relative and #subpath imports to repository paths', () => {
    expect(resolve('functions/lambda/alerts.deps.ts', './alert-mailer.ts')).toBe(
      'functions/lambda/alert-mailer.ts',
    );
    expect(resolve('lib/x.ts', '#core/alerts/spike.ts')).toBe('functions/core/alerts/spike.ts');
    expect(resolve('lib/x.ts', 'aws-cdk-lib')).toBeUndefined();
  });

  it('has no circles in functions, frontend, lib, bin and scripts', {
    timeout: WHOLE_TREE_TIMEOUT_MS,
  }, () => {
    const graph = importGraph(sourceFiles());
    expect(graph.size).toBeGreaterThan(100);
    expect(circles(graph)).toEqual([]);
  });
});
