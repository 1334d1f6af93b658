import { App } from 'aws-cdk-lib';
import {
  type EnvironmentConfig,
  parseEnvironmentConfig,
} from '../lib/config/environment-config.ts';
import { ENV_NAMES, ENVIRONMENTS, isEnvName } from '../lib/config/environments.ts';
import { launchBlockers } from '../lib/config/launch-readiness.ts';
import { createMetrionStack } from '../lib/metrion-stack.ts';
import { addNagChecks } from '../lib/nag.ts';

// The only place that reads CDK context: constructs get typed config, never context.
const app = new App();
const envName: unknown = app.node.tryGetContext('env');

if (!isEnvName(envName)) {
  const given = envName === undefined ? 'no environment' : `unknown environment '${envName}'`;
  console.error(
    `Metrion CDK app: ${given}. Pass -c env=<name> with one of: ${ENV_NAMES.join(', ')}.`,
  );
  process.exit(1);
}

let config: EnvironmentConfig;
try {
  config = parseEnvironmentConfig(envName, ENVIRONMENTS[envName]);
} catch (error) {
  // One line (the schema's details follow on their own lines when it is a shape error).
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}

const blockers = launchBlockers(config);
if (blockers.length > 0) {
  console.warn(
    `Metrion-${envName} synthesizes with placeholders; a deploy needs real values in lib/config/environments.ts: ${blockers.join('; ')}.`,
  );
}

addNagChecks(app);
createMetrionStack(app, config);
