/**
 * Typed domain errors. Each carries a stable snake_case `code` and a message written for the
 * customer (it says what to do next). No HTTP status lives here: `functions/handlers/http/
 * error-response.ts` is the one mapping from `code` to status and body.
 */
export class MetrionError extends Error {
  readonly code: string;
  /** Seconds until retrying can succeed (rate and plan limits). */
  readonly retryAfterSeconds?: number;

  constructor(code: string, message: string, options?: { retryAfterSeconds?: number }) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    if (options?.retryAfterSeconds !== undefined) {
      this.retryAfterSeconds = options.retryAfterSeconds;
    }
  }
}

/** The request body or headers are not what the provider's API accepts. */
export class InvalidRequestError extends MetrionError {
  constructor(message: string) {
    super('invalid_request', message);
  }
}

/** No usable credential, or the Metrion Key is unknown. */
export class AuthenticationError extends MetrionError {
  constructor(message: string) {
    super('invalid_api_key', message);
  }
}

/** Stored mode was used but the account has no key saved for the provider. */
export class MissingProviderKeyError extends MetrionError {
  constructor(message: string) {
    super('missing_provider_key', message);
  }
}

/** No proxy route matches the path. */
export class RouteNotFoundError extends MetrionError {
  constructor(message: string) {
    super('not_found', message);
  }
}

/** The route exists but not for this method. */
export class MethodNotAllowedError extends MetrionError {
  constructor(message: string) {
    super('method_not_allowed', message);
  }
}

/** The request body exceeds what Metrion accepts. */
export class PayloadTooLargeError extends MetrionError {
  constructor(message: string) {
    super('payload_too_large', message);
  }
}

/** A per-key rate limit or a plan quota was reached. */
export class LimitReachedError extends MetrionError {
  constructor(message: string, retryAfterSeconds: number) {
    super('rate_limit_exceeded', message, { retryAfterSeconds });
  }
}

/** The upstream sent no response headers in time. */
export class UpstreamTimeoutError extends MetrionError {
  constructor(message: string) {
    super('upstream_timeout', message);
  }
}

/** The upstream could not be reached or answered something unreadable. */
export class UpstreamUnavailableError extends MetrionError {
  constructor(message: string) {
    super('upstream_unavailable', message);
  }
}

/** A resource the caller named does not exist (dashboard API). */
export class NotFoundError extends MetrionError {
  constructor(message: string) {
    super('not_found', message);
  }
}

/** A stored secret failed to decrypt (tampered, or bound to another context). */
export class SecretIntegrityError extends MetrionError {
  constructor(message: string) {
    super('secret_integrity', message);
  }
}

/** The account's plan does not include the feature (alert rules are Pro); says how to upgrade. */
export class PlanRequiredError extends MetrionError {
  constructor(message: string) {
    super('plan_required', message);
  }
}

/** The account already has the most alert rules a plan allows. */
export class RuleLimitError extends MetrionError {
  constructor(message: string) {
    super('rule_limit', message);
  }
}
