import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, stat, symlink, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

export interface RepositoryCopy {
  readonly dir: string;
  remove(): Promise<void>;
}

function filesUnder(root: string, folder: string): string[] {
  const path = join(root, folder);
  if (!existsSync(path)) return [];
  return readdirSync(path, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

/** Every folder that holds one of `files`, deepest first. */
function foldersOf(files: readonly string[]): string[] {
  const folders = new Set<string>();
  for (const file of files) {
    for (let folder = dirname(file); folder !== '.'; folder = dirname(folder)) folders.add(folder);
  }
  return [...folders].sort((a, b) => b.split('/').length - a.split('/').length);
}

/**
 * A fresh copy of the repository at `root` as a new user has it after `npm install`: the files
 * git knows (tracked or new, not ignored) and the built dashboard, with their times (so
 * `npm start` finds the dashboard up to date), and `node_modules` linked, not reinstalled. No
 * data folder, so `npm start` begins with a new `.metrion`.
 */
export async function copyRepository(root: string): Promise<RepositoryCopy> {
  const dir = await mkdtemp(join(tmpdir(), 'metrion-readme-'));
  const known = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    { cwd: root },
  )
    .toString()
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(root, file)));
  const files = [...known, ...filesUnder(root, 'frontend/dist')];
  for (const file of files) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await copyFile(join(root, file), join(dir, file));
  }
  // Times last, folders after their files: writing into a folder changes its time.
  for (const path of [...files, ...foldersOf(files)]) {
    const { atime, mtime } = await stat(join(root, path));
    await utimes(join(dir, path), atime, mtime);
  }
  await symlink(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
