// Stands in for `@aws-sdk/client-kms` in the proxy bundle (esbuild alias,
// lib/constructs/lambda-bundling.ts): the two operations the data-key provider calls.
import type {
  DecryptCommandInput,
  DecryptCommandOutput,
  GenerateDataKeyCommandInput,
  GenerateDataKeyCommandOutput,
} from '@aws-sdk/client-kms';
import {
  AwsJsonClient,
  type AwsJsonClientConfig,
  AwsServiceError,
  fromBase64,
  toBase64,
} from './aws-json-client.ts';
import { JsonCommand, sendJsonCommand } from './json-command.ts';

const KMS = {
  name: 'kms',
  endpointId: 'KMS',
  targetPrefix: 'TrentService',
  jsonVersion: '1.1',
} as const;

export class KMSClient {
  readonly #client: AwsJsonClient;

  constructor(config: AwsJsonClientConfig = {}) {
    this.#client = new AwsJsonClient(KMS, config);
  }

  send<Input, Output>(command: JsonCommand<Input, Output>): Promise<Output> {
    return sendJsonCommand(this.#client, command);
  }

  destroy(): void {
    this.#client.destroy();
  }
}

export class GenerateDataKeyCommand extends JsonCommand<
  GenerateDataKeyCommandInput,
  Omit<GenerateDataKeyCommandOutput, '$metadata'>
> {
  readonly operation = 'GenerateDataKey';

  override fromWire(output: Record<string, unknown>) {
    return {
      ...output,
      CiphertextBlob: fromBase64(output.CiphertextBlob),
      Plaintext: fromBase64(output.Plaintext),
    };
  }
}

export class DecryptCommand extends JsonCommand<
  DecryptCommandInput,
  Omit<DecryptCommandOutput, '$metadata'>
> {
  readonly operation = 'Decrypt';

  override toWire(input: DecryptCommandInput) {
    return { ...input, CiphertextBlob: input.CiphertextBlob && toBase64(input.CiphertextBlob) };
  }

  override fromWire(output: Record<string, unknown>) {
    return { ...output, Plaintext: fromBase64(output.Plaintext) };
  }
}

/** KMS's error types that tests construct (the SDK exports one class per type). */
function kmsError(name: string) {
  return class extends AwsServiceError {
    constructor(options: { message: string }) {
      super(name, options.message, { fault: 'client', attempts: 1 });
    }
  };
}

export const NotFoundException = kmsError('NotFoundException');
export const IncorrectKeyException = kmsError('IncorrectKeyException');
export const InvalidCiphertextException = kmsError('InvalidCiphertextException');
