import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ApiRoute } from '#contracts/api-routes.ts';
import { type GatewayResponse, ROUTE_NOT_FOUND_RESPONSE } from '#contracts/gateway-responses.ts';
import { PROXY_PATH_PREFIX, PROXY_ROUTES } from '#core/providers/routes.ts';
import { acknowledge } from '../nag.ts';

export interface ApiProps {
  /** Environment name: API name `metrion-<envName>` and stage name. */
  readonly envName: string;
  /** The streaming proxy Lambda behind every `/api/proxy` route. */
  readonly proxyFunction: lambda.IFunction;
  /** Retention of the access log group. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Keep the access log group when the stack is deleted.
   * @default false
   */
  readonly retainLogs?: boolean;
  /**
   * Steady requests per second each proxy route admits (burst: twice that). A coarse outer
   * guard only: per-key and per-plan limits are enforced in the proxy with conditional counters.
   */
  readonly proxyRequestsPerSecond: number;
}

/**
 * Every other method (dashboard API, export, Stripe webhook, wrong methods and unknown proxy
 * paths): API Gateway keeps one bucket per method, so the proxy's routes never drain these.
 */
export const DEFAULT_METHOD_THROTTLE = { rateLimit: 50, burstLimit: 100 } as const;

/** Settings every method keeps when a method gets its own throttle (they are not inherited). */
const METHOD_LOGGING = {
  loggingLevel: apigw.MethodLoggingLevel.ERROR,
  // Never log request or response bodies: they hold prompts, completions and keys.
  dataTraceEnabled: false,
  metricsEnabled: true,
} as const;

/** The proxy routes' own throttle: `<path>/<method>` of each route in `PROXY_ROUTES`. */
function proxyMethodOptions(requestsPerSecond: number) {
  const options: Record<string, apigw.MethodDeploymentOptions> = {};
  for (const route of PROXY_ROUTES) {
    options[`${route.path}/${route.method}`] = {
      ...METHOD_LOGGING,
      throttlingRateLimit: requestsPerSecond,
      throttlingBurstLimit: 2 * requestsPerSecond,
    };
  }
  return options;
}

/** Gateway response header values are mapping expressions: literals go in single quotes. */
function gatewayHeaderValues(headers: GatewayResponse['headers']): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers)
      .filter(([name]) => name !== 'content-type')
      .map(([name, value]) => [name, `'${value}'`]),
  );
}

const THROTTLED_BODY = JSON.stringify({
  type: 'error',
  error: {
    type: 'rate_limit_error',
    code: 'rate_limit_exceeded',
    message: 'Metrion is receiving too many requests right now. Retry after a short wait.',
  },
});

/**
 * The REST API (regional endpoint: the edge-optimised idle timeout can cut long streams).
 *
 * Proxy routes come from `PROXY_ROUTES`: each path gets its method (`POST`, `GET`) plus `ANY` (CORS preflight and
 * wrong methods reach the proxy, which answers in the provider's envelope), and
 * `/api/proxy/{proxy+}` catches every other path under the prefix. All use one Lambda
 * integration with response streaming. Later constructs add `/api/...` routes to `restApi`.
 */
