import path from 'node:path';
import { defineConfig, type Plugin } from 'vitest/config';
import { LEAN_AWS_CLIENT_ALIASES } from './lib/constructs/lean-aws-clients.ts';

const shim = ['functions/local/awslambda-shim.ts'];

/**
 * Resolves the AWS SDK packages to the signed JSON client as the proxy's bundle does, for Lambda
 * code. Tests and local-mode code keep the real low-level clients (table setup, raw reads, a
 * mocked KMS behind a wire bridge) but share the document commands, which they send through the
 * adapters' document client.
 */
function leanAwsClients(): Plugin {
  const lambdaCode = path.join(import.meta.dirname, 'functions');
  const localCode = path.join(lambdaCode, 'local');
  return {
    name: 'lean-aws-clients',
    enforce: 'pre',
    resolveId(source, importer) {
      const replacement = LEAN_AWS_CLIENT_ALIASES[source];
      if (replacement === undefined || importer === undefined) return null;
      const lambda = importer.startsWith(lambdaCode) && !importer.startsWith(localCode);
      if (!lambda && source !== '@aws-sdk/lib-dynamodb') return null;
      return path.join(import.meta.dirname, replacement);
    },
  };
}

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/architecture.test.ts'] } },
      { test: { name: 'contract', include: ['test/contract/**/*.test.ts'], testTimeout: 20_000 } },
      {
        // The adapters over the proxy bundle's signed JSON client instead of the AWS SDK.
        plugins: [leanAwsClients()],
        test: {
          name: 'lambda-clients',
          include: ['test/lambda-clients/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          setupFiles: [...shim, 'test/fixtures/no-internet.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // Real Chromium against the local stack; needs `npm run build:frontend` first.
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          setupFiles: shim,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
