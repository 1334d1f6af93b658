// Error translation for the DynamoDB adapters: SDK exceptions never cross the port boundary.
import { MetrionError, ServiceUnavailableError } from '#core/errors.ts';

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
 * The message names no table, key or item; the SDK error stays in `cause` for operators.
 */
export function dynamoUnavailable(
  operation: string,
  options?: { cause?: unknown; retryable?: boolean },
): ServiceUnavailableError {
  return new ServiceUnavailableError(
    "Metrion's data store is temporarily unavailable. Retry in a few seconds.",
    {
      service: 'dynamodb',
      operation,
      cause: options?.cause,
      retryable: options?.retryable ?? RETRYABLE_NAMES.has(errorName(options?.cause) ?? ''),
    },
  );
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/** True for the SDK's ConditionalCheckFailedException (a failed ConditionExpression). */
function isConditionalCheckFailed(error: unknown): boolean {
  return errorName(error) === 'ConditionalCheckFailedException';
}

/** Our own typed errors pass through; anything else becomes a ServiceUnavailableError. */
export function toStoreError(error: unknown, operation: string): MetrionError {
  if (error instanceof MetrionError) return error;
  return dynamoUnavailable(operation, { cause: error });
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
