// The command shape of the signed JSON clients: `client.send(new XCommand(input))`, as with the
// SDK, so the adapters are the same code in the bundle and in tests.
import type { AwsJsonClient } from './aws-json-client.ts';

/** One operation: its name, and how its input and output cross the wire. */
export abstract class JsonCommand<Input, Output> {
  readonly input: Input;

  constructor(input: Input) {
    this.input = input;
  }

  /** The operation name after the target prefix, e.g. `GetItem`. */
  abstract readonly operation: string;

  /** The wire form of `input` (blobs as base64). @default - the input as is */
  toWire(input: Input): unknown {
    return input;
  }

  /** The caller's form of an answer (blobs as bytes). @default - the answer as is */
  fromWire(output: Record<string, unknown>): Output {
    return output as Output;
  }
}

/** Sends a command through `client` (each service's client class delegates here). */
export async function sendJsonCommand<Input, Output>(
  client: AwsJsonClient,
  command: JsonCommand<Input, Output>,
): Promise<Output> {
  const output = await client.call(command.operation, command.toWire(command.input));
  return command.fromWire(output);
}
