// The child side of metrion-process.ts: local Metrion with a fresh data folder (removed on stop),
// the OpenAI provider pointed at the parent's fake, and Free-plan accounts holding its key.
import '#local/awslambda-shim.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalMetrion } from '#local/local-metrion.ts';
import { checkUsageRecords, createBenchAccounts } from './bench-stack.ts';
import type { FromMetrionChild, MetrionChildArgs, ToMetrionChild } from './metrion-process.ts';

const args = JSON.parse(process.argv[2] ?? '{}') as MetrionChildArgs;
const send = (message: FromMetrionChild) => process.send?.(message);

const dataDir = await mkdtemp(join(tmpdir(), 'metrion-bench-'));
const metrion = await startLocalMetrion({
  dataDir,
  runningInstancesDir: join(dataDir, 'running'),
  upstreamOrigins: { openai: args.openAiOrigin },
});
const created = await createBenchAccounts(metrion.data.accountService, args.accounts, 'peer');
const accountIds = created.map((entry) => entry.accountId);

process.on('message', async (message: ToMetrionChild) => {
  if (message.kind === 'check') {
    const check = await checkUsageRecords({ metrion, accountIds }, message.requestIds);
    send({ kind: 'checked', check });
    return;
  }
  await metrion.close();
  await rm(dataDir, { recursive: true, force: true });
  process.disconnect();
});

send({
  kind: 'ready',
  openAiBaseUrl: metrion.proxyBaseUrls.openai,
  metrionKeys: created.map((entry) => entry.metrionKey),
});
