import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledge } from '../nag.ts';

/**
 * Where a function's failed work is parked for an operator (a dead-letter or on-failure
 * destination): kept 14 days, TLS only, encrypted. `of` names what fails into it.
 */
export function failureQueue(scope: Construct, id: string, of: string): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    retentionPeriod: Duration.days(14),
    enforceSSL: true,
    encryption: sqs.QueueEncryption.SQS_MANAGED,
  });
  acknowledge(
    queue,
    'AwsSolutions-SQS3',
    `This queue is itself the failure destination of ${of}; a DLQ of a DLQ adds nothing.`,
  );
  return queue;
}

/**
 * A scheduled job's asynchronous invocations: `retryAttempts` retries by Lambda, then the event
 * to a new failure queue (`<id>`), which Monitoring alarms on. Returns the queue.
 */
export function sendAsyncFailuresToQueue(
  fn: lambda.Function,
  id: string,
  of: string,
  retryAttempts: number,
): sqs.Queue {
  const queue = failureQueue(fn.node.scope ?? fn, id, of);
  fn.configureAsyncInvoke({ onFailure: new destinations.SqsDestination(queue), retryAttempts });
  return queue;
}
