/**
 * Shared by the reliability tests: a seeded random sequence, scratch dirs, a bounded pool and
 * the workflow-task-failure audit over every run of a report (waiting and HTTP come from ../support).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export const log = (line: string): void => console.log(`[reliability] ${line}`);

/** A whole number from the environment (for CI sizing), with a default. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw.trim() === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name}: expected a whole number (got "${raw}")`);
  return value;
}

export { eventually, sleep } from '../support/wait';
export { freePort, http } from '../support/net';

/** mulberry32: reproducible "random" moments and choices. */
export { seededRandom as seeded } from '../../src/simulators/faults';

/** A fresh temp dir, on tmpfs when there is one: the dev server's SQLite file syncs a lot, and CI disks are slow. */
export function scratchDir(prefix: string): string {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  return mkdtempSync(join(base, prefix));
}

/** Runs `task` over `items` with at most `limit` in flight. */
export async function pool<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index], index);
    }
  });
  await Promise.all(lanes);
  return results;
}

const { EventType, WorkflowTaskFailedCause } = temporal.api.enums.v1;

export interface TaskFailureAudit {
  runs: number;
  events: number;
  /** WorkflowTaskFailed caused by our code: nondeterminism, a thrown error, a bad command... */
  ours: { workflowId: string; runId: string; cause: string; message: string }[];
  /** WorkflowTaskFailed with cause UnhandledCommand: the server raced a new event against the task's commands (benign). */
  unhandledCommand: number;
  /**
   * WorkflowTaskFailed by the history service itself with cause ForceCloseCommand: signals that
   * arrived during a running task outgrew the server's buffer for them (2 MB by default), so the
   * server failed that task to flush them into history; the task is retried with them (benign,
   * nothing of ours ran).
   */
  serverBufferFlush: number;
  /** Workflow tasks that timed out (a killed worker held them; benign, they are retried). */
  timedOut: number;
  /** Activities that completed on a later attempt than the first, per activity type (e.g. retried after a kill). */
  retriedActivities: Record<string, number>;
}

/** Every run of each workflow id (continue-as-new chains included), and every WFT failure in them. */
export async function auditWorkflowTasks(client: Client, workflowIds: readonly string[]): Promise<TaskFailureAudit> {
  const audit: TaskFailureAudit = {
    runs: 0,
    events: 0,
    ours: [],
    unhandledCommand: 0,
    serverBufferFlush: 0,
    timedOut: 0,
    retriedActivities: {},
  };
  for (const workflowId of workflowIds) {
    const runIds = new Set<string>();
    for await (const info of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runIds.add(info.runId);
    // Visibility may lag; the latest run is always reachable directly.
    runIds.add((await client.workflow.getHandle(workflowId).describe()).runId);
    for (const runId of runIds) {
      audit.runs += 1;
      const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
      const activityTypes = new Map<string, string>();
      for (const event of history.events ?? []) {
        audit.events += 1;
        if (event.activityTaskScheduledEventAttributes)
          activityTypes.set(String(event.eventId), event.activityTaskScheduledEventAttributes.activityType?.name ?? '?');
        const started = event.activityTaskStartedEventAttributes;
        if (started && (started.attempt ?? 1) > 1) {
          const type = activityTypes.get(String(started.scheduledEventId)) ?? '?';
          audit.retriedActivities[type] = (audit.retriedActivities[type] ?? 0) + 1;
        }
        if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT) audit.timedOut += 1;
        if (event.eventType !== EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) continue;
        const attrs = event.workflowTaskFailedEventAttributes;
        const cause = attrs?.cause ?? WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED;
        if (cause === WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND) {
          audit.unhandledCommand += 1;
        } else if (
          cause === WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND &&
          attrs?.identity === 'history-service'
        ) {
          audit.serverBufferFlush += 1;
        } else {
          audit.ours.push({
            workflowId,
            runId,
            cause: WorkflowTaskFailedCause[cause] ?? String(cause),
            message: attrs?.failure?.message ?? '',
          });
        }
      }
    }
  }
  return audit;
}

/** A killable worker process (scripts/crash-worker.ts) and what it printed on stderr. */
export interface CrashWorker {
  child: ChildProcess;
  exited: Promise<number | null>;
  stderr: string[];
}

/** Starts scripts/crash-worker.ts with these settings on top of the environment and waits until it polls. */
export async function startCrashWorker(env: Record<string, string>, readyWithinMs: number): Promise<CrashWorker> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/crash-worker.ts'], {
    cwd: resolve(__dirname, '../..'),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  await new Promise<void>((ready, failed) => {
    const timer = setTimeout(
      () => failed(new Error(`worker did not start within ${readyWithinMs / 1000} s: ${stderr.join('')}`)),
      readyWithinMs,
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('crash-worker ready')) {
        clearTimeout(timer);
        ready();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      failed(new Error(`worker exited with ${code} before it was ready: ${stderr.join('')}`));
    });
  });
  return { child, exited, stderr };
}
