import { fileURLToPath } from 'node:url';
import { Duration, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { API_ROUTES } from '#contracts/api-routes.ts';
import { STRIPE_WEBHOOK_ROUTE } from '#contracts/billing-api.ts';
import { LOGS_EXPORT_ROUTE } from '#contracts/logs-api.ts';
import type { EnvironmentConfig } from './config/environment-config.ts';
import { AlertDeliveries } from './constructs/alert-deliveries.ts';
import { Alerts } from './constructs/alerts.ts';
import { Api } from './constructs/api.ts';
import { Auth } from './constructs/auth.ts';
import { Billing } from './constructs/billing.ts';
import { BudgetSweeper } from './constructs/budget-sweeper.ts';
import { DashboardApiService } from './constructs/dashboard-api-service.ts';
import { DashboardSite } from './constructs/dashboard-site.ts';
import { Data } from './constructs/data.ts';
import { FxRates } from './constructs/fx-rates.ts';
import { hostedZoneFor } from './constructs/hosted-zone.ts';
import { Keys } from './constructs/keys.ts';
import { LogsExportService } from './constructs/logs-export-service.ts';
import { Monitoring } from './constructs/monitoring.ts';
import { PriceRefresh } from './constructs/price-refresh.ts';
import { ProxyService } from './constructs/proxy-service.ts';
import { Repricer } from './constructs/repricer.ts';
import { RollupSealer } from './constructs/rollup-sealer.ts';
import { SecretMigrator } from './constructs/secret-migrator.ts';
import { TraceSweeper } from './constructs/trace-sweeper.ts';
import { UsageAggregator } from './constructs/usage-aggregator.ts';
import { EDGE_REGION, EdgeStack } from './edge-stack.ts';
import { EmailStack, emailSending } from './email-stack.ts';

/** Where `npm run build:frontend` writes the dashboard; uploaded on deploy when present. */
export const DASHBOARD_BUILD_DIR = fileURLToPath(new URL('../frontend/dist', import.meta.url));

export interface MetrionStackProps extends StackProps {
  /** The validated environment configuration; the only source of per-environment values. */
  readonly config: EnvironmentConfig;
  /** The us-east-1 stack holding the CloudFront web ACL and certificate. */
  readonly edge: EdgeStack;
  /** The stack holding the SES identity every email goes out through. */
  readonly email: EmailStack;
}

/**
 * One Metrion environment. Composes constructs and wires them together; defines no resources
 * itself. Construct ids are stable (`Data`, `Keys` and `Auth` are stateful: never rename them).
 */
export class MetrionStack extends Stack {
  public readonly data: Data;
  public readonly keys: Keys;
  public readonly proxy: ProxyService;
  public readonly auth: Auth;
  public readonly dashboardApi: DashboardApiService;
  public readonly billing: Billing;
  public readonly fxRates: FxRates;
  public readonly rollupSealer: RollupSealer;
  public readonly traceSweeper: TraceSweeper;
  public readonly usageAggregator: UsageAggregator;
  public readonly repricer: Repricer;
  public readonly secretMigrator: SecretMigrator;
  public readonly priceRefresh: PriceRefresh;
  public readonly logsExport: LogsExportService;
  public readonly api: Api;
  public readonly monitoring: Monitoring;
  public readonly dashboard: DashboardSite;
  public readonly alerts: Alerts;
  public readonly budgetSweeper: BudgetSweeper;
  public readonly alertDeliveries: AlertDeliveries;
  public readonly edge: EdgeStack;
  public readonly email: EmailStack;

  constructor(scope: Construct, id: string, props: MetrionStackProps) {
    super(scope, id, { ...props, crossRegionReferences: true });
    const { config } = props;
    this.edge = props.edge;
    this.email = props.email;
    // Cognito refuses an SES identity that does not exist yet.
    this.addStackDependency(props.email);
    const logs = logSettings(config);
    const { capacity } = config;
    const email = emailSending(config);

    this.data = new Data(this, 'Data', { envName: config.envName, retainData: config.retainData });
    this.keys = new Keys(this, 'Keys', { envName: config.envName, retainData: config.retainData });
    this.proxy = new ProxyService(this, 'Proxy', {
      data: this.data,
      keys: this.keys,
      ...logs,
      corsAllowedOrigins: config.corsAllowedOrigins,
      upstreamOrigins: config.upstreamOrigins,
      reservedConcurrency: capacity.proxyConcurrency,
    });
    this.api = new Api(this, 'Api', {
      envName: config.envName,
      proxyFunction: this.proxy.function,
      ...logs,
      proxyRequestsPerSecond: capacity.proxyRequestsPerSecond,
    });
    this.dashboard = this.createDashboardSite(config, props.edge);
    const dashboardUrl = this.dashboard.url;
    this.auth = new Auth(this, 'Auth', {
      envName: config.envName,
      retainData: config.retainData,
      email,
      logRetention: logs.logRetention,
    });
    this.dashboardApi = this.createDashboardApi(config);
    const notifying = { data: this.data, keys: this.keys, email, dashboardUrl, ...logs };
    this.alerts = new Alerts(this, 'Alerts', notifying);
    this.alertDeliveries = new AlertDeliveries(this, 'AlertDeliveries', notifying);
    // Test emails from the dashboard API: the same identity and variables.
    Alerts.grantSend(this.dashboardApi.function, email, dashboardUrl);
    this.budgetSweeper = new BudgetSweeper(this, 'BudgetSweeper', {
      data: this.data,
      email,
      dashboardUrl,
      ...logs,
    });
    this.billing = this.createBilling(config, dashboardUrl);
    this.fxRates = new FxRates(this, 'FxRates', { data: this.data, ...logs });
    this.rollupSealer = new RollupSealer(this, 'RollupSealer', { data: this.data, ...logs });
    this.traceSweeper = new TraceSweeper(this, 'TraceSweeper', { data: this.data, ...logs });
    this.usageAggregator = new UsageAggregator(this, 'UsageAggregator', {
      data: this.data,
      ...logs,
      reservedConcurrency: capacity.usageAggregatorConcurrency,
    });
    this.repricer = new Repricer(this, 'Repricer', { data: this.data, ...logs });
    this.priceRefresh = new PriceRefresh(this, 'PriceRefresh', {
      data: this.data,
      readers: [this.proxy.function, this.repricer.function],
      ...logs,
    });
    this.secretMigrator = new SecretMigrator(this, 'SecretMigrator', {
      data: this.data,
      keys: this.keys,
      ...logs,
    });
    this.logsExport = this.createLogsExport(config);
    this.monitoring = new Monitoring(this, 'Monitoring', {
      envName: config.envName,
      alarmEmail: config.alarmEmail,
      capacity,
    });
    this.addAlarms();
  }

  /** The dashboard JSON API on every `API_ROUTES` route. */
  private createDashboardApi(config: EnvironmentConfig): DashboardApiService {
    // Construct id 'Settings' predates the rename: changing it would replace the function and its role.
    const dashboardApi = new DashboardApiService(this, 'Settings', {
      data: this.data,
      keys: this.keys,
      auth: this.auth,
      ...logSettings(config),
    });
    this.api.addDashboardRoutes(dashboardApi.function, API_ROUTES);
    return dashboardApi;
  }

  /** The Logs CSV export, streamed from its own route. */
  private createLogsExport(config: EnvironmentConfig): LogsExportService {
    const logsExport = new LogsExportService(this, 'LogsExport', {
      data: this.data,
      auth: this.auth,
      ...logSettings(config),
    });
    this.api.addStreamingDashboardRoute(logsExport.function, LOGS_EXPORT_ROUTE);
    return logsExport;
  }

  /** Stripe Checkout, the portal and the webhook; the dashboard API may call Stripe. */
  private createBilling(config: EnvironmentConfig, dashboardUrl: string): Billing {
    const billing = new Billing(this, 'Billing', {
      envName: config.envName,
      data: this.data,
      retainData: config.retainData,
      stripeProPriceId: config.billing.stripeProPriceId,
      proMonthlyPriceUsd: config.billing.proMonthlyPriceUsd,
      dashboardUrl,
      webhookUrl: `${dashboardUrl}${STRIPE_WEBHOOK_ROUTE.path}`,
      ...logSettings(config),
      webhookReservedConcurrency: config.capacity.stripeWebhookConcurrency,
    });
    billing.grantStripeApi(this.dashboardApi.function);
    this.api.addWebhookRoute(billing.webhookFunction, STRIPE_WEBHOOK_ROUTE);
    return billing;
  }

  /**
   * The dashboard's distribution behind the edge stack's web ACL, on the configured domain with
   * the edge stack's certificate when there is one.
   */
  private createDashboardSite(config: EnvironmentConfig, edge: EdgeStack): DashboardSite {
    const domainName = config.dashboardDomain;
    return new DashboardSite(this, 'Dashboard', {
      restApi: this.api.restApi,
      stageName: config.envName,
      webAclArn: edge.webAcl.attrArn,
      customDomain:
        domainName === undefined || edge.certificate === undefined
          ? undefined
          : {
              domainName,
              certificate: edge.certificate,
              hostedZone: hostedZoneFor(this, config, domainName),
            },
      assetsPath: DASHBOARD_BUILD_DIR,
      retainData: config.retainData,
      accessLogRetentionDays: config.logRetentionDays,
    });
  }

  /** Every failure an operator must hear about, on the monitoring topic (docs/operations.md). */
  private addAlarms(): void {
    const monitoring = this.monitoring;
    monitoring.alarmOnProxy(this.proxy.function);
    monitoring.alarmOnFunctionErrors(
      'DashboardApiErrors',
      this.dashboardApi.function,
      'The dashboard API Lambda failed with an unhandled error (crash, timeout or cold-start failure).',
    );
    monitoring.alarmOnFunctionErrors(
      'LogsExportErrors',
      this.logsExport.function,
      'The Logs CSV export Lambda failed with an unhandled error (crash or timeout mid-export).',
    );
    monitoring.alarmOnFunctionErrors(
      'StripeWebhookErrors',
      this.billing.webhookFunction,
      'The Stripe webhook Lambda failed with an unhandled error: Stripe retries, plan changes wait.',
    );
    monitoring.alarmOnFunctionErrors(
      'EvaluatorErrors',
      this.alerts.function,
      'Metrion alert evaluator runs failed (an account or rule could not be evaluated).',
      3,
    );
    monitoring.alarmOnFunctionErrors(
      'AlertDeliveryErrors',
      this.alertDeliveries.function,
      'Metrion alert delivery retry runs failed: due webhook, Slack and email deliveries wait.',
      3,
    );
    monitoring.alarmOnDeadLetters(
      'EvaluatorDlq',
      this.alerts.deadLetterQueue,
      'An alert evaluator run failed: its event is in the DLQ. The next minute runs again; repeated failures mean alerts are not evaluated.',
    );
    monitoring.alarmOnFunctionErrors(
      'BudgetSweepErrors',
      this.budgetSweeper.function,
      'Budget sweep runs failed: reservations of lost requests are not given back (budgets look fuller than they are) and 90%/100% emails are late.',
      2,
    );
    monitoring.alarmOnDeadLetters(
      'BudgetSweepDlq',
      this.budgetSweeper.deadLetterQueue,
      'A budget sweep run failed: its event is in the DLQ. The next run (5 minutes) tries again.',
    );
    monitoring.alarmOnDeadLetters(
      'UsageAggregatorDlq',
      this.usageAggregator.deadLetterQueue,
      'Usage stream batches failed every retry. Their records are stored; the live rollups of their hours may be off until sealed, and exact after, unless no attempt could write the dirty markers (see docs/operations.md, UsageAggregatorDlq).',
    );
    monitoring.alarmOnDeadLetters(
      'SealJobDlq',
      this.rollupSealer.deadLetterQueue,
      'A seal job run failed: dirty hours stay dirty (live rollups, possibly off) until a run succeeds.',
    );
    monitoring.alarmOnDeadLetters(
      'TraceSweeperDlq',
      this.traceSweeper.deadLetterQueue,
      'A trace sweeper run failed: requests whose proxy died stay unrecorded until a run succeeds (the next one retries from where the last stopped).',
    );
    monitoring.alarmOnDeadLetters(
      'FxRatesDlq',
      this.fxRates.deadLetterQueue,
      'The daily FX job failed three times: converted costs keep the previous rates (their date shows in the dashboard).',
    );
    monitoring.alarmOnDeadLetters(
      'PriceRefreshDlq',
      this.priceRefresh.deadLetterQueue,
      'The daily price refresh failed three times: requests keep the price version in use; new models stay unpriced until a refresh succeeds.',
    );
    monitoring.alarmOnStreamLag(
      'UsageAggregatorLag',
      this.usageAggregator.function,
      Duration.minutes(5),
      'The usage aggregator is more than 5 minutes behind the usage stream: the Dashboard lags, and records older than 24 hours leave the stream.',
    );
    monitoring.alarmOnApi(this.api.restApi);
    monitoring.alarmOnTableThrottles(Object.values(this.data.tables));
  }
}

/** Every function's and log group's retention, and whether logs outlive the stack. */
function logSettings(config: EnvironmentConfig) {
  return { logRetention: config.logRetentionDays as RetentionDays, retainLogs: config.retainData };
}

/** `Metrion-<envName>`: the CloudFormation stack name of an environment. */
export function stackNameOf(config: EnvironmentConfig): string {
  return `Metrion-${config.envName}`;
}

/**
 * Adds one environment's stacks to `scope`, each with an explicit account and region (so
 * synthesis needs no credentials or lookups): `Metrion-<env>-edge` (us-east-1),
 * `Metrion-<env>-email` and `Metrion-<env>`, which it returns. Used by `bin/app.ts` and by the
 * infra tests alike.
 */
export function createMetrionStack(scope: Construct, config: EnvironmentConfig): MetrionStack {
  const name = stackNameOf(config);
  const common = { terminationProtection: config.retainData };
  const edge = new EdgeStack(scope, `${name}-edge`, {
    ...common,
    config,
    env: { account: config.account, region: EDGE_REGION },
    description: `Metrion ${config.envName}: CloudFront web ACL and certificate (us-east-1)`,
  });
  const email = new EmailStack(scope, `${name}-email`, {
    ...common,
    config,
    env: { account: config.account, region: config.region },
    description: `Metrion ${config.envName}: SES sender identity and configuration set`,
  });
  const stack = new MetrionStack(scope, name, {
    ...common,
    config,
    edge,
    email,
    env: { account: config.account, region: config.region },
    description: `Metrion ${config.envName}: LLM API cost proxy`,
  });
  for (const each of [edge, email, stack]) {
    Tags.of(each).add('app', 'metrion');
    Tags.of(each).add('env', config.envName);
  }
  return stack;
}
