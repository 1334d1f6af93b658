import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The README's Quick start, executed (`npm run test:readme`, a step of .ci/run after `npm test`).
// Not in the default projects: it runs `npm start` on the fixed ports 8787-8790, which a
// developer's own `npm start` may hold while `npm test` runs.
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    name: 'readme',
    include: ['test/readme/**/*.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 240_000,
  },
});
