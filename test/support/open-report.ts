/**
 * Opening reports in the time-skipping scenarios: a worker of the real workflows on a fresh task
 * queue, and `degradationReport` started on it through the contract (workflow type, workflow id).
 */
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { SpdrActivities } from '../../src/activities/types';
import { WORKFLOW_TYPE, reportWorkflowId } from '../../src/contract';
import type { degradationReport } from '../../src/workflows';
import { uniqueTaskQueue, workflowBundle } from './env';

export type OpenedReport = WorkflowHandleWithFirstExecutionRunId<typeof degradationReport>;

/** A worker of the bundled workflows with these activities, on a new task queue named after `prefix`. */
export async function reportWorker(
  env: TestWorkflowEnvironment,
  prefix: string,
  activities: SpdrActivities,
): Promise<{ worker: Worker; taskQueue: string }> {
  const taskQueue = uniqueTaskQueue(prefix);
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities,
  });
  return { worker, taskQueue };
}

/** Starts the report `input.reportId` (workflow `spdr-<reportId>`) on `taskQueue`. */
export function openReport(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  input: { reportId: string } & Record<string, unknown>,
): Promise<OpenedReport> {
  return env.client.workflow.start<typeof degradationReport>(WORKFLOW_TYPE, {
    taskQueue,
    workflowId: reportWorkflowId(input.reportId),
    args: [input],
  });
}
