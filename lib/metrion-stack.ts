import { fileURLToPath } from 'node:url';
import { Duration, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { API_ROUTES } from '#contracts/api-routes.ts';
import { STRIPE_WEBHOOK_ROUTE } from '#contracts/billing-api.ts';
import { LOGS_EXPORT_ROUTE } from '#contracts/logs-api.ts';
import type { EnvironmentConfig } from './config/environment-config.ts';
import { Alerts } from './constructs/alerts.ts';
import { Api } from './constructs/api.ts';
import { Auth } from './constructs/auth.ts';
import { Billing } from './constructs/billing.ts';
import { BudgetSweeper } from './constructs/budget-sweeper.ts';
import { DashboardApiService } from './constructs/dashboard-api-service.ts';
import { DashboardSite } from './constructs/dashboard-site.ts';
import { Data } from './constructs/data.ts';
import { FxRates } from './constructs/fx-rates.ts';
import { Keys } from './constructs/keys.ts';
import { LogsExportService } from './constructs/logs-export-service.ts';
import { Monitoring } from './constructs/monitoring.ts';
import { ProxyService } from './constructs/proxy-service.ts';
import { Repricer } from './constructs/repricer.ts';
import { RollupSealer } from './constructs/rollup-sealer.ts';
import { UsageAggregator } from './constructs/usage-aggregator.ts';

/** Where `npm run build:frontend` writes the dashboard; uploaded on deploy when present. */
export const DASHBOARD_BUILD_DIR = fileURLToPath(new URL('../frontend/dist', import.meta.url));

export interface MetrionStackProps extends StackProps {
  /** The validated environment configuration; the only source of per-environment values. */
  readonly config: EnvironmentConfig;
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
  public readonly usageAggregator: UsageAggregator;
  public readonly repricer: Repricer;
  public readonly logsExport: LogsExportService;
  public readonly api: Api;
  public readonly monitoring: Monitoring;
  public readonly dashboard: DashboardSite;
  public readonly alerts: Alerts;
  public readonly budgetSweeper: BudgetSweeper;

  constructor(scope: Construct, id: string, props: MetrionStackProps) {
    super(scope, id, props);
    const { config } = props;
    const logRetention = config.logRetentionDays as RetentionDays;
    const retainLogs = config.retainData;

    this.data = new Data(this, 'Data', { envName: config.envName, retainData: config.retainData });
    this.keys = new Keys(this, 'Keys', { envName: config.envName, retainData: config.retainData });
    this.proxy = new ProxyService(this, 'Proxy', {
      data: this.data,
      keys: this.keys,
      logRetention,
      retainLogs,
      corsAllowedOrigins: config.corsAllowedOrigins,
      upstreamOrigins: config.upstreamOrigins,
    });
    this.api = new Api(this, 'Api', {
      envName: config.envName,
      proxyFunction: this.proxy.function,
      logRetention,
      retainLogs,
    });
    this.auth = new Auth(this, 'Auth', { envName: config.envName, retainData: config.retainData });
    // Construct id 'Settings' predates the rename: changing it would replace the function and its role.
    this.dashboardApi = new DashboardApiService(this, 'Settings', {
      data: this.data,
      keys: this.keys,
      auth: this.auth,
      logRetention,
      retainLogs,
    });
    this.api.addDashboardRoutes(this.dashboardApi.function, API_ROUTES);
    this.alerts = new Alerts(this, 'Alerts', {
      data: this.data,
      sender: config.alerts.sender,
      dashboardUrl: config.dashboardUrl,
      logRetention,
      retainLogs,
    });
    // Test emails from the dashboard API: the same identity and variables.
    Alerts.grantSend(
      this.dashboardApi.function,
      this.alerts.identity,
      config.alerts.sender.split('@')[1] ?? config.alerts.sender,
      config.alerts.sender,
      config.dashboardUrl,
    );
    this.budgetSweeper = new BudgetSweeper(this, 'BudgetSweeper', {
      data: this.data,
      identity: this.alerts.identity,
      sender: config.alerts.sender,
      dashboardUrl: config.dashboardUrl,
      logRetention,
      retainLogs,
    });
    this.billing = new Billing(this, 'Billing', {
      envName: config.envName,
      data: this.data,
      retainData: config.retainData,
      stripeProPriceId: config.billing.stripeProPriceId,
      dashboardUrl: config.dashboardUrl,
      logRetention,
      retainLogs,
    });
    this.billing.grantStripeApi(this.dashboardApi.function);
    this.api.addWebhookRoute(this.billing.webhookFunction, STRIPE_WEBHOOK_ROUTE);
    this.fxRates = new FxRates(this, 'FxRates', { data: this.data, logRetention, retainLogs });
    this.rollupSealer = new RollupSealer(this, 'RollupSealer', {
      data: this.data,
      logRetention,
      retainLogs,
    });
    this.usageAggregator = new UsageAggregator(this, 'UsageAggregator', {
      data: this.data,
      logRetention,
      retainLogs,
    });
    this.repricer = new Repricer(this, 'Repricer', { data: this.data, logRetention, retainLogs });
    this.logsExport = new LogsExportService(this, 'LogsExport', {
      data: this.data,
      auth: this.auth,
      logRetention,
      retainLogs,
    });
    this.api.addStreamingDashboardRoute(this.logsExport.function, LOGS_EXPORT_ROUTE);
    this.monitoring = new Monitoring(this, 'Monitoring', {
      proxyFunction: this.proxy.function,
      alarmEmail: config.alarmEmail,
    });
    this.monitoring.notify(this.alerts.errorsAlarm);
    this.monitoring.notify(this.budgetSweeper.errorsAlarm);
    this.monitoring.alarmOnDeadLetters(
      'UsageAggregatorDlq',
      this.usageAggregator.deadLetterQueue,
      'Usage stream batches failed every retry. Their records are stored; the live rollups of their hours may be off until sealed, and exact after, unless no attempt could write the dirty markers (see docs/architecture.md, Usage rollups: failed batches).',
    );
    this.monitoring.alarmOnStreamLag(
      'UsageAggregatorLag',
      this.usageAggregator.function,
      Duration.minutes(5),
      'The usage aggregator is more than 5 minutes behind the usage stream: the Dashboard lags, and records older than 24 hours leave the stream.',
    );
    this.dashboard = new DashboardSite(this, 'Dashboard', {
      restApi: this.api.restApi,
      assetsPath: DASHBOARD_BUILD_DIR,
      retainData: config.retainData,
      accessLogRetentionDays: config.logRetentionDays,
    });
  }
}

/** `Metrion-<envName>`: the CloudFormation stack name of an environment. */
export function stackNameOf(config: EnvironmentConfig): string {
  return `Metrion-${config.envName}`;
}

/**
 * Adds one environment's stack to `scope` with an explicit account and region (so synthesis
 * needs no credentials or lookups). Used by `bin/app.ts` and by the infra tests alike.
 */
export function createMetrionStack(scope: Construct, config: EnvironmentConfig): MetrionStack {
  const stack = new MetrionStack(scope, stackNameOf(config), {
    config,
    env: { account: config.account, region: config.region },
    description: `Metrion ${config.envName}: LLM API cost proxy`,
    terminationProtection: config.retainData,
  });
  Tags.of(stack).add('app', 'metrion');
  Tags.of(stack).add('env', config.envName);
  return stack;
}
