/** The worker every dev-server test runs: the real workflows over the in-memory fake systems. */
import type { DataConverter } from '@temporalio/common';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { SpdrActivities } from '../../src/activities/types';
import { workflowBundle } from './env';
import { fakeSystems, type FakeSystems } from './fake-activities';

export interface RunningFakeWorker {
  worker: Worker;
  taskQueue: string;
  systems: FakeSystems;
  /** Resolves when the worker has stopped; rejects if it failed. */
  running: Promise<void>;
  /** Shuts the worker down (if it still runs) and waits for it to stop. */
  stop(): Promise<void>;
}

export async function startFakeWorker(
  connection: NativeConnection,
  options: {
    taskQueue: string;
    systems?: FakeSystems;
    /** Activities to run instead of the systems' own (e.g. a slowed-down create); default `systems.activities`. */
    activities?: SpdrActivities;
    dataConverter?: DataConverter;
    shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
  },
): Promise<RunningFakeWorker> {
  const systems = options.systems ?? fakeSystems();
  const worker = await Worker.create({
    connection,
    taskQueue: options.taskQueue,
    workflowBundle: await workflowBundle(),
    activities: options.activities ?? systems.activities,
    // Only what is set: the SDK refuses an explicit undefined grace time.
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    ...(options.shutdownGraceTime !== undefined ? { shutdownGraceTime: options.shutdownGraceTime } : {}),
  });
  const running = worker.run();
  return {
    worker,
    taskQueue: options.taskQueue,
    systems,
    running,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}
