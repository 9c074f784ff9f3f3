/**
 * The benchmark's worker process: the product's worker (same activities, same settings, same
 * options as `createWorker` in src/worker.ts, metric sinks included) on a bundle that holds the product's workflows and
 * the baseline. It runs in its own process so its resident memory can be measured on its own and
 * so it gets a core of its own, as a production worker would.
 *
 * Started by bench/harness.ts with `fork`; talks over IPC:
 *   parent -> child: {type:'memory'} | {type:'stop'}
 *   child -> parent: {type:'ready', maxCachedWorkflows} | {type:'memory', ...} | {type:'stopped'} | {type:'error', message}
 */
import v8 from 'node:v8';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { reportWorkerOptions } from '../src/worker';
import { loadWorkerSettings } from '../src/config/worker-settings';

export interface WorkerChildMemory {
  type: 'memory';
  rssBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
}

function send(message: Record<string, unknown>): void {
  process.send?.(message);
}

/** The SDK's default cache size (worker-options.js), to report what the default run used. */
function defaultMaxCachedWorkflows(): number {
  const heapSizeMiB = v8.getHeapStatistics().heap_size_limit / 1024 / 1024;
  return Math.max(Math.floor((Math.max(heapSizeMiB - 200, 0) * 600) / 1024), 10);
}

async function main(): Promise<void> {
  // Core's own warnings (e.g. "workflow task duration exceeded 5 seconds") would go to stdout, which
  // carries the results table: forward them to the (quiet) logger instead.
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
  });
  const address = process.env.BENCH_TEMPORAL_ADDRESS!;
  const codePath = process.env.BENCH_WORKFLOW_BUNDLE!;
  const maxCached = process.env.BENCH_MAX_CACHED ? Number(process.env.BENCH_MAX_CACHED) : undefined;
  const settings = loadWorkerSettings(process.env);
  // On the cluster (bench/cluster.ts) the worker sends the cluster's token; the local cluster listens in clear.
  const apiKey = process.env.BENCH_TEMPORAL_API_KEY;
  const connection = await NativeConnection.connect({ address, ...(apiKey ? { apiKey, tls: false } : {}) });
  // The options of createWorker() in src/worker.ts; only the bundle differs (product workflows + baseline).
  const worker = await Worker.create({
    ...reportWorkerOptions({ settings, maxCachedWorkflows: maxCached }),
    connection,
    namespace: 'default',
    workflowBundle: { codePath },
    // Experiments only: BENCH_WORKER_OPTIONS='{"maxConcurrentWorkflowTaskPolls":20}' overrides worker options.
    ...(process.env.BENCH_WORKER_OPTIONS ? (JSON.parse(process.env.BENCH_WORKER_OPTIONS) as object) : {}),
  });
  process.on('message', (message: { type: string }) => {
    if (message.type === 'memory') {
      global.gc?.();
      const usage = process.memoryUsage();
      send({ type: 'memory', rssBytes: usage.rss, heapUsedBytes: usage.heapUsed, externalBytes: usage.external });
    } else if (message.type === 'stop') {
      worker.shutdown();
    }
  });
  const running = worker.run();
  send({ type: 'ready', pid: process.pid, maxCachedWorkflows: maxCached ?? defaultMaxCachedWorkflows() });
  await running;
  await connection.close();
  send({ type: 'stopped' });
  process.disconnect?.();
}

main().catch((err: unknown) => {
  send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 200).unref();
});
