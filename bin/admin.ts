// `npm run admin -- ...`: the operator CLI over local data (joins a running `npm start`).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MetrionError } from '#core/errors.ts';
import { AdminUsageError, runAdminCommand } from '#local/admin-commands.ts';
import { readLocalConfig } from '#local/local-config.ts';
import { openLocalData } from '#local/local-data.ts';
import { RUNTIME_FILE } from '#local/local-metrion.ts';
import { startDynalite } from '#local/stand-ins.ts';

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
    days: { type: 'string' },
    only: { type: 'string' },
  },
});

const config = readLocalConfig();

/** The running local server's dynalite, if there is one; the data folder can have one owner only. */
async function runningDynamoEndpoint(): Promise<string | undefined> {
  try {
    const runtime = JSON.parse(await readFile(join(config.dataDir, RUNTIME_FILE), 'utf8')) as {
      pid: number;
      dynamoEndpoint: string;
    };
    process.kill(runtime.pid, 0);
    return runtime.dynamoEndpoint;
  } catch {
    return undefined;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const endpoint = await runningDynamoEndpoint();
const ownDynalite = endpoint
  ? undefined
  : await startDynalite({ dataDir: join(config.dataDir, 'dynamodb') });
try {
  const data = await openLocalData({
    dynamoEndpoint: endpoint ?? ownDynalite?.endpoint ?? '',
    dataDir: config.dataDir,
  });
  console.log(await runAdminCommand(data, { command: positionals[0], options: values, readStdin }));
} catch (error) {
  if (error instanceof AdminUsageError || error instanceof MetrionError) {
    console.error(error.message);
    process.exitCode = 2;
  } else {
    throw error;
  }
} finally {
  await ownDynalite?.close();
}
