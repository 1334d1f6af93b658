// No production function is longer than MAX_LINES: a longer one does several jobs, which get a
// name each (a sub-component, a hook, a helper). Generated code is exempt.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const FOLDERS = ['functions', 'frontend/src', 'lib', 'bin', 'scripts'];
const MAX_LINES = 80;
/** Parsing every production file takes seconds, more on a machine shared with other runs. */
const WHOLE_TREE_TIMEOUT_MS = 60_000;
/** What a generated file says in its first line. */
const GENERATED = /^\/\/ GENERATED\b/;

interface LongFunction {
  readonly where: string;
  readonly lines: number;
}

/** Lines of every function, method, arrow and constructor with a body: first token to last. */
function longFunctions(file: string, text: string, maxLines: number): LongFunction[] {
  const kind = file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      if (last - first + 1 > maxLines) {
        found.push({ where: `${file}:${first + 1}`, lines: last - first + 1 });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function productionFiles(): string[] {
  return FOLDERS.flatMap((folder) =>
    readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
      .filter((file) => /\.tsx?$/.test(file))
      .map((file) => join(folder, file)),
  );
}

describe('function length', () => {
  it('measures a function from its first token to its last, nested ones on their own', () => {
    const text = [
      '/** doc */',
      'export function outer() {',
      '  const inner = () => {',
      '    return 1;',
      '  };',
      '  return inner();',
      '}',
    ].join('\n');
    expect(longFunctions('a.ts', text, 5)).toEqual([{ where: 'a.ts:2', lines: 6 }]);
    expect(longFunctions('a.ts', text, 2)).toEqual([
      { where: 'a.ts:2', lines: 6 },
      { where: 'a.ts:3', lines: 3 },
    ]);
  });

  it(`keeps every production function at ${MAX_LINES} lines or fewer`, {
    timeout: WHOLE_TREE_TIMEOUT_MS,
  }, () => {
    const files = productionFiles();
    expect(files.length).toBeGreaterThan(100);
    const long = files.flatMap((file) => {
      const text = readFileSync(join(ROOT, file), 'utf8');
      return GENERATED.test(text) ? [] : longFunctions(file, text, MAX_LINES);
    });
    expect(long).toEqual([]);
  });
});
