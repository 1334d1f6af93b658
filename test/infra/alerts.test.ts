import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { ACTIVE_ALERT_RULES_INDEX } from '#adapters/dynamodb/table-definitions.ts';
import { ACCOUNT_SECRETS_PURPOSE } from '#core/vault/secret-purposes.ts';
import { LAMBDA_ENV } from '#lambda/env.ts';
import { ENVIRONMENTS } from '../../lib/config/environments.ts';
import { removeOutdirs } from './synth.ts';
import { actionsOf, environmentTemplates } from './template.ts';

afterAll(removeOutdirs);

const { main: dev } = environmentTemplates('dev');
const evaluatorId = dev.functionId('Metrion alert evaluator');

describe('Alerts', () => {
  it('runs the evaluator every minute without retries, failures to a DLQ', () => {
    dev.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [evaluatorId, 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 0 },
        }),
      ],
    });
    dev.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: evaluatorId },
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it('gets the sender and the dashboard URL (the CloudFront URL: dev has no domain)', () => {
    const variables = dev.environmentOf(evaluatorId);
    expect(variables[LAMBDA_ENV.alertsSender]).toBe(ENVIRONMENTS.dev.email.sender);
    expect(JSON.stringify(variables[LAMBDA_ENV.dashboardUrl])).toContain('DomainName');
  });

  it('lets only the evaluator, the retry run, the budget sweep and the dashboard API send, from the sender through its configuration set', () => {
    const senders = Object.keys(
      dev.resources('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Action: 'ses:SendEmail' })]),
        },
      }),
    );
    expect(senders).toHaveLength(4);
    for (const functionId of [
      evaluatorId,
      dev.functionId('Metrion alert delivery retries'),
      dev.functionId('Metrion budget sweep'),
      dev.functionId('Metrion dashboard API'),
    ]) {
      const sends = dev
        .roleStatements(functionId)
        .filter((statement) => actionsOf(statement).includes('ses:SendEmail'));
      expect(sends).toEqual([
        {
          Action: 'ses:SendEmail',
          Effect: 'Allow',
          Resource: [
            'arn:aws:ses:eu-central-1:111111111111:configuration-set/metrion-dev',
            'arn:aws:ses:eu-central-1:111111111111:identity/dev.metrion.example',
          ],
          Condition: { StringEquals: { 'ses:FromAddress': ENVIRONMENTS.dev.email.sender } },
        },
      ]);
    }
  });

  it('indexes active alert rules on the accounts table', () => {
    dev.template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'metrion-dev-accounts',
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: ACTIVE_ALERT_RULES_INDEX })],
    });
  });
});

describe('AlertDeliveries', () => {
  const retryRunId = dev.functionId('Metrion alert delivery retries');

  it('runs the retry run every minute, outside any VPC (internet egress and DNS)', () => {
    dev.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [retryRunId, 'Arn'] } })],
    });
    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: retryRunId } }],
    });
    const fn = dev.template.findResources('AWS::Lambda::Function')[retryRunId];
    expect(fn?.Properties?.VpcConfig).toBeUndefined();
  });

  it('touches only the accounts table (rules, channels, deliveries), never usage or the cache', () => {
    const statements = dev.roleStatements(retryRunId);
    expect(dev.statementsOn(retryRunId, dev.tableId('accounts')).flatMap(actionsOf).sort()).toEqual(
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    );
    const text = JSON.stringify(statements);
    expect(text).not.toContain(dev.tableId('usage'));
    expect(text).not.toContain(dev.tableId('responseCache'));
    expect(statements.flatMap(actionsOf)).not.toContain('dynamodb:DeleteItem');
  });

  it('lets the evaluator and the retry run open channel secrets only, never seal', () => {
    for (const functionId of [evaluatorId, retryRunId]) {
      expect(dev.environmentOf(functionId)[LAMBDA_ENV.providerKeysKmsKeyArn]).toBeDefined();
      const kms = dev
        .roleStatements(functionId)
        .filter((statement) => actionsOf(statement).some((action) => action.startsWith('kms:')))
        .filter((statement) => JSON.stringify(statement).includes('EncryptionContext'));
      expect(kms).toEqual([
        expect.objectContaining({
          Action: 'kms:Decrypt',
          Condition: {
            StringEquals: { 'kms:EncryptionContext:purpose': [ACCOUNT_SECRETS_PURPOSE] },
            Null: { 'kms:EncryptionContext:account': 'false' },
          },
        }),
      ]);
    }
  });
});
