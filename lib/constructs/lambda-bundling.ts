// How every Lambda bundle is built, in one place: `MetrionFunction` hands these settings to
// NodejsFunction (which runs the local esbuild CLI), and the cold-init bench hands the same
// settings to esbuild's JS API, so the bench measures the bundles `cdk deploy` ships.
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LEAN_AWS_CLIENT_ALIASES } from './lean-aws-clients.ts';

/**
 * `NODE_OPTIONS` of every function: stack traces through the bundles' source maps. Node then
 * reads each bundle's map when it loads the bundle, which the cold-init bench includes.
 */
export const LAMBDA_NODE_OPTIONS = '--enable-source-maps';

/** ESM bundles that contain CommonJS packages call `require`; ESM has none without this. */
const CREATE_REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * Packages replaced by a smaller module of ours in every Lambda bundle, resolved from the
 * repository root (esbuild resolves alias paths in its working directory, which CDK sets to the
 * project root). Local mode and tests keep the real packages.
 *
 * `@aws-sdk/credential-provider-node` is the SDK's default credential chain (env, SSO, ini
 * files, credential_process, web identity, container and instance metadata) with the STS, SSO
 * and sign-in clients it needs: about 135 KB minified in each bundle. Lambda always puts the
 * execution role's credentials in the environment, where the chain's first link finds them,
 * so an environment-only provider resolves the same credentials.
 */
const LAMBDA_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': './functions/lambda/aws-env-credentials.ts',
};

/** Every alias of one function's bundle. */
function bundleAliases(leanAwsClients: boolean): Readonly<Record<string, string>> {
  return leanAwsClients ? { ...LAMBDA_ALIASES, ...LEAN_AWS_CLIENT_ALIASES } : LAMBDA_ALIASES;
}

/** The esbuild settings every Lambda bundle shares (esbuild's option names and values). */
export const LAMBDA_BUNDLING = {
  // CDK always passes --platform=node; esbuild's API needs it said.
  platform: 'node',
  // The runtime's Node (`lambda.Runtime.NODEJS_24_X` in MetrionFunction).
  target: 'node24',
  format: 'esm',
  // ESM builds first: they tree-shake; CommonJS builds are kept whole.
  mainFields: ['module', 'main'],
  minify: true,
  sourcemap: true,
  // Stack traces map to file and line without shipping the sources in the map.
  sourcesContent: false,
  banner: CREATE_REQUIRE_BANNER,
  alias: LAMBDA_ALIASES,
} as const;

/**
 * {@link LAMBDA_BUNDLING} as NodejsFunction bundling props. The AWS SDK is bundled too: the
 * versions the tests ran against, tree-shaken, instead of whatever the runtime ships that month.
 */
export function cdkBundlingOptions(
  externalModules: readonly string[],
  leanAwsClients = false,
): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: LAMBDA_BUNDLING.target,
    mainFields: [...LAMBDA_BUNDLING.mainFields],
    minify: LAMBDA_BUNDLING.minify,
    sourceMap: LAMBDA_BUNDLING.sourcemap,
    sourcesContent: LAMBDA_BUNDLING.sourcesContent,
    banner: LAMBDA_BUNDLING.banner,
    esbuildArgs: {
      '--alias': Object.entries(bundleAliases(leanAwsClients)).map(([from, to]) => `${from}=${to}`),
    },
    bundleAwsSDK: true,
    externalModules: [...externalModules],
    forceDockerBundling: false,
  };
}

/**
 * {@link LAMBDA_BUNDLING} as options of esbuild's `build()` (typed by the caller: lib does not
 * depend on esbuild), bundling `entry` (relative to `projectRoot`) into `outfile`.
 */
export function esbuildBuildOptions(props: {
  readonly projectRoot: string;
  readonly entry: string;
  readonly outfile: string;
  readonly externalModules: readonly string[];
  /** @default false */
  readonly leanAwsClients?: boolean;
}) {
  return {
    ...LAMBDA_BUNDLING,
    mainFields: [...LAMBDA_BUNDLING.mainFields],
    banner: { js: LAMBDA_BUNDLING.banner },
    alias: { ...bundleAliases(props.leanAwsClients ?? false) },
    bundle: true,
    absWorkingDir: props.projectRoot,
    entryPoints: [props.entry],
    outfile: props.outfile,
    external: [...props.externalModules],
  };
}
