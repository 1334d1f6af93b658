import path from 'node:path';
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { LAMBDA_ENV } from '#lambda/env.ts';
import { acknowledge } from '../nag.ts';
import { cdkBundlingOptions, LAMBDA_NODE_OPTIONS } from './lambda-bundling.ts';
import { metricsNamespace } from './operational-metrics.ts';

/** Repository root: bundling resolves entries, `package.json#imports` and the lockfile here. */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');

export interface MetrionFunctionProps {
  /** Entry file relative to the repository root, e.g. `functions/lambda/proxy.ts`. */
  readonly entry: string;
  /** What the function does, shown in the console. */
  readonly description: string;
  /** Memory in MiB; CPU scales with it. */
  readonly memorySize: number;
  /** Hard limit per invocation. */
  readonly timeout: Duration;
  /** Retention of the function's own log group. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Keep the log group when the stack is deleted.
   * @default false
   */
  readonly retainLogs?: boolean;
  /**
   * Environment variables known at construction. Grants add their own variables later
   * (`data.grantUsageWrite(fn)`), so callers pass only what no grant sets.
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Packages kept out of the bundle and shipped beside it (`node_modules/<name>`: its
   * `package.json` and ESM build, without maps and types), for code that imports them
   * dynamically on a rare path only: they cost no cold start and no bundle budget.
   * @default - none
   */
  readonly lazyPackages?: readonly string[];
  /**
   * Bundle Metrion's signed JSON client in place of the AWS SDK's DynamoDB, KMS and Secrets
   * Manager clients (`LEAN_AWS_CLIENT_ALIASES`): about 230 KB less code to load at cold start.
   * Only for functions whose adapters' contract suites run over it (`test/lambda-clients`).
   * @default false
   */
  readonly leanAwsClients?: boolean;
  /**
   * Concurrency reserved for this function, which is also its ceiling (from the environment's
   * `capacity`; docs/cost.md has the arithmetic).
   * @default - none: the function shares the account's unreserved pool
   */
  readonly reservedConcurrentExecutions?: number;
}

/** Copies each package's ESM build next to the bundle (local bundling runs these in bash). */
function copyPackages(packages: readonly string[]) {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir: string, outputDir: string): string[] =>
      packages.map((name) => {
        const from = `${inputDir}/node_modules/${name}`;
        const to = `${outputDir}/node_modules/${name}`;
        return `mkdir -p "${to}" && cp -L "${from}/package.json" "${to}/" && cp -RL "${from}/esm" "${to}/" && find "${to}" \\( -name '*.map' -o -name '*.d.ts' \\) -delete`;
      }),
  };
}

/**
 * The one way Metrion builds a Lambda function: Node 24 on arm64, an ESM bundle made by the
 * local esbuild (never Docker), a dedicated log group, active tracing, the environment's metrics
 * namespace, and a role that starts with no permissions beyond writing its own logs. Access is
 * added by grant methods only.
 */
export class MetrionFunction extends NodejsFunction {
  /** What this function's bundle is built from (the cold-init bench rebuilds it from these). */
  public readonly bundleSource: {
    /** Entry file relative to the repository root. */
    readonly entry: string;
    /** Packages kept out of the bundle (see {@link MetrionFunctionProps.lazyPackages}). */
    readonly lazyPackages: readonly string[];
    /** See {@link MetrionFunctionProps.leanAwsClients}. */
    readonly leanAwsClients: boolean;
  };

  constructor(scope: Construct, id: string, props: MetrionFunctionProps) {
    const { logGroup, role, tracingPolicy } = MetrionFunction.createSiblings(scope, id, props);
    super(scope, id, {
      entry: path.join(PROJECT_ROOT, props.entry),
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      logGroup,
      role,
      environment: {
        NODE_OPTIONS: LAMBDA_NODE_OPTIONS,
        [LAMBDA_ENV.metricsNamespace]: metricsNamespace(scope),
        ...props.environment,
      },
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      bundling: {
        ...cdkBundlingOptions(props.lazyPackages ?? [], props.leanAwsClients),
        commandHooks: props.lazyPackages?.length ? copyPackages(props.lazyPackages) : undefined,
      },
    });
    this.bundleSource = {
      entry: props.entry,
      lazyPackages: props.lazyPackages ?? [],
      leanAwsClients: props.leanAwsClients ?? false,
    };
    // Active tracing is set on the L1 instead of `tracing: ACTIVE`, which would put the
    // X-Ray wildcard into the role's default policy; there an IAM5 acknowledgement would also
    // hide any later wildcard grant. Lambda checks the X-Ray permission at creation, hence the
    // explicit dependency.
    (this.node.defaultChild as lambda.CfnFunction).tracingConfig = {
      mode: lambda.Tracing.ACTIVE,
    };
    this.node.addDependency(tracingPolicy);
  }

  /**
   * Created in the parent scope because the function needs them at construction: an explicit
   * log group (retention, removal policy) and a role without the AWS managed
   * AWSLambdaBasicExecutionRole policy, which may create and write every log group in the
   * account rather than only this one.
   */
  private static createSiblings(scope: Construct, id: string, props: MetrionFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.entry}`,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    const tracingPolicy = new iam.Policy(scope, `${id}TracingPolicy`, {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
          resources: ['*'],
        }),
      ],
    });
    acknowledge(
      tracingPolicy,
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions; this policy holds nothing else.',
    );
    return { logGroup, role, tracingPolicy };
  }
}
