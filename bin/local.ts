// `npm start`: the whole product locally on embedded stand-ins (no AWS account, no Docker).
import '#local/awslambda-shim.ts';
import { existsSync } from 'node:fs';
import { DataDirInUseError } from '#local/data-dir-lock.ts';
import { readLocalConfig } from '#local/local-config.ts';
import { startLocalMetrion } from '#local/local-metrion.ts';
import { PortUnavailableError } from '#local/local-ports.ts';
import { startBanner } from '#local/start-banner.ts';

const config = readLocalConfig();
const hasDashboard = existsSync(config.staticDir);
const metrion = await startLocalMetrion({
  port: config.port,
  dataDir: config.dataDir,
  upstreamOrigins: config.upstreamOrigins,
  fxRatesUrl: config.fxRatesUrl,
  pricesUrl: config.pricesUrl,
  cognitoPort: config.cognitoPort,
  sesPort: config.sesPort,
  alertsIntervalMs: config.alertsIntervalS * 1000,
  billing: config.billing,
  proMonthlyPriceUsd: config.proMonthlyPriceUsd,
  // The seal, fx-rates and alerts jobs on timers, as EventBridge runs them in AWS.
  scheduleJobs: true,
  staticDir: hasDashboard ? config.staticDir : undefined,
}).catch((error: unknown) => {
  // Expected conditions with a next step: one line, no stack.
  if (!(error instanceof PortUnavailableError || error instanceof DataDirInUseError)) throw error;
  console.error(error.message);
  process.exit(1);
});

console.log(startBanner(metrion, config, hasDashboard));

const stop = async () => {
  await metrion.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
