/**
 * The worker: runs `degradationReport` workflows and their activities on the task queue.
 * `npm start` runs it beside an embedded dev server; `npm run worker` runs it alone against
 * the cluster that TEMPORAL_ADDRESS (or an envconfig profile) names.
 */
import { resolve } from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities';
import { connectWorker, describeTarget, loadTemporalTarget } from './infra/connection';

export const DEFAULT_TASK_QUEUE = 'service-quality';

export interface WorkerSettings {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  activities: ActivityDeps;
  /** Graceful shutdown: how long in-flight activities get to finish on SIGTERM/SIGINT. */
  shutdownGraceTime?: string;
}

export function createWorker(settings: WorkerSettings): Promise<Worker> {
  return Worker.create({
    connection: settings.connection,
    namespace: settings.namespace ?? 'default',
    taskQueue: settings.taskQueue ?? DEFAULT_TASK_QUEUE,
    workflowsPath: resolve(__dirname, 'workflows', 'index.ts'),
    activities: createActivities(settings.activities),
    shutdownGraceTime: (settings.shutdownGraceTime ?? '10s') as `${number}s`,
  });
}

export function taskQueueFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.SPDR_TASK_QUEUE || DEFAULT_TASK_QUEUE;
}

async function main(): Promise<void> {
  const target = loadTemporalTarget();
  const connection = await connectWorker(target);
  const taskQueue = taskQueueFromEnv();
  const worker = await createWorker({
    connection,
    namespace: target.namespace,
    taskQueue,
    activities: { escalationUrl: process.env.SPDR_ESCALATION_URL, log: (l) => console.log(l) },
  });
  console.log(`worker polling task queue "${taskQueue}" on ${describeTarget(target)}`);
  await worker.run();
  await connection.close();
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
