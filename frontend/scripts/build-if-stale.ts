// `npm start` runs this first: builds the dashboard when frontend/dist is missing or older than
// any of its sources (the pages, and the shared modules they import from functions/).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const builtPage = join(root, 'frontend/dist/index.html');
const sources = [
  'frontend/src',
  'frontend/public',
  'frontend/astro.config.ts',
  'functions/contracts',
  'functions/core/providers',
  'functions/core/billing',
  'package-lock.json',
].map((path) => join(root, path));

function newestMtimeMs(path: string): number {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  return readdirSync(path).reduce(
    (newest, entry) => Math.max(newest, newestMtimeMs(join(path, entry))),
    info.mtimeMs,
  );
}

const builtAtMs = statSync(builtPage, { throwIfNoEntry: false })?.mtimeMs ?? 0;
const changedAtMs = Math.max(...sources.map(newestMtimeMs));
if (builtAtMs >= changedAtMs) {
  console.log('Dashboard build is up to date (frontend/dist).');
} else {
  console.log(
    builtAtMs === 0 ? 'Building the dashboard…' : 'Dashboard sources changed; rebuilding…',
  );
  const result = spawnSync('npm', ['run', '--silent', 'build:frontend'], {
    cwd: root,
    stdio: 'inherit',
  });
  process.exit(result.status ?? 1);
}
