// The worker-thread side of startDynalite (dynalite-thread.ts): dynalite's HTTP parsing, request
// validation, expression parsing and LevelDB work run on this thread's event loop, so at load
// they use another core instead of delaying the proxy's requests. Loaded by `new Worker`, never
// imported: keep it free of anything but node builtins, dynalite and the helpers below.
import type { RequestListener, Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { type ConditionParser, cacheConditionParses } from './dynalite-expression-cache.ts';
import { serveHandOff } from './dynalite-hand-off.ts';
import { cacheTableDescriptions, type DynaliteDbModule } from './dynalite-table-cache.ts';
import type {
  DynaliteServerOptions,
  DynaliteWorkerData,
  FromDynaliteWorker,
  ToDynaliteWorker,
} from './dynalite-thread-messages.ts';

// dynalite is CommonJS without type declarations. Its condition parser and its store factory are
// wrapped with caches before dynalite loads them (the same module objects, by file name).
const require = createRequire(import.meta.url);
const dynaliteDir = dirname(require.resolve('dynalite'));
cacheConditionParses(require(join(dynaliteDir, 'db', 'conditionParser.js')) as ConditionParser);
cacheTableDescriptions(require(join(dynaliteDir, 'db', 'index.js')) as DynaliteDbModule);
const dynalite = require('dynalite') as (options: DynaliteServerOptions) => Server;

const port = parentPort;
if (port === null) throw new Error('dynalite-worker.ts runs only as a worker thread');
const send = (message: FromDynaliteWorker) => port.postMessage(message);
const { serverOptions, host, handOffPort } = workerData as DynaliteWorkerData;

const server = dynalite(serverOptions);
server.once('error', (error) => send({ kind: 'failed', message: error.message }));
serveHandOff(handOffPort, server.listeners('request')[0] as RequestListener);
server.listen(0, host, () => {
  send({ kind: 'listening', port: (server.address() as AddressInfo).port });
});

port.on('message', (message: ToDynaliteWorker) => {
  if (message.kind !== 'close') return;
  // Keep-alive sockets would hold the server open, and a scheduled job still running (the seal
  // sweep) would keep using them: by now the API and the usage feed have stopped, so end them.
  server.closeAllConnections();
  // dynalite's close also closes its store, which flushes a data folder to disk.
  server.close((error) => {
    send(error ? { kind: 'closed', error: error.message } : { kind: 'closed' });
    // Nothing else keeps this thread alive: it exits once the message is out.
    handOffPort.close();
    port.close();
  });
});
