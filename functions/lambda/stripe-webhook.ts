import { createStripeWebhookHandler } from '#handlers/stripe-webhook.ts';
import { awsStripeWebhookConfig } from './aws-runtime.ts';
import { buildStripeWebhookDeps } from './stripe-webhook.deps.ts';

export const handler = createStripeWebhookHandler(
  buildStripeWebhookDeps(await awsStripeWebhookConfig()),
);
