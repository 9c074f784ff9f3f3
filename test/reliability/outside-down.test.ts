/**
 * Outside system down: the resource trouble system drops every connection for a while (only that
 * simulator: the escalation webhook must stay reachable to receive the escalation). With a 4 s
 * SPDR_OUTSIDE_FAILURE_ESCALATE_AFTER the create call is retried, the outage is recorded in the
 * report (history + outsideFailures) and escalated with reason `outsideSystemFailing`; when the
 * system comes back the ticket is created, exactly one per resource cause, and the report
 * carries on to closure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from '@temporalio/worker';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Report } from '../../src/domain';
import { loadWorkerSettings } from '../../src/config/worker-settings';
import { startSimulators, type Simulators } from '../../src/simulators/main';
import { createWorker } from '../../src/worker';
import type { degradationReport } from '../../src/workflows';
import { MESSAGES, reportQuery } from '../../src/workflows/messages';
import { connectToDevServer, uniqueTaskQueue, workflowBundle } from '../support/env';
import { openReport } from '../support/open-report';
import { auditWorkflowTasks, envInt, eventually, http, log, sleep } from './helpers';
import { reportWorkflowId } from '../../src/contract';

const REPORTS = envInt('SPDR_OUTAGE_REPORTS', 6);
const ESCALATE_AFTER_MS = 4_000;
/** Long enough for the first failure window to pass and the second to start. */
const OUTAGE_MS = 10_000;

let dev: Awaited<ReturnType<typeof connectToDevServer>>;
let simulators: Simulators;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniqueTaskQueue('outage');

beforeAll(async () => {
  dev = await connectToDevServer();
  // Lax: a second create per external id is stored and repeated webhook deliveries are kept, so the counts below are the product's.
  simulators = await startSimulators({ seed: 23, lax: true });
  const settings = loadWorkerSettings({
    ...simulators.env(),
    SPDR_TASK_QUEUE: taskQueue,
    SPDR_HTTP_TIMEOUT_MS: '1000',
    SPDR_OUTSIDE_FAILURE_ESCALATE_AFTER: `${ESCALATE_AFTER_MS / 1000}s`,
  });
  worker = await createWorker({ connection: dev.nativeConnection, settings, workflowBundle: await workflowBundle() });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await simulators?.close();
  await dev?.close();
});

interface Escalation {
  idempotencyKey?: string;
  receivedAt: string;
  body: { type?: string; reportId?: string; level?: number; reason?: string; detail?: string };
}

interface OutageReport {
  reportId: string;
  handle: WorkflowHandle<typeof degradationReport>;
  key: string;
}

/** REPORTS reports, each with a resource cause on its own DSLAM (so each creates one ticket). */
function openOutageReports(client: Client): Promise<OutageReport[]> {
  return Promise.all(
    Array.from({ length: REPORTS }, async (_, i) => {
      const reportId = `OUTAGE-${process.pid}-${i}`;
      const handle = await openReport({ client }, taskQueue, {
        reportId,
        service: { id: 'svc-dsl-muc' },
        severity: 'minor',
        description: 'DSL sync rate drop',
        detectedAt: '2026-11-25T10:00:00Z',
      });
      await handle.signal(MESSAGES.addAnalysis.signal, {
        author: 'noc.anna',
        summary: 'DSLAM line card',
        rootCause: { domain: 'resource', resourceId: `DSLAM-${i}` },
      });
      return { reportId, handle, key: `spdr-${reportId}-rtr-DSLAM-${i}` };
    }),
  );
}

/** Every report records the outage (no ticket yet, the failure in its history) and escalates it. */
async function recordedDuringOutage(reports: OutageReport[], escalations: () => Promise<Escalation[]>): Promise<Report[]> {
  const duringOutage = await Promise.all(
    reports.map((r) =>
      eventually(
        () => r.handle.query(reportQuery),
        (x: Report) => x.outsideFailures.some((f) => f.system === 'resourceTroubleManagement' && f.key === r.key),
        `the outage recorded by ${r.reportId}`,
        30_000,
        250,
      ),
    ),
  );
  await eventually(
    escalations,
    (list) => reports.every((r) => list.some((w) => w.body.reportId === r.reportId)),
    'an outsideSystemFailing escalation per report',
    20_000,
    250,
  );
  for (const r of duringOutage) {
    expect(r.troubleReports[0]).toMatchObject({ status: 'requested' });
    expect(r.troubleReports[0].ticketId).toBeUndefined();
    expect(
      r.history.some(
        (h) => h.action === 'outsideSystemFailed' && h.by === 'resourceTroubleManagement' && /create trouble report/.test(h.detail ?? ''),
      ),
    ).toBe(true);
  }
  return duringOutage;
}

/** Resolves each ticket, clears and confirms closure of each report. */
async function closeAll(reports: OutageReport[], caughtUp: Report[]): Promise<void> {
  for (const [i, r] of reports.entries()) {
    await r.handle.signal(MESSAGES.resourceTroubleUpdate.signal, {
      externalId: r.key,
      ticketId: caughtUp[i].troubleReports[0].ticketId,
      status: 'resolved',
      resolution: 'line card swapped',
    });
    await r.handle.signal(MESSAGES.clear.signal, { by: 'noc.anna', resolution: 'line card swapped' });
    await r.handle.signal(MESSAGES.confirmClosure.signal, { by: 'close.process' });
  }
}

