/**
 * Server restart: a dev server with a SQLite file on a fixed port is stopped while reports are
 * open, stays down past the moment their jeopardy timers fall due, and is started again on the
 * same port and file. The timers fire after the restart (the escalations reach the webhook sink),
 * and nothing is lost: the reports, their analysis, tickets and history are all still there.
 *
 * The worker and the client are created once, before the outage, and are NOT recreated: the
 * worker's native connection and the client's gRPC channel reconnect on their own (the test fails
 * if the worker gives up, and reports it).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Report } from '../../src/domain';
import { loadWorkerSettings } from '../../src/config/worker-settings';
import { startDevServer } from '../../src/infra/temporal-servers';
import { startSimulators, type Simulators } from '../../src/simulators/main';
import { createWorker } from '../../src/worker';
import type { degradationReport } from '../../src/workflows';
import { MESSAGES, reportQuery } from '../../src/workflows/messages';
import { uniqueTaskQueue, workflowBundle } from '../support/env';
import { openReport } from '../support/open-report';
import { auditWorkflowTasks, envInt, eventually, freePort, http, log, scratchDir, sleep } from './helpers';
import { reportWorkflowId } from '../../src/contract';

const REPORTS = envInt('SPDR_RESTART_REPORTS', 4);
/** 12 s target: notice at 6 s, level 1 at 9 s, level 2 (breached) at 12 s. The outage covers all three. */
const TARGET_MS = 12_000;
const OUTAGE_UNTIL_MS = 14_000;

let tmp: string;
let dbFilename: string;
let port: number;
let dev: TestWorkflowEnvironment | undefined;
let connection: Connection;
let nativeConnection: NativeConnection;
let client: Client;
let simulators: Simulators;
let worker: Worker;
let running: Promise<void>;
let workerError: unknown;
const taskQueue = uniqueTaskQueue('restart');

beforeAll(async () => {
  tmp = scratchDir('spdr-restart-');
  dbFilename = join(tmp, 'temporal.db');
  port = await freePort();
  const [server, bundle] = await Promise.all([startDevServer({ dbFilename, port }), workflowBundle()]);
  dev = server;
  const address = `127.0.0.1:${port}`;
  connection = await Connection.connect({ address });
  nativeConnection = await NativeConnection.connect({ address });
  client = new Client({ connection });
  // Lax: the trouble system stores a second ticket per external id and the sink keeps repeated deliveries, so the checks below count them.
  simulators = await startSimulators({ seed: 11, lax: true });
  const settings = loadWorkerSettings({ ...simulators.env(), SPDR_TASK_QUEUE: taskQueue, SPDR_HTTP_TIMEOUT_MS: '2000' });
  worker = await createWorker({ connection: nativeConnection, settings, workflowBundle: bundle });
  running = worker.run().catch((err: unknown) => {
    workerError = err;
  });
});

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  await simulators?.close();
  await nativeConnection?.close();
  await connection?.close();
  await dev?.teardown();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

interface RestartReport {
  reportId: string;
  handle: WorkflowHandle<typeof degradationReport>;
}

interface Delivered {
  receivedAt: string;
  idempotencyKey?: string;
  body: { type?: string; reportId?: string; level?: number };
}

/** REPORTS reports with a service and a resource cause each, so each has a ticket before the outage. */
function openRestartReports(): Promise<RestartReport[]> {
  return Promise.all(
    Array.from({ length: REPORTS }, async (_, i) => {
      const reportId = `RESTART-${process.pid}-${i}`;
      const handle = await openReport({ client }, taskQueue, {
        reportId,
        service: { id: 'svc-iptv-ber2' },
        severity: 'major',
        description: 'IPTV join time above 2 s',
        detectedAt: '2026-11-25T10:00:00Z',
        jeopardyPolicy: { resolutionTarget: TARGET_MS },
      });
      await handle.executeUpdate(MESSAGES.addAnalysis.update, {
        args: [{ author: 'noc.anna', summary: 'multicast tree flapping', rootCause: { domain: 'service' } }],
      });
      await handle.executeUpdate(MESSAGES.addAnalysis.update, {
        args: [{ author: 'noc.ben', summary: 'PIM neighbour loss on AGG-3', rootCause: { domain: 'resource', resourceId: `AGG-${i}` } }],
      });
      return { reportId, handle };
    }),
  );
}

/** Each report kept everything from before the outage and took its ladder steps after the restart. */
async function expectNothingLost(reports: RestartReport[], before: Report[], restartAt: number): Promise<void> {
  for (const [i, r] of reports.entries()) {
    const after = await r.handle.query(reportQuery);
    expect(after.analysis.map((a) => a.summary)).toEqual(before[i].analysis.map((a) => a.summary));
    expect(after.troubleReports.map((t) => t.ticketId)).toEqual(before[i].troubleReports.map((t) => t.ticketId));
    expect(after.history.slice(0, before[i].history.length)).toEqual(before[i].history);
    expect(after.jeopardy).toMatchObject({ state: 'breached' });
    expect(after.jeopardy.escalationLevel).toBeGreaterThanOrEqual(2);
    const ladder = after.history.filter((h) => h.action === 'escalated' || h.action === 'assigneesNotified');
    expect(ladder.length).toBeGreaterThanOrEqual(3);
    // Each step was taken after the restart (the ladder entries carry the worker's time of taking them).
    for (const step of ladder.slice(0, 3)) expect(Date.parse(step.at)).toBeGreaterThanOrEqual(restartAt);
  }
}

