import { App } from 'aws-cdk-lib';
import { parseEnvironmentConfig } from '../lib/config/environment-config.ts';
import { ENV_NAMES, ENVIRONMENTS, isEnvName } from '../lib/config/environments.ts';
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

addNagChecks(app);
createMetrionStack(app, parseEnvironmentConfig(envName, ENVIRONMENTS[envName]));
