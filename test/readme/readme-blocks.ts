import { readFileSync } from 'node:fs';

/**
 * The fenced code block right after `<!-- readme-test: <name> -->` in README.md: what the test
 * runs, so the README and the test cannot drift apart.
 */
export function readmeBlock(readme: string, name: string): string {
  const marker = `<!-- readme-test: ${name} -->\n`;
  const start = readme.indexOf(marker);
  if (start === -1) throw new Error(`README.md has no block marked ${name}`);
  const fence = /^```[a-z]*\n([\s\S]*?)^```$/m.exec(readme.slice(start + marker.length));
  if (fence === null || fence.index !== 0) throw new Error(`No code block right after ${marker}`);
  return fence[1] ?? '';
}

/** README.md of the repository at `root`. */
export function readReadme(root: string): string {
  return readFileSync(`${root}/README.md`, 'utf8');
}

/** The commands of a shell block: its lines without comments and blank lines. */
export function commandsOf(block: string): string[] {
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}
