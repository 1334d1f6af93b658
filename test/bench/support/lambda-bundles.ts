// Builds every Lambda bundle of the stack the way `cdk deploy` does: the functions come from the
// stack itself (each MetrionFunction's entry and lazy packages), the esbuild settings from
// lib/constructs/lambda-bundling.ts, which MetrionFunction hands to NodejsFunction.
import fs from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { build } from 'esbuild';
import { ENVIRONMENTS } from '../../../lib/config/environments.ts';
import { esbuildBuildOptions } from '../../../lib/constructs/lambda-bundling.ts';
import { MetrionFunction, PROJECT_ROOT } from '../../../lib/constructs/metrion-function.ts';
import { createMetrionStack } from '../../../lib/metrion-stack.ts';

export interface LambdaBundle {
  /** The entry's base name, e.g. `proxy`. */
  readonly name: string;
  /** The bundle file (`<outdir>/<name>/index.mjs`). */
  readonly file: string;
  readonly bytes: number;
}

/** Each function's entry and lazy packages, from the stack as `bin/app.ts` composes it. */
export function stackLambdaSources(): ReadonlyArray<MetrionFunction['bundleSource']> {
  // Construction only: no synth, no bundling.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = createMetrionStack(app, ENVIRONMENTS.dev);
  return stack.node
    .findAll()
    .filter((construct) => construct instanceof MetrionFunction)
    .map((fn) => fn.bundleSource);
}

/** Bundles each function into `<outdir>/<name>/index.mjs` (with its source map). */
export async function buildLambdaBundles(outdir: string): Promise<LambdaBundle[]> {
  const bundles: LambdaBundle[] = [];
  for (const source of stackLambdaSources()) {
    const name = path.basename(source.entry, '.ts');
    bundles.push(await buildBundle(source, name, outdir, source.leanAwsClients));
  }
  return bundles.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Each function that ships the signed JSON client, bundled with the AWS SDK's clients instead
 * (named `<name> (AWS SDK clients)`): what it would weigh and cost at cold start without it.
 */
export async function buildSdkClientVariants(outdir: string): Promise<LambdaBundle[]> {
  const variants: LambdaBundle[] = [];
  for (const source of stackLambdaSources().filter((s) => s.leanAwsClients)) {
    const name = `${path.basename(source.entry, '.ts')} (AWS SDK clients)`;
    variants.push(await buildBundle(source, name, outdir, false));
  }
  return variants;
}

async function buildBundle(
  source: MetrionFunction['bundleSource'],
  name: string,
  outdir: string,
  leanAwsClients: boolean,
): Promise<LambdaBundle> {
  const file = path.join(outdir, name.replaceAll(/[^a-z0-9-]+/gi, '-'), 'index.mjs');
  await build({
    ...esbuildBuildOptions({
      projectRoot: PROJECT_ROOT,
      entry: source.entry,
      outfile: file,
      externalModules: source.lazyPackages,
      leanAwsClients,
    }),
    logLevel: 'warning',
  });
  return { name, file, bytes: fs.statSync(file).size };
}
