import { defineConfig } from 'vitest/config';

/**
 * The tests `npm run mutate` runs against mutants: the unit and contract projects (the contract
 * suites run every port against its fake and against dynalite). Stryker's vitest runner keeps
 * only the test files that import the mutated module (`related`) and, per mutant, only the tests
 * that reached it; integration, browser, infra and README tests stay out (minutes per run).
 */
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { test: { name: 'contract', include: ['test/contract/**/*.test.ts'], testTimeout: 20_000 } },
    ],
  },
});
