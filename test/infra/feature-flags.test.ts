import { FeatureFlags } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { afterAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../../lib/config/environments.ts';
import { buildStacks, CDK_JSON_CONTEXT, removeOutdirs } from './synth.ts';
import { testEnvironment } from './template.ts';

afterAll(removeOutdirs);

const { stack, main: template } = buildStacks(testEnvironment('dev'));

describe('cdk.json feature flags', () => {
  // `cdk init` writes this set for the installed aws-cdk-lib. An upgrade that recommends a new
  // flag fails here: read its entry in aws-cdk-lib/cx-api/FEATURE_FLAGS.md, diff the synthesized
  // template, then add it.
  it("sets exactly aws-cdk-lib's currently recommended flags", () => {
    expect(CDK_JSON_CONTEXT).toEqual(cxapi.CURRENTLY_RECOMMENDED_FLAGS);
  });

  it('reach the stacks the tests build', () => {
    const flags = FeatureFlags.of(stack);
    expect(flags.isEnabled(cxapi.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY)).toBe(true);
    expect(flags.isEnabled(cxapi.IAM_MINIMIZE_POLICIES)).toBe(true);
  });
});

describe('the dashboard access-log bucket under the recommended flags', () => {
  const buckets = template.findResources('AWS::S3::Bucket');
  const logBucketId = Object.keys(buckets).find((id) => id.startsWith('DashboardAccessLogs'));
  const siteBucketId = Object.keys(buckets).find((id) => id.startsWith('DashboardBucket'));

  it('grants no LogDeliveryWrite ACL', () => {
    expect(logBucketId).toBeDefined();
    expect(buckets[logBucketId ?? '']?.Properties).not.toHaveProperty('AccessControl');
  });

  // S3 server access logging is allowed by a bucket policy instead: only the S3 logging service,
  // only under s3/, and only for the site bucket of this account.
  it('lets S3 server access logging write only the site bucket’s logs', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logBucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 's3:PutObject',
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logBucketId, 'Arn'] }, '/s3/*']] },
            Condition: {
              ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [siteBucketId, 'Arn'] } },
              StringEquals: { 'aws:SourceAccount': ENVIRONMENTS.dev.account },
            },
          },
        ]),
      },
    });
  });
});
