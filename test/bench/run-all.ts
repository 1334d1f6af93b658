// `npm run bench [-- name ...]`: every `*.bench.ts` in this folder, one after the other, each in a
// process of its own so one bench's warm caches and heap never flatter the next. Names given
// after `--` pick benches by file name (`npm run bench -- proxy-overhead tag-breakdown`).
// Discovering the files keeps the list in one place: a new bench runs by being here.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const folder = import.meta.dirname;
const wanted = process.argv.slice(2);
const benches = readdirSync(folder)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => wanted.length === 0 || wanted.some((w) => name.startsWith(w)))
  .sort();

if (benches.length === 0) {
  console.error(`No bench matches ${wanted.join(', ')}. Benches: ls test/bench/*.bench.ts`);
  process.exit(1);
}
for (const bench of benches) {
  console.log(`\n=== ${bench}`);
  const run = spawnSync(process.execPath, [join(folder, bench)], { stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(
      `${bench} exited with ${run.status ?? run.signal}; the benches after it did not run.`,
    );
    process.exit(run.status ?? 1);
  }
}
