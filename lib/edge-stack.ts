import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from './config/environment-config.ts';
import { hostedZoneFor } from './constructs/hosted-zone.ts';
import { RateLimitedWebAcl } from './constructs/rate-limited-web-acl.ts';

/** CloudFront takes web ACLs and certificates from this region only. */
export const EDGE_REGION = 'us-east-1';

export interface EdgeStackProps extends StackProps {
  readonly config: EnvironmentConfig;
}

/**
 * `Metrion-<env>-edge` in us-east-1: what CloudFront needs from there. The web ACL in front of
 * the distribution (the dashboard, its API and the proxy share that origin), and, with a
 * `dashboardDomain`, its ACM certificate (DNS-validated: created in `hostedZone` when the domain
 * is in it; otherwise CloudFormation waits until the validation CNAME shown in the stack's
 * events exists). The main stack reads both through CDK's cross-region references.
 */
export class EdgeStack extends Stack {
  public readonly webAcl: wafv2.CfnWebACL;
  public readonly certificate?: acm.ICertificate;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, { ...props, crossRegionReferences: true });
    const { config } = props;
    this.webAcl = new RateLimitedWebAcl(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      envName: config.envName,
      requestsPerIpPer5Minutes: config.capacity.requestsPerIpPer5Minutes,
      logRetention: config.logRetentionDays as RetentionDays,
      retainLogs: config.retainData,
    }).webAcl;

    const domainName = config.dashboardDomain;
    if (domainName !== undefined) {
      const zone = hostedZoneFor(this, config, domainName);
      this.certificate = new acm.Certificate(this, 'DashboardCertificate', {
        domainName,
        validation: acm.CertificateValidation.fromDns(zone),
      });
      new CfnOutput(this, 'DashboardCertificateArn', {
        value: this.certificate.certificateArn,
        description: zone
          ? `Certificate of ${domainName}, validated through the hosted zone`
          : `Certificate of ${domainName}: create the validation CNAME shown in this stack's events`,
      });
    }
  }
}