/** One key per threshold, each level taken once, one ticket per resource cause; the number of thresholds. */
async function expectOnceEach(reports: RestartReport[], delivered: Delivered[]): Promise<number> {
  // One key per threshold (report, level): the lax sink keeps repeated deliveries, so a threshold
  // taken twice under two keys, or a level taken twice, shows here.
  const keysPerThreshold = new Map<string, Set<string | undefined>>();
  for (const w of delivered) {
    const threshold = `${w.body.reportId}/${w.body.level}`;
    keysPerThreshold.set(threshold, (keysPerThreshold.get(threshold) ?? new Set()).add(w.idempotencyKey));
  }
  expect([...keysPerThreshold.values()].map((k) => k.size)).toEqual([...keysPerThreshold.values()].map(() => 1));
  for (const r of reports) {
    const steps = (await r.handle.query(reportQuery)).history
      .filter((h) => h.action === 'escalated')
      .map((h) => h.detail?.match(/^level (\d+)/)?.[1]);
    expect(new Set(steps).size, `levels of ${r.reportId} taken once each`).toBe(steps.length);
  }
  // One ticket per resource cause, though the lax trouble system would have stored a second.
  const stats = await http<{ lax: boolean; createdPerExternalId: Record<string, number> }>(`${simulators.troubleUrl}/admin/stats`);
  expect(stats.lax).toBe(true);
  expect(reports.map((r) => stats.createdPerExternalId[`spdr-${r.reportId}-rtr-AGG-${reports.indexOf(r)}`])).toEqual(reports.map(() => 1));
  return keysPerThreshold.size;
}

describe('the Temporal server stops and starts again (SQLite file, same port) while reports are open', () => {
  it('timers due during the outage fire after the restart, and nothing is lost', async () => {
    const wallStart = Date.now();
    const reports = await openRestartReports();
    const openedAt = Date.now();
    const before = await Promise.all(
      reports.map((r) =>
        eventually(
          () => r.handle.query(reportQuery),
          (x: Report) => x.troubleReports[0]?.ticketId !== undefined,
          `ticket of ${r.reportId}`,
        ),
      ),
    );
    expect(before.every((r) => r.jeopardy.escalationLevel === 0)).toBe(true);

    await dev!.teardown();
    dev = undefined;
    const downAt = Date.now();
    expect(downAt - openedAt, 'the server must go down before the first threshold (6 s)').toBeLessThan(6_000);
    // A message sent during the outage gets a clear error (here after a 2 s deadline) instead of vanishing.
    const duringOutage = await connection
      .withDeadline(Date.now() + 2_000, () =>
        reports[0].handle.signal(MESSAGES.addAnalysis.signal, { author: 'noc.anna', summary: 'sent while the server is down' }),
      )
      .then(
        () => 'accepted',
        (err: unknown) =>
          err instanceof Error ? `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}` : String(err),
      );
    expect(duringOutage, 'a signal while the server is down must fail with an error, not be accepted').not.toBe('accepted');
    expect(duringOutage).toMatch(/^Failed to signal Workflow/);
    await sleep(Math.max(0, openedAt + OUTAGE_UNTIL_MS - Date.now()));
    // Timers cannot fire while the server is down, so every threshold is taken after this moment.
    const restartAt = Date.now();
    dev = await startDevServer({ dbFilename, port });
    const upAt = Date.now();

    // The old worker and client carry on: every threshold that fell due during the outage is taken now.
    const escalations = async () =>
      (await http<{ received: Delivered[] }>(`${simulators.webhookUrl}/admin/received?path=/escalation`)).received.filter(
        (w) => w.body.type === 'spdr.escalation',
      );
    const delivered = await eventually(
      escalations,
      (list) => reports.every((r) => list.filter((w) => w.body.reportId === r.reportId && (w.body.level ?? 0) >= 1).length >= 2),
      'levels 1 and 2 of every report',
      60_000,
      500,
    );
    const firstAfter = Math.min(...delivered.map((w) => Date.parse(w.receivedAt)));
    expect(firstAfter).toBeGreaterThanOrEqual(restartAt);
    expect(workerError).toBeUndefined();
    expect(worker.getState()).toBe('RUNNING');

    await expectNothingLost(reports, before, restartAt);
    const thresholds = await expectOnceEach(reports, delivered);
    const sink = await http<{ duplicates: number }>(`${simulators.webhookUrl}/admin/received`);

    for (const r of reports) await r.handle.signal(MESSAGES.cancel.signal, { by: 'noc.anna', reason: 'other', note: 'test over' });
    const finals = await Promise.all(reports.map((r) => r.handle.result()));
    expect(finals.map((f) => f.status)).toEqual(reports.map(() => 'cancelled'));
    const audit = await auditWorkflowTasks(
      client,
      reports.map((r) => reportWorkflowId(r.reportId)),
    );
    expect(audit.ours).toEqual([]);

    log(
      `server restart: ${reports.length} reports, server down from ${((downAt - openedAt) / 1000).toFixed(1)}s to ${((restartAt - openedAt) / 1000).toFixed(1)}s after opening (levels 1/2 due at 9s/12s), restart took ${((upAt - restartAt) / 1000).toFixed(1)}s, ` +
        `first escalation ${((firstAfter - restartAt) / 1000).toFixed(1)}s after the restart began, escalations delivered ${delivered.length} (${thresholds} thresholds, repeated deliveries ${sink.duplicates}), reports lost 0, analysis entries kept ${before.reduce((n, r) => n + r.analysis.length, 0)}, ` +
        `same worker + client reconnected (no new connection), signal during outage: ${duringOutage.slice(0, 120)}; ` +
        `workflow task failures of ours ${audit.ours.length}, UnhandledCommand ${audit.unhandledCommand}; wall ${((Date.now() - wallStart) / 1000).toFixed(1)}s`,
    );
  }, 240_000);
});
