import { describe, expect, it } from 'vitest';
import * as errors from '#core/errors.ts';
import { errorStatus, STATUS_BY_CODE } from '#handlers/http/error-response.ts';

const {
  AccountExistsError,
  AlreadyProError,
  BillingUnavailableError,
  BudgetExceededError,
  BudgetLimitError,
  EmailTakenError,
  InvalidWebhookSignatureError,
  MalformedWebhookError,
  NoBillingCustomerError,
  PlanRequiredError,
  RuleLimitError,
  ChannelInUseError,
  ChannelLimitError,
  SubscriptionStillOpenError,
  AuthenticationError,
  InternalError,
  InvalidRequestError,
  LimitReachedError,
  MethodNotAllowedError,
  MetrionError,
  MetrionKeyConflictError,
  MissingProviderKeyError,
  NotFoundError,
  PayloadTooLargeError,
  SecretIntegrityError,
  ServiceUnavailableError,
  UnauthorizedError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} = errors;

/** One instance of every MetrionError class. */
const ONE_OF_EACH: readonly errors.MetrionError[] = [
  new InvalidRequestError('m'),
  new BudgetExceededError('m', { budgetId: 'bud_00000001', name: 'n' }),
  new BudgetLimitError('m'),
  new AuthenticationError('m'),
  new UnauthorizedError('m'),
  new MissingProviderKeyError('m'),
  new NotFoundError('m'),
  new MethodNotAllowedError('m', ['POST']),
  new AccountExistsError(),
  new MetrionKeyConflictError(),
  new PayloadTooLargeError('m'),
  new LimitReachedError('m', 1),
  new SecretIntegrityError('m'),
  new UpstreamUnavailableError('m'),
  new ServiceUnavailableError('m', { service: 'dynamodb' }),
  new UpstreamTimeoutError('m'),
  new AlreadyProError('m'),
  new SubscriptionStillOpenError('m'),
  new NoBillingCustomerError('m'),
  new InvalidWebhookSignatureError('m'),
  new MalformedWebhookError('m'),
  new BillingUnavailableError('m'),
  new PlanRequiredError('m'),
  new RuleLimitError('m'),
  new ChannelLimitError('m'),
  new ChannelInUseError('m'),
  new EmailTakenError('acct-1'),
  new InternalError('req-1', new Error('bug')),
];

describe('error codes', () => {
  it('lists every MetrionError class exported by core/errors.ts', () => {
    const exported = Object.values(errors).filter(
      (value) => typeof value === 'function' && value.prototype instanceof MetrionError,
    );
    expect(new Set(ONE_OF_EACH.map((error) => error.constructor))).toEqual(new Set(exported));
  });

  it('gives each code exactly one class, and each code of the status table a class', () => {
    const codes = ONE_OF_EACH.map((error) => error.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(codes)).toEqual(new Set(Object.keys(STATUS_BY_CODE)));
  });

  it('keeps client mistakes below 500 and outages at 5xx', () => {
    expect(errorStatus(new InvalidRequestError('m'))).toBe(400);
    expect(errorStatus(new MetrionKeyConflictError())).toBe(409);
    expect(errorStatus(new ServiceUnavailableError('m', { service: 'kms' }))).toBe(503);
    expect(errorStatus(new RangeError('m'))).toBe(500);
    expect(errorStatus(new InternalError('req-1', new RangeError('m')))).toBe(500);
  });
});
