// Stands in for `@aws-sdk/credential-provider-node` in Lambda bundles only (esbuild alias in
// lib/constructs/lambda-bundling.ts): the SDK clients import `defaultProvider` from that package
// and call it when no `credentials` are given. The default chain's first link reads the
// environment, where Lambda always puts the execution role's credentials; its other links (SSO,
// ini files, credential_process, web identity, instance metadata) and their STS/SSO clients
// would add about 135 KB to every bundle and never run in Lambda.
import { type AwsEnvCredentials, awsEnvCredentials } from './env.ts';

/** Same signature as the SDK's `defaultProvider`: an async provider of the env credentials. */
export function defaultProvider(_init?: unknown): () => Promise<AwsEnvCredentials> {
  return async () => awsEnvCredentials();
}
