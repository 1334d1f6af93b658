import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { STRIPE_WEBHOOK_ROUTE } from '#contracts/billing-api.ts';
import type { BillingService } from '#core/billing/billing-service.ts';
import {
  InvalidWebhookSignatureError,
  MalformedWebhookError,
  MethodNotAllowedError,
} from '#core/errors.ts';
import type { Logger } from '#core/ports/logger.ts';
import { lowerCaseHeaders, rawBody } from './http/api-gateway.ts';
import { httpErrorHandler } from './http/error-middleware.ts';

export interface StripeWebhookHandlerDeps {
  /** Verifies, deduplicates and applies one delivery. */
  readonly billing: Pick<BillingService, 'handleWebhook'>;
  readonly logger: Logger;
}

const HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
} as const;

/**
 * `POST /api/stripe/webhook` (no sign-in: Stripe signs the body). The raw body (base64-decoded
 * when API Gateway encoded it) and `Stripe-Signature` go to `billing.handleWebhook`; every
 * outcome (applied, unchanged, duplicate, ignored) answers 200 and is logged once, so Stripe
 * stops retrying. A bad, missing or future-dated signature is 400 `invalid_webhook_signature`,
 * a signed body that is not the event it claims 400 `invalid_webhook_payload` (nothing was
 * read or written; both logged as a warning); any other failure is a 5xx through the shared
 * `httpErrorHandler`, so Stripe redelivers later.
 */
export function createStripeWebhookHandler(deps: StripeWebhookHandlerDeps) {
  const base = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    if (event.httpMethod !== STRIPE_WEBHOOK_ROUTE.method) {
      throw new MethodNotAllowedError(`Use POST for ${STRIPE_WEBHOOK_ROUTE.path}.`, [
        STRIPE_WEBHOOK_ROUTE.method,
      ]);
    }
    const requestId = event.requestContext.requestId;
    const outcome = await deps.billing
      .handleWebhook(
        Buffer.from(rawBody(event)).toString('utf8'),
        lowerCaseHeaders(event)['stripe-signature'],
      )
      .catch((error: unknown) => {
        // A refusal (400) is not logged by the error middleware, which logs only 5xx.
        if (
          error instanceof InvalidWebhookSignatureError ||
          error instanceof MalformedWebhookError
        ) {
          deps.logger.warn('stripe webhook refused', {
            requestId,
            code: error.code,
            reason: error.message,
          });
        }
        throw error;
      });
    deps.logger.info('stripe webhook', { requestId, ...outcome });
    return { statusCode: 200, headers: HEADERS, body: JSON.stringify({ received: true }) };
  };

  return middy(base).use(httpErrorHandler({ envelope: 'api', logger: deps.logger }));
}
