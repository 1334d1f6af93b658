import { ServiceUnavailableError } from '#core/errors.ts';
import type { Logger } from '#core/ports/logger.ts';
import { errorLogFields } from './error-log-fields.ts';

/**
 * Logs why a scheduled refresh failed. A source that cannot be reached is expected (the source is
 * down, or the machine offline, as on a fresh local start): one warning without a stack. Anything
 * else is an error with the fields an operator needs.
 */
export function logRefreshFailure(logger: Logger, message: string, error: unknown): void {
  if (error instanceof ServiceUnavailableError) {
    logger.warn(message, {
      source: error.service,
      operation: error.operation,
      error: error.message,
    });
  } else {
    logger.error(message, { error: errorLogFields(error) });
  }
}
