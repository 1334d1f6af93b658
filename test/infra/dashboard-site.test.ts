import fs from 'node:fs';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { afterAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../../lib/config/environments.ts';
import { DashboardSite } from '../../lib/constructs/dashboard-site.ts';
import { addNagChecks } from '../../lib/nag.ts';
import { CDK_JSON_CONTEXT, removeOutdirs, tempOutdir } from './synth.ts';
import {
  environmentTemplates,
  LAUNCH_READY_PROD,
  mainTemplate,
  testEnvironment,
} from './template.ts';

afterAll(removeOutdirs);

// AWS managed policy ids (fixed by CloudFront).
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

const { template } = mainTemplate('dev');

interface Origin {
  Id: string;
  DomainName: unknown;
  OriginPath?: string;
  OriginAccessControlId?: unknown;
  S3OriginConfig?: { OriginAccessIdentity: string };
  CustomOriginConfig?: { OriginProtocolPolicy: string };
}
interface Behavior {
  PathPattern?: string;
  TargetOriginId: string;
  CachePolicyId: string;
  OriginRequestPolicyId?: string;
  AllowedMethods: string[];
  ViewerProtocolPolicy: string;
  ResponseHeadersPolicyId?: unknown;
  FunctionAssociations?: unknown[];
}
interface DistributionConfig {
  Origins: Origin[];
  DefaultCacheBehavior: Behavior;
  CacheBehaviors: Behavior[];
  DefaultRootObject: string;
  CustomErrorResponses?: unknown[];
  Logging?: unknown;
}

function distributionConfig(from: Template): DistributionConfig {
  const distributions = Object.values(from.findResources('AWS::CloudFront::Distribution'));
  expect(distributions).toHaveLength(1);
  return (distributions[0] as { Properties: { DistributionConfig: DistributionConfig } }).Properties
    .DistributionConfig;
}

function siteBucketId(from: Template): string {
  // The site bucket is the one without ACL-based log delivery.
  const ids = Object.keys(
    from.findResources('AWS::S3::Bucket', {
      Properties: { OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } },
    }),
  );
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

describe('DashboardSite', () => {
  const config = distributionConfig(template);
  const s3Origin = config.Origins.find((origin) => origin.S3OriginConfig);
  const apiOrigin = config.Origins.find((origin) => origin.CustomOriginConfig);

  it('serves the site from S3 through Origin Access Control, not an OAI or a website endpoint', () => {
    expect(s3Origin?.OriginAccessControlId).toEqual({
      'Fn::GetAtt': [expect.any(String), 'Id'],
    });
    expect(s3Origin?.S3OriginConfig?.OriginAccessIdentity).toBe('');
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: {
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      },
    });
    template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.DefaultCacheBehavior.TargetOriginId).toBe(s3Origin?.Id);
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(config.DefaultCacheBehavior.FunctionAssociations).toHaveLength(1);
  });

  it('forwards /api/* uncached to the regional REST API stage with every viewer header but Host', () => {
    const api = config.CacheBehaviors.find((behavior) => behavior.PathPattern === '/api/*');
    expect(api).toBeDefined();
    expect(api?.TargetOriginId).toBe(apiOrigin?.Id);
    expect(api?.CachePolicyId).toBe(CACHING_DISABLED);
    expect(api?.OriginRequestPolicyId).toBe(ALL_VIEWER_EXCEPT_HOST_HEADER);
    expect(api?.AllowedMethods).toEqual(expect.arrayContaining(['POST', 'PUT', 'PATCH', 'DELETE']));
    expect(api?.ViewerProtocolPolicy).toBe('https-only');
    // The directory-index rewrite must never touch API paths.
    expect(api?.FunctionAssociations).toBeUndefined();
    expect(apiOrigin?.CustomOriginConfig?.OriginProtocolPolicy).toBe('https-only');
    // The API's host and stage by name: no reference to the stage (functions read this
    // distribution's URL, and the stage depends on every function through its methods).
    expect(apiOrigin?.OriginPath).toBe('/dev');
    const restApiId = Object.keys(template.findResources('AWS::ApiGateway::RestApi'))[0];
    expect(apiOrigin?.DomainName).toEqual({
      'Fn::Join': [
        '',
        [{ Ref: restApiId }, '.execute-api.eu-central-1.', { Ref: 'AWS::URLSuffix' }],
      ],
    });
  });

  it('is protected by the edge web ACL (CLOUDFRONT scope, us-east-1): IP reputation and a per-IP rate, nothing that reads bodies', () => {
    const { edge } = environmentTemplates('dev');
    const [acl, ...others] = Object.values(edge.resources('AWS::WAFv2::WebACL'));
    expect(others).toEqual([]);
    expect(acl?.Properties).toMatchObject({ Scope: 'CLOUDFRONT', DefaultAction: { Allow: {} } });
    const rules = acl?.Properties.Rules as Array<{ Name: string; Statement: object }>;
    expect(rules.map((rule) => rule.Name)).toEqual(['AwsIpReputationList', 'PerIpRateLimit']);
    expect(rules[0]?.Statement).toEqual({
      ManagedRuleGroupStatement: {
        VendorName: 'AWS',
        Name: 'AWSManagedRulesAmazonIpReputationList',
      },
    });
    expect(rules[1]?.Statement).toEqual({
      RateBasedStatement: {
        Limit: ENVIRONMENTS.dev.capacity.requestsPerIpPer5Minutes,
        EvaluationWindowSec: 300,
        AggregateKeyType: 'IP',
      },
    });
    expect(JSON.stringify(config)).toContain('Fn::GetStackOutput');
    expect((config as unknown as { WebACLId: unknown }).WebACLId).toMatchObject({
      'Fn::GetStackOutput': { StackName: 'Metrion-dev-edge', Region: 'us-east-1' },
    });
  });

  it('logs only blocked requests, with credential headers redacted', () => {
    const { edge } = environmentTemplates('dev');
    edge.template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      RedactedFields: [
        { SingleHeader: { Name: 'authorization' } },
        { SingleHeader: { Name: 'x-api-key' } },
        { SingleHeader: { Name: 'x-metrion-token' } },
      ],
      LoggingFilter: {
        DefaultBehavior: 'DROP',
        Filters: [
          Match.objectLike({
            Behavior: 'KEEP',
            Conditions: [{ ActionCondition: { Action: 'BLOCK' } }],
          }),
        ],
      },
    });
    edge.template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: 'aws-waf-logs-metrion-dev-cloudfront',
    });
  });

  it('without dashboardDomain serves *.cloudfront.net, which becomes the dashboard URL', () => {
    expect(config).not.toHaveProperty('Aliases');
    expect(config).not.toHaveProperty('ViewerCertificate.AcmCertificateArn');
    const distributionId = Object.keys(template.findResources('AWS::CloudFront::Distribution'))[0];
    expect(template.findOutputs('DashboardUrl')).toEqual({
      DashboardUrl: expect.objectContaining({
        Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]] },
      }),
    });
  });

  it('lets API errors through: no custom error pages on the distribution', () => {
    expect(config.CustomErrorResponses ?? []).toEqual([]);
  });

  it('keeps the site bucket private, encrypted and TLS-only, readable only by this distribution', () => {
    const bucketId = siteBucketId(template);
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
      LoggingConfiguration: { DestinationBucketName: Match.anyValue() },
      WebsiteConfiguration: Match.absent(),
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });

    const policies = Object.values(
      template.findResources('AWS::S3::BucketPolicy', {
        Properties: { Bucket: { Ref: bucketId } },
      }),
    ) as Array<{ Properties: { PolicyDocument: { Statement: Array<Record<string, unknown>> } } }>;
    expect(policies).toHaveLength(1);
    const statements = policies[0]?.Properties.PolicyDocument.Statement ?? [];
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    const allows = statements.filter((statement) => statement.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
      Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
    });
  });

  it('sends security headers, with a CSP that forbids framing and allows only Cognito besides itself', () => {
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: {
          ContentSecurityPolicy: {
            ContentSecurityPolicy: Match.stringLikeRegexp(
              "connect-src 'self' https://cognito-idp\\.eu-central-1\\.amazonaws\\.com;.*frame-ancestors 'none'",
            ),
            Override: true,
          },
          StrictTransportSecurity: Match.objectLike({ IncludeSubdomains: true, Override: true }),
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
        },
      },
    });
    expect(config.DefaultCacheBehavior.ResponseHeadersPolicyId).toBeDefined();
  });

  it('logs viewer requests to the access-log bucket', () => {
    expect(config.Logging).toMatchObject({ Prefix: 'cloudfront/' });
  });

  it('uploads nothing when bundling is skipped', () => {
    template.resourceCountIs('Custom::CDKBucketDeployment', 0);
  });
});

