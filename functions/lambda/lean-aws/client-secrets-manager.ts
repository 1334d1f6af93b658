// Stands in for `@aws-sdk/client-secrets-manager` in the proxy bundle (esbuild alias,
// lib/constructs/lambda-bundling.ts): GetSecretValue, read once at cold start (the pepper).
import type {
  GetSecretValueCommandInput,
  GetSecretValueCommandOutput,
} from '@aws-sdk/client-secrets-manager';
import { AwsJsonClient, type AwsJsonClientConfig, fromBase64 } from './aws-json-client.ts';
import { JsonCommand, sendJsonCommand } from './json-command.ts';

const SECRETS_MANAGER = {
  name: 'secretsmanager',
  endpointId: 'SECRETS_MANAGER',
  targetPrefix: 'secretsmanager',
  jsonVersion: '1.1',
} as const;

export class SecretsManagerClient {
  readonly #client: AwsJsonClient;

  constructor(config: AwsJsonClientConfig = {}) {
    this.#client = new AwsJsonClient(SECRETS_MANAGER, config);
  }

  send<Input, Output>(command: JsonCommand<Input, Output>): Promise<Output> {
    return sendJsonCommand(this.#client, command);
  }

  destroy(): void {
    this.#client.destroy();
  }
}

type GetSecretValueOutput = Omit<GetSecretValueCommandOutput, '$metadata'>;

export class GetSecretValueCommand extends JsonCommand<
  GetSecretValueCommandInput,
  GetSecretValueOutput
> {
  readonly operation = 'GetSecretValue';

  /** Blobs as bytes; `CreatedDate` (epoch seconds on the wire) is left out. */
  override fromWire(output: Record<string, unknown>): GetSecretValueOutput {
    const { CreatedDate: _created, ...rest } = output;
    return { ...rest, SecretBinary: fromBase64(output.SecretBinary) } as GetSecretValueOutput;
  }
}
