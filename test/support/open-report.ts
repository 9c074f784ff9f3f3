/**
 * Opening reports in the time-skipping scenarios: a worker of the real workflows on a fresh task
 * queue, and `degradationReport` started on it through the contract (workflow type, workflow id).
 */
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { SpdrActivities } from '../../src/activities/types';
import { MESSAGES } from '../../src/contract';
import { WORKFLOW_TYPE, reportWorkflowId } from '../../src/contract';
import type { degradationReport } from '../../src/workflows';
import { uniqueTaskQueue, workflowBundle } from './env';
import { eventually } from './wait';

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
  env: { client: Client },
  taskQueue: string,
  input: { reportId: string } & Record<string, unknown>,
): Promise<OpenedReport> {
  return env.client.workflow.start<typeof degradationReport>(WORKFLOW_TYPE, {
    taskQueue,
    workflowId: reportWorkflowId(input.reportId),
    args: [input],
  });
}

/**
 * Opens a report whose analysis names each resource as a cause (one ticket each, key
 * `spdr-<reportId>-rtr-<resource>`), then the first cause again, which must not make a second ticket.
 */
export async function openWithResourceCauses(
  client: Client,
  taskQueue: string,
  input: { reportId: string } & Record<string, unknown>,
  resources: string[],
  /** Called once the workflow has started, before the analysis is sent. */
  onStarted: () => void = () => {},
): Promise<{ reportId: string; handle: OpenedReport; keys: string[] }> {
  const handle = await openReport({ client }, taskQueue, input);
  onStarted();
  for (const resourceId of resources) {
    await handle.signal(MESSAGES.addAnalysis.signal, {
      author: 'noc.anna',
      summary: `suspect ${resourceId}`,
      rootCause: { domain: 'resource', resourceId },
    });
  }
  await handle.signal(MESSAGES.addAnalysis.signal, {
    author: 'noc.ben',
    summary: 'same cause again',
    rootCause: { domain: 'resource', resourceId: resources[0] },
  });
  return { reportId: input.reportId, handle, keys: resources.map((r) => `spdr-${input.reportId}-rtr-${r}`) };
}

/**
 * Waits until the report's first workflow task has completed (settings read, report opened), so a
 * query sent next never meets that task in flight. Once, in a fresh-clone CI run, a query sent at
 * once to a report opened on the time-skipping server was followed by a nondeterminism failure of
 * its second workflow task (the opening's patch marker not matched); see the README, Reliability.
 */
export async function firstTaskCompleted(handle: OpenedReport): Promise<void> {
  await eventually(
    async () => (await handle.fetchHistory()).events ?? [],
    (events) => events.some((e) => e.workflowTaskCompletedEventAttributes),
    `the first workflow task of ${handle.workflowId} to complete`,
    30_000,
    50,
  );
}
