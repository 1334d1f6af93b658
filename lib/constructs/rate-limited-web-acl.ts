import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface RateLimitedWebAclProps {
  /** `CLOUDFRONT` (must live in us-east-1) or `REGIONAL` (Cognito, API Gateway, ALB). */
  readonly scope: 'CLOUDFRONT' | 'REGIONAL';
  /** Environment name: the ACL is `metrion-<envName>-<scope>`. */
  readonly envName: string;
  /** Requests one client IP may make in 5 minutes before it is blocked. */
  readonly requestsPerIpPer5Minutes: number;
  /** Retention of the log group that records blocked requests. */
  readonly logRetention: logs.RetentionDays;
  /** @default false */
  readonly retainLogs?: boolean;
}

/**
 * Headers that carry credentials (a Metrion Key, a provider key, a Cognito token): WAF logs
 * whole requests' headers, so these are redacted before anything is written.
 */
export const REDACTED_HEADERS = ['authorization', 'x-api-key', 'x-metrion-token'] as const;

/**
 * A WAF web ACL with two rules and nothing that reads bodies (prompts and code are not SQL, and
 * body rules would block them): AWS's IP reputation list, then a per-IP rate rule. Everything
 * else is allowed. Blocked requests, and only those, are logged, with credential headers
 * redacted, to `aws-waf-logs-metrion-<envName>-<scope>`.
 */
export class RateLimitedWebAcl extends Construct {
  public readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: RateLimitedWebAclProps) {
    super(scope, id);
    const name = `metrion-${props.envName}-${props.scope.toLowerCase()}`;
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name,
      description: `Metrion ${props.envName}: IP reputation and a per-IP rate limit`,
      scope: props.scope,
      defaultAction: { allow: {} },
      visibilityConfig: visibility(name),
      rules: [
        {
          name: 'AwsIpReputationList',
          priority: 0,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name: 'AWSManagedRulesAmazonIpReputationList',
            },
          },
          visibilityConfig: visibility(`${name}-ip-reputation`),
        },
        {
          name: 'PerIpRateLimit',
          priority: 1,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: props.requestsPerIpPer5Minutes,
              evaluationWindowSec: 300,
              aggregateKeyType: 'IP',
            },
          },
          visibilityConfig: visibility(`${name}-per-ip-rate`),
        },
      ],
    });

    const logGroup = new logs.LogGroup(this, 'BlockedRequests', {
      // WAF delivers only to log groups named aws-waf-logs-*.
      logGroupName: `aws-waf-logs-${name}`,
      retention: props.logRetention,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: logGroup.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      redactedFields: REDACTED_HEADERS.map((header) => ({ singleHeader: { Name: header } })),
      loggingFilter: {
        DefaultBehavior: 'DROP',
        Filters: [
          {
            Behavior: 'KEEP',
            Requirement: 'MEETS_ANY',
            Conditions: [{ ActionCondition: { Action: 'BLOCK' } }],
          },
        ],
      },
    });
    // The destination is named, not referenced: the log group must exist first.
    logging.node.addDependency(logGroup);
  }
}
