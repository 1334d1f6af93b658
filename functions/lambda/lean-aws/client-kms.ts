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

type GenerateDataKeyOutput = Omit<GenerateDataKeyCommandOutput, '$metadata'>;
type DecryptOutput = Omit<DecryptCommandOutput, '$metadata'>;

export class GenerateDataKeyCommand extends JsonCommand<
  GenerateDataKeyCommandInput,
  GenerateDataKeyOutput
> {
  readonly operation = 'GenerateDataKey';

  override fromWire(output: Record<string, unknown>): GenerateDataKeyOutput {
    return {
      ...output,
      CiphertextBlob: fromBase64(output.CiphertextBlob),
      Plaintext: fromBase64(output.Plaintext),
    } as GenerateDataKeyOutput;
  }
}

export class DecryptCommand extends JsonCommand<DecryptCommandInput, DecryptOutput> {
  readonly operation = 'Decrypt';

  override toWire(input: DecryptCommandInput) {
    return { ...input, CiphertextBlob: input.CiphertextBlob && toBase64(input.CiphertextBlob) };
  }

  override fromWire(output: Record<string, unknown>): DecryptOutput {
    return { ...output, Plaintext: fromBase64(output.Plaintext) } as DecryptOutput;
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
