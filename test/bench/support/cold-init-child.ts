// One cold start, in a fresh process started by cold-init.bench.ts: installs the `awslambda`
// global the Lambda runtime provides (streaming handlers call it at load), then imports the bundle
// given as argv[2], which builds its clients and reads its config at top level (top-level await),
// and prints how long that took (wall and CPU) and how long since the process started. Kept this small so that
// `readyMs` is mostly Node's start plus the bundle.
import '#local/awslambda-shim.ts';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const bundle = process.argv[2];
if (bundle === undefined) throw new Error('usage: cold-init-child.ts <bundle.mjs>');
const startMs = performance.now();
const startCpu = process.cpuUsage();
const loaded = (await import(pathToFileURL(bundle).href)) as { handler?: unknown };
const readyMs = performance.now();
const cpu = process.cpuUsage(startCpu);
if (typeof loaded.handler !== 'function') throw new Error(`${bundle} exports no handler`);
process.stdout.write(
  `${JSON.stringify({ initMs: readyMs - startMs, initCpuMs: (cpu.user + cpu.system) / 1000, readyMs })}\n`,
);
// The SDK's keep-alive sockets would hold the process open.
process.exit(0);
