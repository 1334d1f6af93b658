// Error translation for the DynamoDB adapters: SDK exceptions never cross the port boundary.
import { MetrionError } from '#core/errors.ts';

const RETRYABLE_NAMES: ReadonlySet<string> = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
]);

/**
 * DynamoDB could not serve a request (throttling, outage, network, or an unexpected SDK error).
 * The message is safe to log and names no table, key or item; the SDK error stays in `cause`
 * for operators. Not a MetrionError, so handlers answer it with a generic 500.
 */
export class DynamoUnavailableError extends Error {
  /** The operation that failed, e.g. `PutItem`. */
  readonly operation: string;
  /** The SDK error's name (e.g. `ProvisionedThroughputExceededException`), if any. */
  readonly awsErrorName: string | undefined;
  /** Whether retrying the same call later can succeed. */
  readonly retryable: boolean;

  constructor(operation: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(`DynamoDB ${operation} failed; the data store is temporarily unavailable.`, {
      cause: options?.cause,
    });
    this.name = 'DynamoUnavailableError';
    this.operation = operation;
    this.awsErrorName = errorName(options?.cause);
    this.retryable = options?.retryable ?? RETRYABLE_NAMES.has(this.awsErrorName ?? '');
  }
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/** True for the SDK's ConditionalCheckFailedException (a failed ConditionExpression). */
function isConditionalCheckFailed(error: unknown): boolean {
  return errorName(error) === 'ConditionalCheckFailedException';
}

/** Our own typed errors pass through; anything else becomes a DynamoUnavailableError. */
export function toStoreError(error: unknown, operation: string): Error {
  if (error instanceof MetrionError || error instanceof DynamoUnavailableError) return error;
  return new DynamoUnavailableError(operation, { cause: error });
}

/**
 * Runs one SDK call and translates whatever it throws. A failed ConditionExpression is handed to
 * `onConditionFailed` when given (its result or error is the outcome, untranslated).
 */
export async function dynamoCall<T>(
  operation: string,
  call: () => Promise<T>,
  onConditionFailed?: () => T | Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (onConditionFailed !== undefined && isConditionalCheckFailed(error))
      return onConditionFailed();
    throw toStoreError(error, operation);
  }
}