describe('DashboardSite with a custom domain (prod as an operator fills it in)', () => {
  const prod = environmentTemplates('prod');
  const prodConfig = distributionConfig(prod.main.template);
  const distributionId = prod.main.onlyLogicalId('AWS::CloudFront::Distribution');

  it('serves the domain with the us-east-1 certificate and TLS 1.2 at least', () => {
    expect(prodConfig).toMatchObject({
      Aliases: [LAUNCH_READY_PROD.dashboardDomain],
      ViewerCertificate: {
        AcmCertificateArn: {
          'Fn::GetStackOutput': expect.objectContaining({
            StackName: 'Metrion-prod-edge',
            Region: 'us-east-1',
          }),
        },
        MinimumProtocolVersion: 'TLSv1.2_2021',
        SslSupportMethod: 'sni-only',
      },
    });
    prod.edge.template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: LAUNCH_READY_PROD.dashboardDomain,
      ValidationMethod: 'DNS',
      DomainValidationOptions: [
        {
          DomainName: LAUNCH_READY_PROD.dashboardDomain,
          HostedZoneId: LAUNCH_READY_PROD.hostedZone.id,
        },
      ],
    });
  });

  it('points the domain at the distribution in the hosted zone (A and AAAA aliases)', () => {
    for (const type of ['A', 'AAAA']) {
      prod.main.template.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: `${LAUNCH_READY_PROD.dashboardDomain}.`,
        Type: type,
        HostedZoneId: LAUNCH_READY_PROD.hostedZone.id,
        AliasTarget: Match.objectLike({
          DNSName: { 'Fn::GetAtt': [distributionId, 'DomainName'] },
        }),
      });
    }
  });

  it('makes https://<domain> the dashboard URL functions use for links and Stripe returns', () => {
    const webhook = prod.main.functionId('Metrion Stripe webhook');
    expect(prod.main.environmentOf(webhook).DASHBOARD_URL).toBe(
      `https://${LAUNCH_READY_PROD.dashboardDomain}`,
    );
  });

  it('outputs the CNAME to create when the domain is outside any configured zone', () => {
    const { hostedZone: _zone, ...withoutZone } = testEnvironment('prod');
    const { main, edge } = environmentTemplates(withoutZone);
    main.template.resourceCountIs('AWS::Route53::RecordSet', 0);
    const outputs = Object.values(main.template.findOutputs('*')) as Array<{ Value: unknown }>;
    expect(JSON.stringify(outputs)).toContain(`${LAUNCH_READY_PROD.dashboardDomain} CNAME `);
    edge.template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainValidationOptions: Match.absent(),
      ValidationMethod: 'DNS',
    });
  });
});

