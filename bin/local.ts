// `npm start`: the whole product locally on embedded stand-ins (no AWS account, no Docker).
import '#local/awslambda-shim.ts';
import { readLocalConfig } from '#local/local-config.ts';
import { startLocalMetrion } from '#local/local-metrion.ts';

const config = readLocalConfig();
const metrion = await startLocalMetrion({
  port: config.port,
  dataDir: config.dataDir,
  upstreamOrigins: config.upstreamOrigins,
});

const lines = [
  '',
  `Metrion is running locally at ${metrion.url}  (data in ${config.dataDir})`,
  '',
  'Proxy base URLs for your SDK:',
  ...Object.entries(metrion.proxyBaseUrls).map(
    ([provider, url]) => `  ${provider.padEnd(10)} ${url}`,
  ),
  '',
  'Create an account and get its Metrion Key:',
  '  npm run admin -- create-account --email you@example.com',
  'Store a provider key for stored mode:',
  '  npm run admin -- set-provider-key --account <id> --provider openai --key -   (reads the key from stdin)',
  'See recorded usage:',
  '  npm run admin -- usage --account <id>',
  '',
];
console.log(lines.join('\n'));

const stop = async () => {
  await metrion.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
