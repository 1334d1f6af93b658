// `npm run smoke -- --url <origin>`: a black-box check of a running Metrion (npm start, or a
// deployed stack), one line per step; exit 0 when every step passed.
import { DashboardClient } from './smoke/dashboard-client.ts';
import { parseSmokeOptions, SMOKE_USAGE, SmokeUsageError } from './smoke/smoke-options.ts';
import { runSmoke } from './smoke/smoke-steps.ts';

let options: ReturnType<typeof parseSmokeOptions>;
try {
  options = parseSmokeOptions(process.argv.slice(2), process.env);
} catch (error) {
  // parseArgs throws TypeErrors (code ERR_PARSE_ARGS_…) for unknown or malformed options.
  if (!(error instanceof SmokeUsageError || error instanceof TypeError)) throw error;
  console.error(`${error.message}\n\n${SMOKE_USAGE}`);
  process.exit(2);
}

console.log(`Smoke check of ${options.url} as ${options.email}`);
const passed = await runSmoke(options, new DashboardClient(options.url), (line) =>
  console.log(line),
);
process.exitCode = passed ? 0 : 1;
