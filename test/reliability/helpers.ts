/**
 * Shared by the reliability tests: waiting, HTTP to the simulators, a seeded random sequence,
 * free ports, and the workflow-task-failure audit over every run of a report.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function eventually<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  what: string,
  timeoutMs = 30_000,
  everyMs = 200,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await read();
      if (ok(last)) return last;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > until) {
      const seen = last === undefined ? `last error: ${String(lastError)}` : `last value: ${JSON.stringify(last).slice(0, 800)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${seen}`);
    }
    await sleep(everyMs);
  }
}

export async function http<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...(init?.headers ?? {}) } });
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url} -> ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** mulberry32: reproducible "random" moments and choices. */
export { seededRandom as seeded } from '../../src/simulators/faults';

/** A fresh temp dir, on tmpfs when there is one: the dev server's SQLite file syncs a lot, and CI disks are slow. */
export function scratchDir(prefix: string): string {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  return mkdtempSync(join(base, prefix));
}

/** A TCP port that was free a moment ago (for a server that must come back on the same port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
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
