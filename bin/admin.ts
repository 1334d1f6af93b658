// `npm run admin -- ...`: the operator CLI over local data (joins a running `npm start`).
import { parseArgs } from 'node:util';
import { MetrionError, NotFoundError } from '#core/errors.ts';
import {
  ADMIN_COMMANDS,
  ADMIN_USAGE,
  AdminUsageError,
  runAdminCommand,
} from '#local/admin-commands.ts';
import { AdminDataDirError, findAdminDataSource, withAdminData } from '#local/admin-data.ts';
import { DataDirInUseError } from '#local/data-dir-lock.ts';
import { readLocalConfig } from '#local/local-config.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    email: { type: 'string' },
    name: { type: 'string' },
    account: { type: 'string' },
    provider: { type: 'string' },
    key: { type: 'string' },
    limit: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    days: { type: 'string' },
    only: { type: 'string' },
  },
});

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Errors that are the user's next step, printed as one line (exit 2); anything else is a bug. */
const EXPECTED = [AdminUsageError, MetrionError, AdminDataDirError, DataDirInUseError];

// Usage needs no data folder.
if (!ADMIN_COMMANDS.includes(positionals[0] ?? '')) {
  console.error(ADMIN_USAGE);
  process.exit(2);
}

const config = readLocalConfig();
let { dataDir } = config;
try {
  const source = await findAdminDataSource(config);
  dataDir = source.dataDir;
  if (source.note) console.error(source.note);
  const output = await withAdminData(source, (data) =>
    runAdminCommand(data, { command: positionals[0], options: values, readStdin }),
  );
  console.log(output);
} catch (error) {
  if (!EXPECTED.some((kind) => error instanceof kind)) throw error;
  const where = error instanceof NotFoundError ? ` (data folder ${dataDir})` : '';
  console.error(`${(error as Error).message}${where}`);
  process.exitCode = 2;
}
