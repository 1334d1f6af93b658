// `npm run bench` (cold starts): every Lambda bundle, built exactly as `cdk deploy` builds it
// (support/lambda-bundles.ts), imported in a fresh Node process, side by side in one table. The
// import includes each function's top-level init: AWS clients built, config read, and for the
// functions that read a secret at cold start one GetSecretValue answered by a loopback stand-in
// (AWS_ENDPOINT_URL), so no network and no credentials are involved. NODE_OPTIONS is the
// functions' own. Reports; nothing fails the run except a bundle that does not load.
// Each function that ships the signed JSON client also runs bundled with the AWS SDK's clients,
// so the two sit side by side. Extra bundle files given as arguments join the table too.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { LAMBDA_ENV, type LambdaEnvName } from '../../functions/lambda/env.ts';
import { LAMBDA_NODE_OPTIONS } from '../../lib/constructs/lambda-bundling.ts';
import {
  buildLambdaBundles,
  buildSdkClientVariants,
  type LambdaBundle,
} from './support/lambda-bundles.ts';
import { summarize } from './support/percentiles.ts';

/** Timed cold starts per bundle, after one untimed start (file cache). */
const ROUNDS = 10;
const CHILD = path.join(import.meta.dirname, 'support/cold-init-child.ts');
const REGION = 'eu-central-1';

/** Placeholder values for every variable CDK may set; a new name must be added here. */
const PLACEHOLDERS: Record<LambdaEnvName, string | undefined> = {
  accountsTable: 'metrion-bench-accounts',
  usageTable: 'metrion-bench-usage',
  responseCacheTable: 'metrion-bench-response-cache',
  fxRatesTable: 'metrion-bench-fx-rates',
  fxRatesUrl: undefined,
  pricesTable: 'metrion-bench-prices',
  pricesUrl: undefined,
  providerKeysKmsKeyArn: `arn:aws:kms:${REGION}:111111111111:key/bench`,
  metrionKeyPepperSecretArn: `arn:aws:secretsmanager:${REGION}:111111111111:secret:pepper`,
  cognitoUserPoolId: `${REGION}_bench`,
  cognitoClientId: 'bench-client',
  upstreamOrigins: undefined,
  corsAllowedOrigins: undefined,
  stripeSecretKeySecretArn: `arn:aws:secretsmanager:${REGION}:111111111111:secret:stripe-key`,
  stripeWebhookSecretArn: `arn:aws:secretsmanager:${REGION}:111111111111:secret:stripe-hook`,
  stripeProPriceId: 'price_bench',
  proMonthlyPriceUsd: '29.00',
  logLevel: undefined,
  metricsNamespace: 'Metrion-bench',
  alertsSender: 'alerts@bench.example',
  dashboardUrl: 'https://bench.example',
};

/** Answers Secrets Manager's GetSecretValue (the only AWS call any function makes at init). */
function startFakeAws(): Promise<Server> {
  const server = createServer((request, response) => {
    request.resume().on('end', () => {
      const known = request.headers['x-amz-target'] === 'secretsmanager.GetSecretValue';
      response.writeHead(known ? 200 : 400, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(
        JSON.stringify(
          known
            ? { ARN: 'arn:bench', Name: 'bench', SecretString: 'bench-secret-value' }
            : { __type: 'UnknownOperationException', message: 'not faked' },
        ),
      );
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** The environment Lambda would give the function, with AWS pointed at the stand-in. */
function lambdaEnvironment(endpoint: string, scratch: string): NodeJS.ProcessEnv {
  const variables = Object.entries(PLACEHOLDERS).flatMap(([key, value]) =>
    value === undefined ? [] : [[LAMBDA_ENV[key as LambdaEnvName], value]],
  );
  return {
    PATH: process.env.PATH,
    NODE_OPTIONS: LAMBDA_NODE_OPTIONS,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'ASIABENCH',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SESSION_TOKEN: 'bench',
    AWS_ENDPOINT_URL: endpoint,
    // No developer profile or ini file may change what the SDK does.
    HOME: scratch,
    AWS_CONFIG_FILE: path.join(scratch, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(scratch, 'none'),
    ...Object.fromEntries(variables),
  };
}

interface ColdStart {
  /** Import of the bundle, top-level init included. */
  readonly initMs: number;
  /** CPU time of the import (user + system): less sensitive to a busy machine than wall time. */
  readonly initCpuMs: number;
  /** Process start to handler ready (Node's own start, the runtime shim, then the import). */
  readonly readyMs: number;
}

const run = promisify(execFile);

async function coldStart(file: string, env: NodeJS.ProcessEnv): Promise<ColdStart> {
  const { stdout } = await run(process.execPath, [CHILD, file], { env });
  return JSON.parse(stdout) as ColdStart;
}

// Arrange: the bundles, an empty module (what Node and the shim cost alone), the stand-in.
const scratch = fs.mkdtempSync(path.join(tmpdir(), 'metrion-cold-init-'));
const built = await buildLambdaBundles(path.join(scratch, 'bundles'));
const sdkVariants = await buildSdkClientVariants(path.join(scratch, 'sdk-variants'));
const empty = path.join(scratch, 'empty.mjs');
fs.writeFileSync(empty, 'export const handler = () => {};\n');
const extra = process.argv.slice(2).map((file) => path.resolve(file));
const bundles: LambdaBundle[] = [
  ...[...built, ...sdkVariants].sort((a, b) => a.name.localeCompare(b.name)),
  ...extra.map((file) => ({ name: file, file, bytes: fs.statSync(file).size })),
  { name: '(empty module)', file: empty, bytes: fs.statSync(empty).size },
];
const server = await startFakeAws();
const env = lambdaEnvironment(
  `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  scratch,
);

// Act: one untimed start each, then rounds over all bundles, so drift hits every bundle alike.
const samples = new Map<string, ColdStart[]>(bundles.map((bundle) => [bundle.name, []]));
try {
  for (const bundle of bundles) await coldStart(bundle.file, env);
  for (let round = 0; round < ROUNDS; round++) {
    for (const bundle of bundles) samples.get(bundle.name)?.push(await coldStart(bundle.file, env));
  }
} finally {
  server.close();
  fs.rmSync(scratch, { recursive: true, force: true });
}

// Report.
const HEADER = [
  'bundle',
  'size kB',
  'init p50 ms',
  'init min-max ms',
  'init CPU p50 ms',
  'ready p50 ms',
];
const rows = bundles.map((bundle) => {
  const starts = samples.get(bundle.name) ?? [];
  const init = summarize(starts.map((start) => start.initMs));
  const cpu = summarize(starts.map((start) => start.initCpuMs));
  const ready = summarize(starts.map((start) => start.readyMs));
  const sorted = starts.map((start) => start.initMs).sort((a, b) => a - b);
  return [
    bundle.name,
    (bundle.bytes / 1000).toFixed(1),
    init.p50.toFixed(1),
    `${(sorted[0] ?? 0).toFixed(1)}-${(sorted.at(-1) ?? 0).toFixed(1)}`,
    cpu.p50.toFixed(1),
    ready.p50.toFixed(1),
  ];
});
const widths = HEADER.map((title, i) =>
  Math.max(title.length, ...rows.map((r) => r[i]?.length ?? 0)),
);
const line = (cells: readonly string[]) =>
  `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
console.log(
  `\nCold init of each Lambda bundle (${ROUNDS} fresh processes each, Node ${process.version})`,
);
console.log(line(HEADER));
console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));
console.log(
  `init: import + top-level init; ready: process start to handler ready. kB = 1000 bytes.` +
    ` ${cpus().length} CPUs, load ${loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}`,
);
