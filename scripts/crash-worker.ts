/**
 * A worker process that tests may SIGKILL: `node --import tsx scripts/crash-worker.ts`.
 *
 * It runs the product's worker (createWorker: the real activities against the configured outside
 * systems, and a client for the maintenance look-ups) on TEMPORAL_ADDRESS / SPDR_TASK_QUEUE, validating the SPDR_* settings exactly like
 * `npm run worker`, and connects with the same connection settings (src/infra/connection.ts: an API
 * key from TEMPORAL_API_KEY or the cluster's token file). No callback listener: the test process hosts it, so callbacks keep flowing
 * while this process is dead. With SPDR_WORKFLOW_BUNDLE (a JSON file `{code, sourceMap}` written
 * by the test) it skips bundling, so a restart after a kill takes about a second.
 *
 * Prints `crash-worker ready <pid>` once the worker polls; exits 0 on SIGTERM/SIGINT (drained).
 */
import { readFileSync } from 'node:fs';
import { DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ConfigError } from '../src/config/config';
import { loadWorkerSettings } from '../src/config/worker-settings';
import { connectClient, connectWorker, loadTemporalTarget } from '../src/infra/connection';
import { createWorker } from '../src/worker';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger((process.env.SPDR_LOG_LEVEL as 'WARN' | undefined) ?? 'WARN') });
  const settings = loadWorkerSettings(process.env);
  const target = loadTemporalTarget(process.env);
  if (!target.configured) throw new ConfigError(['TEMPORAL_ADDRESS: is required (host:port of the Temporal frontend)']);
  const bundlePath = process.env.SPDR_WORKFLOW_BUNDLE;
  const workflowBundle = bundlePath ? (JSON.parse(readFileSync(bundlePath, 'utf8')) as WorkflowBundleWithSourceMap) : undefined;
  const connection = await connectWorker(target);
  try {
    // With a client, like `npm run worker`: maintenance windows and reports find each other through it.
    const client = await connectClient(target);
    const worker = await createWorker({ connection, namespace: target.namespace, settings, workflowBundle, client });
    const running = worker.run();
    console.log(`crash-worker ready ${process.pid}`);
    await running;
  } finally {
    await connection.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(err instanceof ConfigError ? 2 : 1);
});
