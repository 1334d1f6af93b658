import { createProxyHandler } from '#handlers/proxy.ts';
import { awsProxyConfig } from './aws-runtime.ts';
import { readLambdaEnv } from './env.ts';
import { buildProxyDeps } from './proxy.deps.ts';

const tables = readLambdaEnv(['countersTable', 'responseCacheTable']);
export const handler = createProxyHandler(
  buildProxyDeps({ ...(await awsProxyConfig()), ...tables }),
);
