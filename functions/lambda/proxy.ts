import { createProxyHandler } from '#handlers/proxy.ts';
import { awsProxyConfig } from './aws-runtime.ts';
import { buildProxyDeps } from './proxy.deps.ts';

export const handler = createProxyHandler(buildProxyDeps(await awsProxyConfig()));
