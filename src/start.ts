/**
 * `npm start`: the product on one machine.
 *
 * With no Temporal cluster configured it starts an embedded Temporal dev server (SQLite in
 * `.data/`, so reports survive a restart; Temporal Web on :8233; the project's search attributes
 * registered) and then the worker. With TEMPORAL_ADDRESS or an envconfig profile it starts only
 * the worker against that cluster. Ctrl-C stops everything cleanly.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { connectWorker, describeTarget, loadTemporalTarget } from './infra/connection';
import { startDevServer } from './infra/temporal-servers';
import { PROJECT_ROOT } from './infra/temporal-binaries';
import { createWorker, taskQueueFromEnv } from './worker';

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0 || n > 65535) throw new Error(`${name} must be a port number (got "${raw}")`);
  return n;
}

async function main(): Promise<void> {
  // Worker lifecycle chatter is INFO; operators running `npm start` want warnings and errors.
  Runtime.install({ logger: new DefaultLogger((process.env.SPDR_LOG_LEVEL ?? 'WARN').toUpperCase() as LogLevel) });
  const target = loadTemporalTarget();
  const taskQueue = taskQueueFromEnv();
  let devServer: TestWorkflowEnvironment | undefined;
  let webUrl: string | undefined;

  if (!target.configured) {
    const dataDir = resolve(process.env.SPDR_DATA_DIR ?? join(PROJECT_ROOT, '.data'));
    mkdirSync(dataDir, { recursive: true });
    const port = intFromEnv('TEMPORAL_DEV_PORT', 7233);
    const uiPort = intFromEnv('TEMPORAL_UI_PORT', 8233);
    console.log(`Starting the embedded Temporal dev server (data in ${dataDir}) ...`);
    devServer = await startDevServer({ dbFilename: join(dataDir, 'temporal.db'), port, uiPort, ip: process.env.TEMPORAL_DEV_IP ?? '127.0.0.1' });
    target.config.connectionOptions.address = devServer.address;
    webUrl = `http://localhost:${uiPort}`;
  }

  const connection = await connectWorker(target);
  const worker = await createWorker({
    connection,
    namespace: target.namespace,
    taskQueue,
    activities: { escalationUrl: process.env.SPDR_ESCALATION_URL, log: (l) => console.log(l) },
  });

  console.log('');
  console.log(`Worker polling task queue "${taskQueue}" on ${describeTarget(target)}`);
  if (webUrl) console.log(`Temporal Web: ${webUrl}/namespaces/${target.namespace}/workflows`);
  console.log('Open a first report:  npm run starter -- open examples/critical-latency.json');
  console.log('Stop with Ctrl-C.');

  try {
    await worker.run();
  } finally {
    await connection.close();
    if (devServer) {
      console.log('Stopping the embedded Temporal dev server ...');
      await devServer.teardown();
    }
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
