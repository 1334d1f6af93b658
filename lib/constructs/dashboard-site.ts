import { existsSync } from 'node:fs';
import {
  CfnOutput,
  DefaultStackSynthesizer,
  Duration,
  RemovalPolicy,
  Stack,
  Token,
} from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct, type IConstruct } from 'constructs';
import { acknowledge } from '../nag.ts';
import { stackOutput } from './stack-output.ts';

export interface DashboardSiteProps {
  /**
   * The REST API behind `/api/*`. CloudFront forwards to its stage, so the dashboard calls the
   * API same-origin (no CORS, no API URL in the build).
   */
  readonly restApi: apigw.RestApiBase;
  /** The stage `/api/*` is forwarded to (its name is the environment name). */
  readonly stageName: string;
  /** The WAF web ACL (CLOUDFRONT scope, from the edge stack) in front of every request. */
  readonly webAclArn: string;
  /**
   * The dashboard's own domain and its us-east-1 certificate. Omitted: the distribution's
   * `*.cloudfront.net` name and certificate.
   */
  readonly customDomain?: {
    readonly domainName: string;
    readonly certificate: acm.ICertificate;
    /** Where to create the A/AAAA alias records; omitted, a CNAME is output to create by hand. */
    readonly hostedZone?: route53.IHostedZone;
  };
  /**
   * The built dashboard (`npm run build:frontend` writes `frontend/dist`). Uploaded when the
   * folder exists and the stack is being bundled (tests skip bundling, and with it the upload).
   * @default - no upload; the bucket stays empty
   */
  readonly assetsPath?: string;
  /**
   * Keep the site bucket when the stack is deleted.
   * @default false
   */
  readonly retainData?: boolean;
  /**
   * Days to keep S3 and CloudFront access logs.
   * @default 90
   */
  readonly accessLogRetentionDays?: number;
  /**
   * CloudFront edge locations to serve from.
   * @default cloudfront.PriceClass.PRICE_CLASS_100
   */
  readonly priceClass?: cloudfront.PriceClass;
}

/**
 * Rewrites `/settings/token` and `/settings/` to the `index.html` Astro wrote for them (S3 REST
 * origins have no index documents below the root). Runs on viewer requests of the site only,
 * never on `/api/*`.
 */
const DIRECTORY_INDEX_FUNCTION = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.endsWith('/')) {
    request.uri = uri + 'index.html';
  } else if (uri.split('/').pop().indexOf('.') === -1) {
    request.uri = uri + '/index.html';
  }
  return request;
}`;

/** Hashed build output (`_astro/*`) never changes under the same name. */
const IMMUTABLE = s3deploy.CacheControl.fromString('public, max-age=31536000, immutable');
/** Pages are revalidated on every visit so a deploy shows at once. */
const REVALIDATE = s3deploy.CacheControl.fromString('public, max-age=0, must-revalidate');

