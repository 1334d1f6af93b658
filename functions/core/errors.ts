/**
 * Typed domain errors. Each carries a stable snake_case `code` and a message written for the
 * customer (it says what to do next). No HTTP status lives here: `functions/handlers/http/
 * error-response.ts` is the one mapping from `code` to status and body, and the compiler checks
 * that it covers every code.
 */

/** Every code a customer can see, one class each. */
export type ErrorCode =
  | 'invalid_request'
  | 'invalid_api_key'
  | 'unauthorized'
  | 'missing_provider_key'
  | 'not_found'
  | 'method_not_allowed'
  | 'account_exists'
  | 'email_taken'
  | 'metrion_key_conflict'
  | 'payload_too_large'
  | 'rate_limit_exceeded'
  | 'secret_integrity'
  | 'upstream_unavailable'
  | 'service_unavailable'
  | 'upstream_timeout'
  | 'already_pro'
  | 'subscription_open'
  | 'no_billing_customer'
  | 'invalid_webhook_signature'
  | 'invalid_webhook_payload'
  | 'billing_unavailable'
  | 'plan_required'
  | 'rule_limit'
  | 'budget_limit'
  | 'budget_exceeded'
  | 'channel_limit'
  | 'channel_in_use'
  | 'internal_error';

/** Abstract: throw one of the subclasses below, so every code has exactly one class. */
export abstract class MetrionError extends Error {
  readonly code: ErrorCode;
  /** Seconds until retrying can succeed (rate and plan limits). */
  readonly retryAfterSeconds?: number;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { retryAfterSeconds?: number; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
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

/** No usable credential, or the Metrion Key is unknown (proxy). */
export class AuthenticationError extends MetrionError {
  constructor(message: string) {
    super('invalid_api_key', message);
  }
}

/** No sign-in token, or one that is forged, expired, or issued for another pool or app. */
export class UnauthorizedError extends MetrionError {
  constructor(message: string) {
    super('unauthorized', message);
  }
}

/** Stored mode was used but the account has no key saved for the provider. */
export class MissingProviderKeyError extends MetrionError {
  constructor(message: string) {
    super('missing_provider_key', message);
  }
}

/** The route exists but not for this method. */
export class MethodNotAllowedError extends MetrionError {
  /** The methods the route does accept (the `Allow` header). */
  readonly allowedMethods: readonly string[];

  constructor(message: string, allowedMethods: readonly string[]) {
    super('method_not_allowed', message);
    this.allowedMethods = allowedMethods;
  }
}

/** An account with this id already exists (a sign-in raced another). */
export class AccountExistsError extends MetrionError {
  constructor() {
    super('account_exists', 'This account already exists. Sign in instead.');
  }
}

/** Another account already has this email address (one account per address). */
export class EmailTakenError extends MetrionError {
  /** The account that has the address (the operator CLI names it; responses never do). */
  readonly holderAccountId: string;

  constructor(holderAccountId: string) {
    super(
      'email_taken',
      'Another Metrion account already uses this email address. Sign up with another address.',
    );
    this.holderAccountId = holderAccountId;
  }
}

/** A new Metrion Key could not be saved: its digest is taken, or the key changed meanwhile. */
export class MetrionKeyConflictError extends MetrionError {
  constructor() {
    super(
      'metrion_key_conflict',
      'The new Metrion Key could not be saved. Generate a new key and try again.',
    );
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

/**
 * A service Metrion itself depends on (data store, key service, sign-in keys, reference rates)
 * failed. The message is fixed per service and names no key, table or item; the original error
 * stays in `cause` for operators and never reaches a response.
 */
export class ServiceUnavailableError extends MetrionError {
  /** The dependency that failed, e.g. `dynamodb`, `kms`, `cognito-jwks`, `ecb`. */
  readonly service: string;
  /** The call that failed, e.g. `PutItem`, when known. */
  readonly operation: string | undefined;
  /** Whether retrying the same call later can succeed. */
  readonly retryable: boolean;

  constructor(
    message: string,
    options: { service: string; operation?: string; retryable?: boolean; cause?: unknown },
  ) {
    super('service_unavailable', message, { cause: options.cause });
    this.service = options.service;
    this.operation = options.operation;
    this.retryable = options.retryable ?? true;
  }
}

/** The path names no route, or a resource the caller named does not exist. */
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

/** Checkout was requested for an account that is already on Pro. */
export class AlreadyProError extends MetrionError {
  constructor(message: string) {
    super('already_pro', message);
  }
}

/** A new subscription was requested while the previous one is still open in Stripe. */
export class SubscriptionStillOpenError extends MetrionError {
  constructor(message: string) {
    super('subscription_open', message);
  }
}

/** The billing portal was requested for an account that never had a Stripe customer. */
export class NoBillingCustomerError extends MetrionError {
  constructor(message: string) {
    super('no_billing_customer', message);
  }
}

/** A webhook's signature header is missing, malformed, stale, or does not match the body. */
export class InvalidWebhookSignatureError extends MetrionError {
  constructor(message: string) {
    super('invalid_webhook_signature', message);
  }
}

/** A correctly signed webhook whose body is not JSON or not the event shape it names. */
export class MalformedWebhookError extends MetrionError {
  constructor(message: string) {
    super('invalid_webhook_payload', message);
  }
}

/** The payment provider (Stripe) refused or could not serve a request. */
export class BillingUnavailableError extends MetrionError {
  constructor(message: string) {
    super('billing_unavailable', message);
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

/** The account already has the most budgets its plan allows, or a scope its plan lacks. */
export class BudgetLimitError extends MetrionError {
  constructor(message: string) {
    super('budget_limit', message);
  }
}

/**
 * A `block` budget refused the request before it reached the provider: the request could cross
 * its limit, or its cost cannot be bounded. Not worth retrying before the budget resets or changes.
 */
export class BudgetExceededError extends MetrionError {
  /** The refusing budget (the `x-metrion-budget-id` header). */
  readonly budgetId: string;
  /** Its name, as the blocked request's Logs row shows it. */
  readonly budgetName: string;

  constructor(message: string, budget: { readonly budgetId: string; readonly name: string }) {
    super('budget_exceeded', message);
    this.budgetId = budget.budgetId;
    this.budgetName = budget.name;
  }
}

/** The account has as many alert channels as it may. */
export class ChannelLimitError extends MetrionError {
  constructor(message: string) {
    super('channel_limit', message);
  }
}

/** An alert channel that rules still notify cannot be deleted. */
export class ChannelInUseError extends MetrionError {
  constructor(message: string) {
    super('channel_in_use', message);
  }
}

/**
 * Anything that is not a MetrionError (a bug, an untranslated SDK error), as the caller sees it:
 * a generic message naming the request id and nothing of the error, which stays in `cause` for
 * the operators' log.
 */
export class InternalError extends MetrionError {
  constructor(requestId: string, cause: unknown) {
    super(
      'internal_error',
      `Metrion had an internal error. Retry the request; if it persists, contact support with request id ${requestId}.`,
      { cause },
    );
  }
}

/** `error` itself when it is a MetrionError, else an {@link InternalError} wrapping it. */
export function asMetrionError(error: unknown, requestId: string): MetrionError {
  return error instanceof MetrionError ? error : new InternalError(requestId, error);
}
