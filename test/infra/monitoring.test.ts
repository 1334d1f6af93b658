import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OPERATIONAL_METRICS } from '#core/observability/operational-metrics.ts';
import { LAMBDA_ENV } from '#lambda/env.ts';
import { ENVIRONMENTS } from '../../lib/config/environments.ts';
import { removeOutdirs } from './synth.ts';
import { environmentTemplates, LAUNCH_READY_PROD, logicalIdOf, mainTemplate } from './template.ts';

afterAll(removeOutdirs);

const dev = mainTemplate('dev');
const OPERATIONS = fs.readFileSync(
  path.resolve(import.meta.dirname, '../../docs/operations.md'),
  'utf8',
);

/** Every alarm an environment has; docs/operations.md has a section for each. */
const ALARMS = [
  'AlertDeliveryErrors',
  'ApiServerErrorRate',
  'BudgetSweepDlq',
  'BudgetSweepErrors',
  'DashboardApiErrors',
  'DynamoDbThrottles',
  'EvaluatorDlq',
  'EvaluatorErrors',
  'FxRatesDlq',
  'InterruptedRecords',
  'LogsExportErrors',
  'MetrionErrors',
  'PriceRefreshDlq',
  'ProxyErrors',
  'ProxyNearConcurrencyCap',
  'ProxyThrottles',
  'SealJobDlq',
  'SesBounceRate',
  'SesComplaintRate',
  'StripeWebhookErrors',
  'TraceSweeperDlq',
  'UnpricedRequests',
  'UnreservedConcurrencyHigh',
  'UsageAggregatorDlq',
  'UsageAggregatorLag',
];

const alarmNames = () =>
  Object.values(dev.resources('AWS::CloudWatch::Alarm')).map((alarm) =>
    String(alarm.Properties.AlarmName),
  );

describe('Monitoring', () => {
  it('has exactly these alarms, named Metrion-<env>-<id>', () => {
    expect(alarmNames().sort()).toEqual(ALARMS.map((id) => `Metrion-dev-${id}`));
  });

  it.each(ALARMS)('documents %s in docs/operations.md, and links it from the alarm', (id) => {
    expect(OPERATIONS).toMatch(new RegExp(`^### ${id}$`, 'm'));
    expect(dev.alarm(id).AlarmDescription).toContain(`docs/operations.md#${id.toLowerCase()}`);
  });

  it('sends every alarm and its recovery to the one topic', () => {
    const topic = dev.onlyLogicalId('AWS::SNS::Topic');
    for (const id of ALARMS) {
      const alarm = dev.alarm(id);
      expect([alarm.AlarmActions, alarm.OKActions].flat().map(logicalIdOf)).toEqual([topic, topic]);
    }
  });

  it('subscribes the alarm e-mail in production, and nobody where none is set', () => {
    dev.template.resourceCountIs('AWS::SNS::Subscription', 0);
    mainTemplate('prod').template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: LAUNCH_READY_PROD.alarmEmail,
    });
  });

  it('watches the EMF metrics in the namespace every function writes them to', () => {
    for (const id of ['MetrionErrors', 'UnpricedRequests', 'InterruptedRecords'] as const) {
      expect(dev.alarm(id)).toMatchObject({
        Namespace: 'Metrion-dev',
        MetricName: id,
        Statistic: 'Sum',
      });
      expect(dev.alarm(id)).not.toHaveProperty('Dimensions');
      expect(Object.keys(OPERATIONAL_METRICS)).toContain(id);
    }
    for (const fn of Object.values(dev.resources('AWS::Lambda::Function'))) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> })
        .Variables;
      expect(variables[LAMBDA_ENV.metricsNamespace]).toBe('Metrion-dev');
    }
  });

  it('sets concurrency thresholds from the capacity config', () => {
    const { capacity } = ENVIRONMENTS.dev;
    expect(dev.alarm('ProxyNearConcurrencyCap').Threshold).toBe(
      Math.ceil(capacity.proxyConcurrency * 0.9),
    );
    const unreserved =
      capacity.lambdaConcurrencyQuota -
      capacity.proxyConcurrency -
      capacity.usageAggregatorConcurrency -
      capacity.stripeWebhookConcurrency;
    expect(dev.alarm('UnreservedConcurrencyHigh')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'UnreservedConcurrentExecutions',
      Threshold: Math.ceil(unreserved * 0.8),
    });
  });

  it("alarms at SES's review levels: 5% bounces, 0.1% complaints", () => {
    expect(dev.alarm('SesBounceRate')).toMatchObject({
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.BounceRate',
      Threshold: 0.05,
    });
    expect(dev.alarm('SesComplaintRate')).toMatchObject({
      MetricName: 'Reputation.ComplaintRate',
      Threshold: 0.001,
    });
  });

  it('sums read and write throttles of every table (accounts, usage, response cache, FX rates, prices)', () => {
    const metrics = dev.alarm('DynamoDbThrottles').Metrics as Array<{
      MetricStat?: { Metric: { MetricName: string } };
    }>;
    const names = metrics.flatMap((metric) => metric.MetricStat?.Metric.MetricName ?? []);
    expect(names.sort()).toEqual(
      Array.from(
        { length: Object.keys(dev.resources('AWS::DynamoDB::GlobalTable')).length },
        () => ['ReadThrottleEvents', 'WriteThrottleEvents'],
      )
        .flat()
        .sort(),
    );
  });
});

describe('Email stack', () => {
  const { email } = environmentTemplates('dev');

  it('sends through a configuration set that suppresses bounces and complaints, requires TLS and tracks reputation', () => {
    email.template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      Name: 'metrion-dev',
      ReputationOptions: { ReputationMetricsEnabled: true },
      SendingOptions: { SendingEnabled: true },
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
    });
  });

  it('outputs the three DKIM records to create when the domain is in no configured zone', () => {
    const outputs = email.template.findOutputs('*');
    expect(Object.keys(outputs).filter((key) => key.startsWith('DkimRecord'))).toHaveLength(3);
    email.template.resourceCountIs('AWS::Route53::RecordSet', 0);
  });

  it('creates the DKIM records itself in the hosted zone (prod filled in)', () => {
    const prodEmail = environmentTemplates('prod').email;
    prodEmail.template.resourceCountIs('AWS::Route53::RecordSet', 3);
    prodEmail.template.allResourcesProperties('AWS::Route53::RecordSet', {
      Type: 'CNAME',
      HostedZoneId: LAUNCH_READY_PROD.hostedZone.id,
    });
  });
});

describe('Outputs the deploy steps name', () => {
  it.each([
    'DashboardUrl',
    'UserPoolId',
    'StripeSecretKeyArn',
    'StripeWebhookSecretArn',
    'StripeWebhookUrl',
    'AlarmTopicArn',
    'RepriceFunctionName',
  ])('outputs %s under that fixed key', (key) => {
    expect(Object.keys(dev.template.findOutputs(key))).toEqual([key]);
  });

  it('gives Stripe the webhook URL on the dashboard origin', () => {
    const value = JSON.stringify(dev.template.findOutputs('StripeWebhookUrl'));
    expect(value).toContain('/api/stripe/webhook');
    expect(value).toContain('DomainName');
  });
});
