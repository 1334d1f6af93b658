import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { ACTIVE_ALERT_RULES_INDEX } from '#adapters/dynamodb/table-definitions.ts';
import { LAMBDA_ENV } from '#lambda/env.ts';
import { parseEnvironmentConfig } from '../../lib/config/environment-config.ts';
import { ENVIRONMENTS } from '../../lib/config/environments.ts';
import { buildStack, removeOutdirs } from './synth.ts';

afterAll(removeOutdirs);

const dev: Template = buildStack(parseEnvironmentConfig('dev', ENVIRONMENTS.dev)).template;

function evaluatorId(): string {
  const ids = Object.keys(
    dev.findResources('AWS::Lambda::Function', {
      Properties: { Description: Match.stringLikeRegexp('alert evaluator') },
    }),
  );
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

describe('Alerts', () => {
  it('runs the evaluator every minute without retries, failures to a DLQ', () => {
    const id = evaluatorId();
    dev.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [id, 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 0 },
        }),
      ],
    });
    dev.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: id },
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    dev.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [LAMBDA_ENV.alertsSender]: ENVIRONMENTS.dev.alerts.sender,
          [LAMBDA_ENV.dashboardUrl]: ENVIRONMENTS.dev.dashboardUrl,
        }),
      },
      Description: Match.stringLikeRegexp('alert evaluator'),
    });
  });

  it('has an SES domain identity and lets only the evaluator, retry run and dashboard API send', () => {
    dev.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'dev.metrion.example' });
    const senders = dev.findResources('AWS::IAM::Policy', {
      Properties: {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Action: 'ses:SendEmail' })]),
        },
      },
    });
    expect(Object.keys(senders)).toHaveLength(3);
    const text = JSON.stringify(senders);
    expect(text).toContain(':identity/dev.metrion.example');
    expect(text).not.toMatch(/"ses:SendEmail","Effect":"Allow","Resource":"\*"/);
  });

  it('alarms on evaluator errors', () => {
    dev.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: evaluatorId() } }],
      AlarmActions: Match.anyValue(),
    });
  });

  it('indexes active alert rules on the accounts table', () => {
    dev.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'metrion-dev-accounts',
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: ACTIVE_ALERT_RULES_INDEX })],
    });
  });
});

describe('AlertDeliveries', () => {
  function retryRunId(): string {
    const ids = Object.keys(
      dev.findResources('AWS::Lambda::Function', {
        Properties: { Description: Match.stringLikeRegexp('alert delivery retries') },
      }),
    );
    expect(ids).toHaveLength(1);
    return ids[0] as string;
  }

  it('runs the retry run every minute, alarmed, outside any VPC (internet egress and DNS)', () => {
    const id = retryRunId();
    dev.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [id, 'Arn'] } })],
    });
    dev.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: id } }],
      AlarmActions: Match.anyValue(),
    });
    const fn = dev.findResources('AWS::Lambda::Function')[id];
    expect(fn?.Properties?.VpcConfig).toBeUndefined();
  });

  it('lets the evaluator and the retry run decrypt channel secrets, but not generate data keys', () => {
    for (const description of ['alert evaluator', 'alert delivery retries']) {
      dev.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp(description),
        Environment: {
          Variables: Match.objectLike({ [LAMBDA_ENV.providerKeysKmsKeyArn]: Match.anyValue() }),
        },
      });
    }
    const kmsPolicies = JSON.stringify(
      dev.findResources('AWS::IAM::Policy', {
        Properties: {
          PolicyDocument: {
            Statement: Match.arrayWith([Match.objectLike({ Action: 'kms:Decrypt' })]),
          },
        },
      }),
    );
    expect(kmsPolicies).toContain('AlertDeliveriesRetryRun');
    expect(kmsPolicies).toContain('AlertsEvaluator');
  });
});