/** One key per escalation (report, level, failing system and operation, failure number), at most one per recorded failure. */
function expectOneKeyPerFailure(delivered: Escalation[], finals: Report[]): void {
  // One key per escalation: report, level, the failing system and operation, and the failure's number.
  expect(
    delivered
      .filter(
        (w) =>
          !String(w.idempotencyKey).startsWith(
            `spdr-${w.body.reportId}-esc-${w.body.level}-outsideSystemFailing-resourceTroubleManagement-create-trouble-report-`,
          ),
      )
      .map((w) => w.idempotencyKey),
  ).toEqual([]);
  for (const f of finals) {
    const keys = new Set(delivered.filter((w) => w.body.reportId === f.reportId).map((w) => w.idempotencyKey));
    const recorded = f.history.filter((h) => h.action === 'outsideSystemFailed' && h.by === 'resourceTroubleManagement').length;
    expect(keys.size, `outsideSystemFailing keys of ${f.reportId}`).toBeGreaterThanOrEqual(1);
    // Lax sink: every delivery is kept; a key delivered twice is a retried webhook, never a second escalation.
    expect(keys.size).toBeLessThanOrEqual(recorded);
  }
}

describe('the resource trouble system is down for a while', () => {
  it('the outage is recorded and escalated; once it is back, one ticket per cause is created and the reports catch up', async () => {
    const wallStart = Date.now();
    const client = dev.client;
    await http(`${simulators.troubleUrl}/admin/faults`, { method: 'POST', body: JSON.stringify({ down: true }) });
    const downAt = Date.now();
    const reports = await openOutageReports(client);

    // During the outage: every report records the failure and escalates it.
    const escalations = async () =>
      (await http<{ received: Escalation[] }>(`${simulators.webhookUrl}/admin/received?path=/escalation`)).received.filter(
        (w) =>
          w.body.type === 'spdr.escalation' &&
          w.body.reason === 'outsideSystemFailing' &&
          reports.some((r) => r.reportId === w.body.reportId),
      );
    const duringOutage = await recordedDuringOutage(reports, escalations);
    const firstRecorded = Math.min(...duringOutage.map((r) => Date.parse(r.outsideFailures[0].at)));
    // Not recorded before the window ran out (less a second: a create scheduled just before the outage
    // began counts its window from its schedule, and workflow time is the task's start).
    expect(firstRecorded - downAt).toBeGreaterThanOrEqual(ESCALATE_AFTER_MS - 1000);

    await sleep(Math.max(0, downAt + OUTAGE_MS - Date.now()));
    await http(`${simulators.troubleUrl}/admin/faults`, { method: 'DELETE' });
    const upAt = Date.now();

    // Back up: the retried create goes through, once per cause.
    const caughtUp = await Promise.all(
      reports.map((r) =>
        eventually(
          () => r.handle.query(reportQuery),
          (x: Report) => x.troubleReports[0]?.ticketId !== undefined,
          `the ticket of ${r.reportId}`,
          60_000,
          250,
        ),
      ),
    );
    const caughtUpAt = Date.now();
    const stats = await http<{ lax: boolean; createdPerExternalId: Record<string, number>; failuresInjected: { down: number } }>(
      `${simulators.troubleUrl}/admin/stats`,
    );
    expect(stats.lax).toBe(true);
    const perCause = reports.map((r) => stats.createdPerExternalId[r.key] ?? 0);
    expect(perCause).toEqual(reports.map(() => 1));
    expect(stats.failuresInjected.down).toBeGreaterThan(0);
    for (const r of caughtUp) expect(r.troubleReports[0].status).toBe('acknowledged');

    // ...and the reports carry on to closure.
    await closeAll(reports, caughtUp);
    const finals = await Promise.all(reports.map((r) => r.handle.result()));
    expect(finals.map((f) => f.status)).toEqual(reports.map(() => 'closed'));

    // The lax sink keeps every delivery: each is under its threshold's one key, and each report
    // escalated the outage at most once per failure it recorded (not once per failed attempt).
    const delivered = await escalations();
    expectOneKeyPerFailure(delivered, finals);
    const sink = await http<{ duplicates: number }>(`${simulators.webhookUrl}/admin/received`);
    const audit = await auditWorkflowTasks(
      client,
      reports.map((r) => reportWorkflowId(r.reportId)),
    );
    expect(audit.ours).toEqual([]);

    const failures = finals.map((f) => f.outsideFailures.filter((x) => x.system === 'resourceTroubleManagement').length);
    log(
      `outside down: ${reports.length} reports, trouble system down ${((upAt - downAt) / 1000).toFixed(1)}s, first failure recorded ${((firstRecorded - downAt) / 1000).toFixed(1)}s after it went down (window ${ESCALATE_AFTER_MS / 1000}s), ` +
        `failures recorded per report min ${Math.min(...failures)} max ${Math.max(...failures)}, outsideSystemFailing escalation deliveries ${delivered.length} (${sink.duplicates} of them repeats of a key, kept by the lax sink), ` +
        `connections dropped ${stats.failuresInjected.down}, caught up ${((caughtUpAt - upAt) / 1000).toFixed(1)}s after it came back, tickets per cause min ${Math.min(...perCause)} max ${Math.max(...perCause)}, all ${finals.length} closed; ` +
        `workflow task failures of ours ${audit.ours.length}; wall ${((Date.now() - wallStart) / 1000).toFixed(1)}s`,
    );
  }, 180_000);
});