/** Where S3 and CloudFront write the dashboard's access logs; kept with the stack's data. */
function accessLogBucket(scope: Construct, retentionDays: number): s3.Bucket {
  const accessLogs = new s3.Bucket(scope, 'AccessLogs', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    // CloudFront standard logging writes through ACLs granted to its log-delivery account.
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
    lifecycleRules: [{ expiration: Duration.days(retentionDays) }],
    // Access logs are audit records: never deleted with the stack.
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledge(
    accessLogs,
    'AwsSolutions-S1',
    'This is the access-log bucket of the dashboard bucket and distribution; logging it into itself would loop.',
  );
  return accessLogs;
}

/** Headers on every dashboard and API answer: CSP, HSTS, framing, referrer, permissions. */
function securityHeadersPolicy(scope: Construct, region: string) {
  return new cloudfront.ResponseHeadersPolicy(scope, 'SecurityHeaders', {
    comment: 'Metrion dashboard and API security headers',
    securityHeadersBehavior: {
      // Scripts and styles are pinned by the <meta> CSP with hashes that Astro writes into
      // each page; this header adds what a meta tag cannot carry (frame-ancestors) and the
      // Cognito endpoint the sign-in forms call.
      contentSecurityPolicy: {
        contentSecurityPolicy: [
          `connect-src 'self' https://cognito-idp.${region}.amazonaws.com`,
          "img-src 'self' data:",
          "font-src 'self'",
          "object-src 'none'",
          "base-uri 'self'",
          "form-action 'self'",
          "frame-ancestors 'none'",
        ].join('; '),
        override: true,
      },
      strictTransportSecurity: {
        accessControlMaxAge: Duration.days(730),
        includeSubdomains: true,
        override: true,
      },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
      referrerPolicy: {
        referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
        override: true,
      },
    },
    customHeadersBehavior: {
      customHeaders: [
        {
          header: 'Permissions-Policy',
          value: 'camera=(), microphone=(), geolocation=(), payment=()',
          override: true,
        },
      ],
    },
  });
}

/** `/api/*`: uncached to the REST API's stage, every viewer header but Host. */
function apiBehavior(
  scope: Construct,
  props: DashboardSiteProps,
  securityHeaders: cloudfront.IResponseHeadersPolicy,
): cloudfront.BehaviorOptions {
  const stack = Stack.of(scope);
  return {
    // The API's host and stage by name (not `restApi.url`, which references the stage and
    // through it every method and function: functions read this distribution's URL).
    origin: new origins.HttpOrigin(
      `${props.restApi.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}`,
      {
        originPath: `/${props.stageName}`,
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
        // Streams may pause between events while the model thinks; the proxy enforces
        // its own 30 s header timeout.
        readTimeout: Duration.seconds(60),
      },
    ),
    // SDKs do not follow a redirect on POST: plain HTTP is refused instead.
    viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
    allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
    cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
    // Host must stay the API Gateway host; everything else (Authorization, x-api-key,
    // x-metrion-*, anthropic-version, query strings) goes through.
    originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    responseHeadersPolicy: securityHeaders,
    compress: false,
  };
}

/**
 * The dashboard: the Astro build in a private S3 bucket, served by CloudFront through Origin
 * Access Control, with `/api/*` forwarded uncached to the regional REST API (all viewer headers
 * except Host, so `Authorization`, `x-api-key` and the Metrion headers reach the API).
 *
 * The distribution defines no custom error pages on purpose: they apply to every behaviour and
 * would replace the API's JSON and provider-shaped errors with HTML.
 */
export class DashboardSite extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly distribution: cloudfront.Distribution;
  /**
   * `https://<dashboardDomain>` or `https://<id>.cloudfront.net`: the dashboard and, under
   * `/api`, the API and the proxy. Functions get it as `DASHBOARD_URL`; it names only the
   * distribution, never the stage, so those functions can sit behind the API without a cycle.
   */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: DashboardSiteProps) {
    super(scope, id);
    const region = Stack.of(this).region;

    const accessLogs = accessLogBucket(this, props.accessLogRetentionDays ?? 90);

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 's3/',
      versioned: false,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    const securityHeaders = securityHeadersPolicy(this, region);

    const directoryIndex = new cloudfront.Function(this, 'DirectoryIndex', {
      code: cloudfront.FunctionCode.fromInline(DIRECTORY_INDEX_FUNCTION),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'Maps /path and /path/ to /path/index.html',
    });

    const domain = props.customDomain;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Metrion dashboard (S3) and API (/api/*)',
      domainNames: domain && [domain.domainName],
      certificate: domain?.certificate,
      minimumProtocolVersion: domain && cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      webAclId: props.webAclArn,
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: props.priceClass ?? cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: accessLogs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: securityHeaders,
        compress: true,
        functionAssociations: [
          { function: directoryIndex, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
        ],
      },
      additionalBehaviors: {
        '/api/*': apiBehavior(this, props, securityHeaders),
      },
    });
    this.url = `https://${domain?.domainName ?? this.distribution.distributionDomainName}`;
    stackOutput(
      this,
      'DashboardUrl',
      this.url,
      'Dashboard and /api base URL (the smoke test --url)',
    );
    if (domain !== undefined) this.pointDomain(domain.domainName, domain.hostedZone);
    this.acknowledgeDistribution(domain !== undefined);

    if (props.assetsPath && existsSync(props.assetsPath) && Stack.of(this).bundlingRequired) {
      this.deploy(props.assetsPath, props.retainData ?? false);
    }
  }

  private deploy(assetsPath: string, retainData: boolean): void {
    const source = s3deploy.Source.asset(assetsPath);
    // Hashed assets first and never pruned: pages cached in open tabs keep finding theirs.
    const assets = new s3deploy.BucketDeployment(this, 'DeployAssets', {
      sources: [source],
      destinationBucket: this.bucket,
      exclude: ['*'],
      include: ['_astro/*'],
      prune: false,
      cacheControl: [IMMUTABLE],
      retainOnDelete: retainData,
      memoryLimit: 512,
    });
    // Excluded paths are left alone by the pruning sync, so `_astro/*` survives this one.
    const pages = new s3deploy.BucketDeployment(this, 'DeployPages', {
      sources: [source],
      destinationBucket: this.bucket,
      exclude: ['_astro/*'],
      prune: true,
      cacheControl: [REVALIDATE],
      retainOnDelete: retainData,
      memoryLimit: 512,
      distribution: this.distribution,
      distributionPaths: ['/*'],
    });
    pages.node.addDependency(assets);
    this.acknowledgeDeploymentHandler();
  }

  /** Alias records in the zone, or the CNAME to create by hand as an output. */
  private pointDomain(domainName: string, zone: route53.IHostedZone | undefined): void {
    if (zone === undefined) {
      new CfnOutput(this, 'DomainCname', {
        value: `${domainName} CNAME ${this.distribution.distributionDomainName}`,
        description: `Point ${domainName} at the distribution: create this record in your DNS`,
      });
      return;
    }
    const target = route53.RecordTarget.fromAlias(
      new route53Targets.CloudFrontTarget(this.distribution),
    );
    new route53.ARecord(this, 'AliasA', { zone, recordName: domainName, target });
    new route53.AaaaRecord(this, 'AliasAaaa', { zone, recordName: domainName, target });
  }

  private acknowledgeDistribution(customDomain: boolean): void {
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR1',
      'Customers call the proxy and open the dashboard from any country; there is no market restriction to enforce.',
    );
    if (!customDomain) {
      acknowledge(
        this.distribution,
        'AwsSolutions-CFR4',
        'Without dashboardDomain the distribution serves *.cloudfront.net with CloudFront’s default certificate, whose minimum TLS version cannot be raised; configuring a domain brings an ACM certificate and TLSv1.2_2021.',
      );
    }
  }

  /**
   * BucketDeployment's handler is a stack-level singleton, outside this construct's subtree.
   * cdk-nag reports IAM4/IAM5 per policy and per wildcard, so each finding is named.
   */
  private acknowledgeDeploymentHandler(): void {
    const stack = Stack.of(this);
    const siteBucketId = stack.resolve((this.bucket.node.defaultChild as s3.CfnBucket).logicalId);
    const assetBucket = `cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-${stack.account}-${stack.region}`;
    // `aws` with @aws-cdk/core:enablePartitionLiterals (cdk.json) and a known region; cdk-nag
    // renders the pseudo parameter as <AWS::Partition> otherwise.
    const partition = Token.isUnresolved(stack.partition) ? '<AWS::Partition>' : stack.partition;
    const wildcards = [
      'Action::s3:GetObject*',
      'Action::s3:GetBucket*',
      'Action::s3:List*',
      'Action::s3:DeleteObject*',
      'Action::s3:Abort*',
      `Resource::arn:${partition}:s3:::${assetBucket}/*`,
      `Resource::<${siteBucketId}.Arn>/*`,
      // cloudfront:CreateInvalidation/GetInvalidation support no resource-level permissions.
      'Resource::*',
    ];
    const handlers = stack.node.children.filter((child: IConstruct) =>
      child.node.id.startsWith('Custom::CDKBucketDeployment'),
    );
    for (const handler of handlers) {
      acknowledge(
        handler,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'CDK BucketDeployment handler: the managed basic execution role only lets it write its own CloudWatch logs.',
      );
      for (const finding of wildcards) {
        acknowledge(
          handler,
          `AwsSolutions-IAM5[${finding}]`,
          'CDK BucketDeployment handler: syncing a folder needs object wildcards on the CDK asset bucket and the site bucket (nothing else), and CloudFront invalidations have no resource-level permissions.',
        );
      }
      acknowledge(
        handler,
        'AwsSolutions-L1',
        'CDK BucketDeployment handler: its runtime is pinned by aws-cdk-lib and it runs only during deployments.',
      );
    }
  }
}