export class Api extends Construct {
  public readonly restApi: apigw.RestApi;
  /** Resource for `/api/proxy`; everything below it is the unauthenticated-by-gateway proxy. */
  public readonly proxyResource: apigw.IResource;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const logRemovalPolicy = props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: logRemovalPolicy,
    });

    this.restApi = new apigw.RestApi(this, 'RestApi', {
      restApiName: `metrion-${props.envName}`,
      description: `Metrion ${props.envName}: LLM proxy and dashboard API`,
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      // Execution logs (APIG6) need the account-level API Gateway CloudWatch role.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: logRemovalPolicy,
      deployOptions: {
        stageName: props.envName,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        // Standard fields carry no headers, so no credential reaches the access log.
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
        ...METHOD_LOGGING,
        tracingEnabled: true,
        throttlingRateLimit: DEFAULT_METHOD_THROTTLE.rateLimit,
        throttlingBurstLimit: DEFAULT_METHOD_THROTTLE.burstLimit,
        methodOptions: proxyMethodOptions(props.proxyRequestsPerSecond),
      },
    });
    this.acknowledgeCloudWatchRole();
    // API Gateway creates the execution log group on first use with no expiry; owning it here
    // applies the configured retention.
    new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.restApi.restApiId}/${props.envName}`,
      retention: props.logRetention,
      removalPolicy: logRemovalPolicy,
    });

    this.restApi.addGatewayResponse('RouteNotFound', {
      // Without authorizers this type means "no resource/method matched".
      type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN,
      statusCode: String(ROUTE_NOT_FOUND_RESPONSE.statusCode),
      responseHeaders: gatewayHeaderValues(ROUTE_NOT_FOUND_RESPONSE.headers),
      templates: { 'application/json': ROUTE_NOT_FOUND_RESPONSE.body },
    });
    this.restApi.addGatewayResponse('Throttled', {
      type: apigw.ResponseType.THROTTLED,
      statusCode: '429',
      responseHeaders: { 'Retry-After': "'1'" },
      templates: { 'application/json': THROTTLED_BODY },
    });

    const streamToProxy = new apigw.LambdaIntegration(props.proxyFunction, {
      proxy: true,
      responseTransferMode: apigw.ResponseTransferMode.STREAM,
      timeout: Duration.minutes(15),
      // One API-wide invoke permission instead of two per method: the Lambda resource policy
      // has a 20 KB limit and the proxy alone has 21 methods.
      scopePermissionToMethod: false,
    });
    this.proxyResource = this.restApi.root.resourceForPath(PROXY_PATH_PREFIX);
    for (const route of PROXY_ROUTES) this.addRouteAndAny(route, streamToProxy);
    this.proxyResource.addResource('{proxy+}').addMethod('ANY', streamToProxy, NO_GATEWAY_AUTH);
    acknowledgeOwnAuthentication(
      this.proxyResource,
      'The proxy authenticates every request itself with the Metrion Key (HMAC digest lookup, strongly consistent) and answers in the provider error envelope; SDK clients cannot send Cognito tokens or API Gateway keys.',
    );
    acknowledge(
      this.restApi,
      'AwsSolutions-APIG2',
      'Proxy routes pass provider request bodies through unchanged and the proxy validates them to return provider-shaped 400s; dashboard JSON routes are validated in the dashboard API function with the same zod schemas the frontend uses, answering {error:{code,message}}. A gateway validator would answer in its own envelope.',
    );
    acknowledge(
      this.restApi.deploymentStage,
      'AwsSolutions-APIG3',
      'Callers reach the API through CloudFront, whose web ACL (edge stack: IP reputation, per-IP rate) sees their real addresses; a web ACL here would see only CloudFront edge addresses. Direct calls to the execute-api host still meet Metrion Key authentication, per-key rate limits, plan quotas and per-method throttles.',
    );
  }

  /**
   * Routes every dashboard API route (`API_ROUTES`) to `fn` through a buffered Lambda proxy
   * integration, plus `ANY` on the same resources so that a wrong method reaches the function
   * and gets its JSON 405. No gateway authorizer: the function verifies the Cognito ID token
   * itself, identically in AWS and locally, and answers 401 in the dashboard's envelope.
   */
  public addDashboardRoutes(
    fn: lambda.IFunction,
    routes: Readonly<Record<string, ApiRoute>>,
  ): void {
    const integration = new apigw.LambdaIntegration(fn, {
      proxy: true,
      // One API-wide invoke permission, as for the proxy (resource policy size limit).
      scopePermissionToMethod: false,
    });
    const resources = new Map<string, apigw.Resource>();
    for (const route of Object.values(routes)) {
      const resource = this.restApi.root.resourceForPath(route.path);
      resource.addMethod(route.method, integration, NO_GATEWAY_AUTH);
      resources.set(route.path, resource);
    }
    const reason =
      'Dashboard routes verify the Cognito ID token inside the dashboard API function (JWKS signature, issuer, audience, expiry, token_use) so AWS and local mode share one tested code path and errors keep the {error:{code,message}} envelope; /api/config is public by design (it tells the browser how to sign in).';
    for (const resource of resources.values()) {
      resource.addMethod('ANY', integration, NO_GATEWAY_AUTH);
      acknowledgeOwnAuthentication(resource, reason);
    }
  }

  /**
   * Routes one dashboard route to a streaming function (`ResponseTransferMode.STREAM`, 15 min),
   * e.g. the Logs CSV export, plus `ANY` for its JSON 405. The function verifies the Cognito ID
   * token itself, as the dashboard API function does. A literal path next to a `{param}` sibling
   * (`/api/logs/export.csv` beside `/api/logs/{requestId}`) wins in API Gateway.
   */
  public addStreamingDashboardRoute(
    fn: lambda.IFunction,
    route: { readonly method: string; readonly path: string },
  ): void {
    const integration = new apigw.LambdaIntegration(fn, {
      proxy: true,
      responseTransferMode: apigw.ResponseTransferMode.STREAM,
      timeout: Duration.minutes(15),
      scopePermissionToMethod: false,
    });
    acknowledgeOwnAuthentication(
      this.addRouteAndAny(route, integration),
      'The streaming dashboard route verifies the Cognito ID token inside its function (JWKS signature, issuer, audience, expiry, token_use), like the dashboard API function, so errors keep the {error:{code,message}} envelope.',
    );
  }

  /**
   * Routes Stripe's webhook to `fn` through a buffered Lambda proxy integration (`POST`, plus
   * `ANY` for the function's JSON 405). No sign-in: Stripe authenticates each delivery by
   * signing the raw body, and the function checks that signature before reading anything.
   */
  public addWebhookRoute(
    fn: lambda.IFunction,
    route: { readonly method: string; readonly path: string },
  ): void {
    const integration = new apigw.LambdaIntegration(fn, {
      proxy: true,
      scopePermissionToMethod: false,
    });
    acknowledgeOwnAuthentication(
      this.addRouteAndAny(route, integration),
      'Stripe signs the webhook body (HMAC-SHA256 with the endpoint secret, timestamped against replay) and cannot send Cognito tokens; the function verifies the Stripe-Signature header before reading or changing anything and answers 400 otherwise.',
    );
  }

  /**
   * `route.method` on the route's resource, plus `ANY` so that a wrong method reaches the
   * function and gets its own 405; no gateway authorizer (the function authenticates).
   */
  private addRouteAndAny(
    route: { readonly method: string; readonly path: string },
    integration: apigw.Integration,
  ): apigw.Resource {
    const resource = this.restApi.root.resourceForPath(route.path);
    resource.addMethod(route.method, integration, NO_GATEWAY_AUTH);
    resource.addMethod('ANY', integration, NO_GATEWAY_AUTH);
    return resource;
  }

  private acknowledgeCloudWatchRole(): void {
    acknowledge(
      this.restApi.node.findChild('CloudWatchRole'),
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'The account-level role API Gateway assumes to write execution logs; the AWS managed policy is the documented, service-maintained permission set for it.',
    );
  }
}

/** Routes whose function authenticates the caller itself carry no gateway authorizer. */
const NO_GATEWAY_AUTH: apigw.MethodOptions = { authorizationType: apigw.AuthorizationType.NONE };

/** Tells cdk-nag's two authorizer rules why `resource` needs no gateway authorizer. */
function acknowledgeOwnAuthentication(resource: apigw.IResource, reason: string): void {
  acknowledge(resource, 'AwsSolutions-APIG4', reason);
  acknowledge(resource, 'AwsSolutions-COG4', reason);
}