describe('DashboardSite with a build to upload', () => {
  function synthWithAssets() {
    const assets = tempOutdir('dashboard-dist');
    fs.mkdirSync(path.join(assets, '_astro'));
    fs.writeFileSync(path.join(assets, 'index.html'), '<!doctype html><title>Metrion</title>');
    fs.writeFileSync(path.join(assets, '_astro', 'app.abc123.js'), 'export {};');

    const outdir = tempOutdir('dashboard-nag');
    const app = new App({ outdir, context: CDK_JSON_CONTEXT });
    addNagChecks(app);
    const stack = new Stack(app, 'Site', {
      env: { account: '111111111111', region: 'eu-central-1' },
    });
    const restApi = new apigw.RestApi(stack, 'Api', { deploy: true });
    restApi.root.addMethod('GET', new apigw.MockIntegration());
    new DashboardSite(stack, 'Dashboard', {
      restApi,
      stageName: 'prod',
      webAclArn: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/test/0000',
      assetsPath: assets,
    });
    try {
      app.synth();
    } catch {
      // Unacknowledged findings (the bare test API has some) throw; the report lists them.
    }
    const report = JSON.parse(
      fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'),
    ) as {
      pluginReports: Array<{
        violations: Array<{
          ruleName: string;
          violatingConstructs: Array<{ constructPath: string }>;
        }>;
      }>;
    };
    const dashboardViolations = report.pluginReports
      .flatMap((plugin) => plugin.violations)
      .flatMap((violation) =>
        violation.violatingConstructs
          .filter(({ constructPath }) => !constructPath.startsWith('Site/Api'))
          .map(({ constructPath }) => `${violation.ruleName} ${constructPath}`),
      );
    const synthesized = JSON.parse(
      fs.readFileSync(path.join(outdir, `${stack.artifactId}.template.json`), 'utf8'),
    ) as Record<string, unknown>;
    return { template: Template.fromJSON(synthesized), dashboardViolations };
  }

  const { template: withAssets, dashboardViolations } = synthWithAssets();

  it('uploads hashed assets (immutable, never pruned) before pages (revalidated, invalidated)', () => {
    withAssets.resourceCountIs('Custom::CDKBucketDeployment', 2);
    withAssets.hasResourceProperties('Custom::CDKBucketDeployment', {
      Include: ['_astro/*'],
      Exclude: ['*'],
      Prune: false,
      SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
    });
    withAssets.hasResourceProperties('Custom::CDKBucketDeployment', {
      Exclude: ['_astro/*'],
      Prune: true,
      SystemMetadata: { 'cache-control': 'public, max-age=0, must-revalidate' },
      DistributionPaths: ['/*'],
    });
  });

  it('leaves no unacknowledged cdk-nag finding in the site, its buckets or the upload handler', () => {
    expect(dashboardViolations).toEqual([]);
  });
});
