import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { EnvironmentConfig } from '../../lib/config/environment-config.ts';
import { ENVIRONMENTS } from '../../lib/config/environments.ts';
import { createMetrionStack, type MetrionStack } from '../../lib/metrion-stack.ts';
import { addNagChecks } from '../../lib/nag.ts';

/** A valid config to vary in construct tests. */
export function testConfig(overrides: Partial<EnvironmentConfig> = {}): EnvironmentConfig {
  return { ...ENVIRONMENTS.dev, ...overrides };
}

/**
 * The context `cdk synth` and `cdk deploy` pass to `bin/app.ts` from `cdk.json` (CDK's feature
 * flags). Every test App starts from it, so the tests see the template that deploy sees.
 */
export const CDK_JSON_CONTEXT: Readonly<Record<string, unknown>> = JSON.parse(
  fs.readFileSync(path.resolve(import.meta.dirname, '../../cdk.json'), 'utf8'),
).context;

const outdirs: string[] = [];

export function tempOutdir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `metrion-${prefix}-`));
  outdirs.push(dir);
  return dir;
}

/** Removes every folder `tempOutdir` created (call from `afterAll`). */
export function removeOutdirs(): void {
  for (const dir of outdirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * An environment's stacks as `bin/app.ts` builds them, without bundling (no esbuild run) and
 * without CDK's built-in CloudFormation validation (5 s per synth; the nag test runs it). Tests
 * read them through `template.ts`.
 */
export function buildStacks(config: EnvironmentConfig): {
  stack: MetrionStack;
  main: Template;
  edge: Template;
  email: Template;
} {
  const app = new App({
    outdir: tempOutdir('template'),
    context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  });
  const stack = createMetrionStack(app, config);
  return {
    stack,
    main: Template.fromStack(stack),
    edge: Template.fromStack(stack.edge),
    email: Template.fromStack(stack.email),
  };
}

let bundled: { outdir: string; template: Template } | undefined;

/**
 * The asset folder of the one function whose description starts with `descriptionPrefix`, from
 * the stack as `cdk deploy` builds it: every function really bundled by the local esbuild.
 * Synthesized once per test file (bundling is the slow part).
 */
export function bundledAssetDir(descriptionPrefix: string): string {
  if (bundled === undefined) {
    const outdir = tempOutdir('bundle');
    const app = new App({
      outdir,
      context: CDK_JSON_CONTEXT,
      builtinCloudFormationValidation: false,
    });
    bundled = { outdir, template: Template.fromStack(createMetrionStack(app, testConfig())) };
  }
  const functions = Object.values(
    bundled.template.findResources('AWS::Lambda::Function', {
      Properties: { Description: Match.stringLikeRegexp(`^${descriptionPrefix}`) },
    }),
  );
  const [fn] = functions;
  if (fn === undefined || functions.length > 1) {
    throw new Error(
      `expected one function described "${descriptionPrefix}…", found ${functions.length}`,
    );
  }
  const s3Key = (fn.Properties as { Code: { S3Key: string } }).Code.S3Key;
  return path.join(bundled.outdir, `asset.${s3Key.replace(/\.zip$/, '')}`);
}

export interface Violation {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly constructPaths: readonly string[];
}

interface ValidationReport {
  readonly pluginReports: ReadonlyArray<{
    readonly pluginName: string;
    readonly violations: ReadonlyArray<{
      readonly ruleName: string;
      readonly severity: string;
      readonly violatingConstructs: ReadonlyArray<{ readonly constructPath: string }>;
    }>;
  }>;
}

/**
 * Synthesizes one environment's stacks exactly like `cdk synth` would (cdk-nag on,
 * CloudFormation validation on, bundling skipped) into a temporary folder and returns every
 * finding left in `validation-report.json` after acknowledgements.
 */
export function synthWithValidation(config: EnvironmentConfig): {
  stackNames: string[];
  violations: Violation[];
} {
  const outdir = tempOutdir('nag');
  const app = new App({ outdir, context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
  addNagChecks(app);
  const stack = createMetrionStack(app, config);
  let synthError: unknown;
  try {
    app.synth();
  } catch (error) {
    // In-memory synthesis throws on unacknowledged findings; the report lists them.
    synthError = error;
  }
  const reportPath = path.join(outdir, 'validation-report.json');
  if (!fs.existsSync(reportPath)) throw synthError ?? new Error(`No report at ${reportPath}`);
  const report = JSON.parse(fs.readFileSync(reportPath, 'utf8')) as ValidationReport;
  const violations = report.pluginReports.flatMap((plugin) =>
    plugin.violations.map((violation) => ({
      plugin: plugin.pluginName,
      rule: violation.ruleName,
      severity: violation.severity,
      constructPaths: violation.violatingConstructs.map((c) => c.constructPath),
    })),
  );
  return {
    stackNames: [stack.edge.stackName, stack.email.stackName, stack.stackName],
    violations,
  };
}
