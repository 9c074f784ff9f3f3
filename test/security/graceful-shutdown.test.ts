/**
 * Graceful shutdown (what SIGTERM triggers in `npm run worker`: Worker.shutdown()): an activity in
 * flight either finishes within the grace period and its result is recorded, or, if it would run
 * past the grace period, is cancelled and handed back to the server, which retries it on the next
 * worker. Either way the worker stops within the grace period and the report loses nothing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Context } from '@temporalio/activity';
import { Worker } from '@temporalio/worker';
import { SpdrClient, type StartInputJson } from '../../src/client';
import type { Report } from '../../src/domain';
import type { SpdrActivities } from '../../src/activities/types';
import { connectToDevServer, uniqueTaskQueue, workflowBundle } from '../support/env';
import { fakeSystems, type FakeSystems } from '../support/fake-activities';

let server: Awaited<ReturnType<typeof connectToDevServer>>;
const runTag = `${process.pid.toString(36)}${Date.now().toString(36)}`;

beforeAll(async () => {
  server = await connectToDevServer();
});
afterAll(async () => {
  await server?.close();
});

interface SlowCreate {
  activities: SpdrActivities;
  started: Promise<void>;
  finished: boolean;
  cancelledBy?: string;
}

/** The fake systems with a createTroubleReport that takes `ms` (or until the worker cancels it). */
function slowCreate(systems: FakeSystems, ms: number): SlowCreate {
  let markStarted!: () => void;
  const state: SlowCreate = {
    activities: { ...systems.activities },
    started: new Promise<void>((r) => (markStarted = r)),
    finished: false,
  };
  state.activities.createTroubleReport = async (effect) => {
    markStarted();
    const ctx = Context.current();
    try {
      await Promise.race([sleep(ms, undefined, { signal: ctx.cancellationSignal }), ctx.cancelled]);
    } catch (err) {
      state.cancelledBy = `${(err as Error).name}: ${(err as Error).message}`;
      throw err;
    }
    const result = await systems.activities.createTroubleReport(effect);
    state.finished = true;
    return result;
  };
  return state;
}

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > until) return value;
    await sleep(250);
  }
}

async function openWithResourceCause(spdr: SpdrClient, reportId: string): Promise<void> {
  const input: StartInputJson = {
    reportId,
    service: { id: `svc-${reportId}` },
    severity: 'major',
    description: 'shutdown drill',
    detectedAt: '2026-11-25T10:00:00Z',
    degradedKpis: [],
  };
  await spdr.open(input);
  await spdr.signal(reportId, 'addAnalysis', {
    author: 'noc.anna',
    summary: 'PE-7 uplink errors',
    rootCause: { domain: 'resource', resourceId: 'PE-7' },
  });
}

async function startWorker(taskQueue: string, activities: SpdrActivities, shutdownGraceTime: string) {
  const worker = await Worker.create({
    connection: server.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities,
    shutdownGraceTime,
  });
  const running = worker.run();
  return { worker, running };
}

/** Calls shutdown() and resolves with how long the worker took to stop. */
async function timedShutdown(worker: Worker, running: Promise<void>): Promise<number> {
  const t0 = Date.now();
  worker.shutdown();
  await running;
  return Date.now() - t0;
}

describe('graceful shutdown', () => {
  it('an activity in flight finishes within the grace period; its result is recorded, not re-run', async () => {
    const taskQueue = uniqueTaskQueue('shutdown-drain');
    const spdr = new SpdrClient(server.client, { taskQueue });
    const first = fakeSystems();
    const slow = slowCreate(first, 1_000);
    const { worker, running } = await startWorker(taskQueue, slow.activities, '5s');
    const reportId = `SD-${runTag}-1`;
    await openWithResourceCause(spdr, reportId);
    await slow.started;

    const stoppedAfterMs = await timedShutdown(worker, running);
    expect(slow.finished).toBe(true);
    expect(slow.cancelledBy).toBeUndefined();
    expect(stoppedAfterMs).toBeLessThan(5_000);

    // The next worker carries on from the recorded result: the ticket is there, created once.
    const second = fakeSystems();
    const next = await startWorker(taskQueue, second.activities, '5s');
    try {
      const report = await eventually(
        () => spdr.get(reportId),
        (r: Report) => r.troubleReports.length === 1 && r.troubleReports[0].ticketId !== undefined,
      );
      expect(report.troubleReports).toHaveLength(1);
      expect([...first.createAttempts.values()]).toEqual([1]);
      expect(second.createAttempts.size).toBe(0);
    } finally {
      await timedShutdown(next.worker, next.running);
    }
  });

  it('an activity that would outlast the grace period is cancelled and handed back; the next worker completes it', async () => {
    const taskQueue = uniqueTaskQueue('shutdown-handback');
    const spdr = new SpdrClient(server.client, { taskQueue });
    const first = fakeSystems();
    const stuck = slowCreate(first, 60_000);
    const { worker, running } = await startWorker(taskQueue, stuck.activities, '500ms');
    const reportId = `SD-${runTag}-2`;
    await openWithResourceCause(spdr, reportId);
    await stuck.started;

    const stoppedAfterMs = await timedShutdown(worker, running);
    expect(stuck.finished).toBe(false);
    expect(stuck.cancelledBy).toMatch(/WORKER_SHUTDOWN/);
    expect(stoppedAfterMs).toBeLessThan(500 + 2_500);

    const second = fakeSystems();
    const next = await startWorker(taskQueue, second.activities, '5s');
    try {
      const report = await eventually(
        () => spdr.get(reportId),
        (r: Report) => r.troubleReports.length === 1 && r.troubleReports[0].ticketId !== undefined,
        60_000,
      );
      expect(report.troubleReports).toHaveLength(1);
      expect(second.createAttempts.size).toBe(1);
    } finally {
      await timedShutdown(next.worker, next.running);
    }
  });
});
