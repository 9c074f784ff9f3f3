/**
 * Maintenance windows in virtual time: the real `maintenanceWindow` and `degradationReport`
 * workflows and the real look-up activities (queries to the windows and reports); only the
 * candidate list, which production reads from visibility, is named by the test (the time-skipping
 * server has no advanced visibility).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { MESSAGES, reportQuery } from '../../src/workflows/messages';
import type { degradationReport, maintenanceWindow } from '../../src/workflows';
import { WINDOW_MESSAGES, windowQuery } from '../../src/contract/maintenance';
import { maintenanceActivities, withMaintenance, type MaintenanceDirectory } from '../../src/activities/maintenance';
import type { MaintenanceWindowInputJson } from '../../src/domain/maintenance';
import { createTimeSkippingEnv, uniqueTaskQueue, workflowBundle } from '../support/env';
import { captureHistories } from '../support/scenarios';
import { eventually } from '../support/wait';
import { fakeSystems, type FakeSystems } from '../support/fake-activities';
import { WORKFLOW_TYPE, reportWorkflowId } from '../../src/contract';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const iso = (ms: number) => new Date(ms).toISOString();

let env: TestWorkflowEnvironment;
let worker: Worker;
let workerRun: Promise<void>;
let systems: FakeSystems;
let taskQueue: string;
const windowIds: string[] = [];
const reportIds: string[] = [];
/** Running workflows only, as production's visibility query (`ExecutionStatus = 'Running'`) lists them. */
async function running(workflowIds: string[]): Promise<string[]> {
  const statuses = await Promise.all(workflowIds.map(async (id) => (await env.client.workflow.getHandle(id).describe()).status.name));
  return workflowIds.filter((_, i) => statuses[i] === 'RUNNING');
}
const directory: MaintenanceDirectory = {
  candidateWindows: async () => running(windowIds.map((id) => `mw-${id}`)),
  candidateReports: async () => running(reportIds.map((id) => reportWorkflowId(id))),
};

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  systems = fakeSystems();
  taskQueue = uniqueTaskQueue('maintenance');
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: withMaintenance(systems.activities, maintenanceActivities(env.client, directory)),
  });
  workerRun = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await workerRun;
  await env?.teardown();
});

let seq = 0;
async function openReport(serviceId = 'svc-volte-fra1'): Promise<WorkflowHandle<typeof degradationReport>> {
  const reportId = `R-mw-${process.pid}-${++seq}`;
  reportIds.push(reportId);
  return env.client.workflow.start<typeof degradationReport>(WORKFLOW_TYPE, {
    taskQueue,
    workflowId: reportWorkflowId(reportId),
    args: [{ reportId, service: { id: serviceId }, severity: 'critical', description: 'Call setup latency p95 above 3 s' }],
  });
}

async function createWindow(input: Omit<MaintenanceWindowInputJson, 'windowId' | 'changeRequest' | 'createdBy'>) {
  const windowId = `CHG-${process.pid}-${++seq}`;
  windowIds.push(windowId);
  const handle = await env.client.workflow.start<typeof maintenanceWindow>('maintenanceWindow', {
    taskQueue,
    workflowId: `mw-${windowId}`,
    args: [{ windowId, changeRequest: windowId, createdBy: 'noc.anna', ...input }],
  });
  return { windowId, handle };
}

describe('maintenanceWindow (time-skipping)', () => {
  it('holds an open report in scope while active (held, reason, clocks paused, maintenanceWindowId) and returns it to its status after', async () => {
    const report = await openReport();
    const other = await openReport('svc-elsewhere');
    await report.executeUpdate(MESSAGES.setStatus.update, { args: [{ by: 'noc.anna', status: 'inProgress', reason: 'on it' }] });
    const openedAt = Date.parse((await report.query(reportQuery)).openedAt);
    const now = await env.currentTimeMs();
    const { windowId, handle } = await createWindow({
      scope: { serviceIds: ['svc-volte-fra1'], resourceIds: [] },
      start: iso(now + 30 * MIN),
      end: iso(now + 150 * MIN),
    });
    expect(await handle.query(windowQuery)).toMatchObject({ state: 'scheduled', heldReports: 0 });
    await env.sleep(30 * MIN + 5 * S);
    let r = await report.query(reportQuery);
    expect(r).toMatchObject({ status: 'held', maintenanceWindowId: windowId });
    expect(r.history.at(-1)).toMatchObject({ action: 'maintenanceHeld', reason: `maintenance ${windowId}`, by: `mw-${windowId}` });
    expect(r.jeopardy.pausedSince).toBeDefined();
    expect((await other.query(reportQuery)).status).toBe('acknowledged');
    expect(await handle.query(windowQuery)).toMatchObject({ state: 'active', heldReports: 1, heldReportIds: [r.reportId] });
    // Two hours of window: the 50% notice (2 h of a 4 h target) does not come inside it.
    await env.sleep(2 * H);
    r = await report.query(reportQuery);
    expect(r.status).toBe('inProgress');
    expect(r.maintenanceWindowId).toBeUndefined();
    expect(r.jeopardy.pausedMs).toBeGreaterThanOrEqual(2 * H - 10 * S);
    // From the hold (just after the start) to the release (just after the end, once the report has asked).
    expect(r.jeopardy.pausedMs).toBeLessThanOrEqual(2 * H + 10 * S);
    expect(Date.parse(r.jeopardy.deadline)).toBe(openedAt + 4 * H + r.jeopardy.pausedMs);
    expect(systems.assigneeNotices.filter((n) => n.reportId === r.reportId)).toHaveLength(0);
    expect(await handle.result()).toMatchObject({ state: 'ended' });
    // What a worker crash or a server restart relies on: both histories replay through the current code.
    for (const h of [handle, report]) {
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, await h.fetchHistory(), h.workflowId);
    }
    if (process.env.SPDR_CAPTURE_HISTORIES) await captureHistories('maintenance window holds a report and returns it', [handle, report]);
  });

  it('a report opened inside an active window opens held; one opened at the very moment a window starts is held within seconds', async () => {
    const now = await env.currentTimeMs();
    const { windowId } = await createWindow({
      scope: { serviceIds: ['svc-ims-ber2'], resourceIds: [] },
      start: iso(now),
      end: iso(now + H),
    });
    await env.sleep(1 * S);
    const inside = await openReport('svc-ims-ber2');
    const r = await inside.query(reportQuery);
    expect(r).toMatchObject({ status: 'held', maintenanceWindowId: windowId });
    expect(r.history.map((e) => e.action)).toEqual(['opened', 'maintenanceHeld']);

    const t = await env.currentTimeMs();
    const second = await createWindow({
      scope: { serviceIds: ['svc-ims-muc1'], resourceIds: [] },
      start: iso(t + 10 * MIN),
      end: iso(t + H),
    });
    await env.sleep(10 * MIN);
    const atStart = await openReport('svc-ims-muc1');
    await env.sleep(5 * S);
    expect(await atStart.query(reportQuery)).toMatchObject({ status: 'held', maintenanceWindowId: second.windowId });
  });

  it("a report whose root cause moves into an active window's scope is held at once, not at the window's next rescan", async () => {
    const report = await openReport('svc-elsewhere-rc');
    const now = await env.currentTimeMs();
    const { windowId, handle } = await createWindow({
      scope: { serviceIds: [], resourceIds: ['PE-9'] },
      start: iso(now + MIN),
      end: iso(now + 2 * H),
    });
    // Past the window's early rescans (1-30 s after its start): the next is a minute after the last.
    await env.sleep(MIN + 31 * S);
    expect((await report.query(reportQuery)).status).toBe('acknowledged');
    expect(await handle.query(windowQuery)).toMatchObject({ state: 'active', heldReports: 0 });
    const movedAt = await env.currentTimeMs();
    await report.executeUpdate(MESSAGES.addAnalysis.update, {
      args: [{ author: 'noc.anna', summary: 'PE-9 uplink', rootCause: { domain: 'resource', resourceId: 'PE-9' } }],
    });
    // Polled in real time: queries do not skip time, so the window's 60 s rescan cannot be what holds it.
    const held = await eventually(
      () => report.query(reportQuery),
      (r) => r.status === 'held',
      'the report held',
      15_000,
    );
    expect(held).toMatchObject({ maintenanceWindowId: windowId });
    console.log(`root cause moved into scope: held after ${Date.parse(held.history.at(-1)!.at) - movedAt} ms of workflow time`);
    expect(Date.parse(held.history.at(-1)!.at) - movedAt).toBeLessThan(10 * S);
    expect(held.history.at(-1)).toMatchObject({ action: 'maintenanceHeld' });
    await handle.signal(WINDOW_MESSAGES.cancelWindow.signal, { by: 'noc.anna', reason: 'done' });
  });

  it('a report whose root-cause resource is in scope is held; cancelWindow releases it now; a bad extendWindow is refused with the reason', async () => {
    const report = await openReport('svc-other');
    await report.executeUpdate(MESSAGES.addAnalysis.update, {
      args: [{ author: 'noc.anna', summary: 'PE-8 uplink', rootCause: { domain: 'service', resourceId: 'PE-8' } }],
    });
    const now = await env.currentTimeMs();
    const { handle } = await createWindow({
      scope: { serviceIds: [], resourceIds: ['PE-8'] },
      start: iso(now + MIN),
      end: iso(now + 2 * H),
    });
    await env.sleep(MIN + 5 * S);
    expect((await report.query(reportQuery)).status).toBe('held');
    await expect(handle.executeUpdate(WINDOW_MESSAGES.extendWindow.update, { args: [{ by: 'noc.anna', end: iso(now) }] })).rejects.toThrow(
      WorkflowUpdateFailedError,
    );
    const extended = await handle.executeUpdate(WINDOW_MESSAGES.extendWindow.update, { args: [{ by: 'noc.anna', end: iso(now + 3 * H) }] });
    expect(extended.currentOccurrence?.end).toBe(iso(now + 3 * H));
    await handle.signal(WINDOW_MESSAGES.cancelWindow.signal, { by: 'noc.anna', reason: 'change rolled back' });
    await env.sleep(5 * S);
    expect((await report.query(reportQuery)).status).toBe('acknowledged');
    expect(await handle.result()).toMatchObject({ state: 'cancelled', cancellation: { by: 'noc.anna', reason: 'change rolled back' } });
  });

  it(
    'a weekly Tuesday 01:00-03:00 Berlin window holds at 00:00Z before the March DST change and at 23:00Z Monday after it, continuing as new between occurrences',
    { timeout: 300_000 },
    async () => {
      const report = await openReport('svc-weekly');
      const first = Date.parse('2027-03-23T00:00:00Z'); // Tuesday 01:00 CET
      const { handle } = await createWindow({
        scope: { serviceIds: ['svc-weekly'], resourceIds: [] },
        start: iso(first),
        end: iso(first + 2 * H),
        recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=TU', timezone: 'Europe/Berlin', until: '2027-04-30T00:00:00Z' },
      });
      const sleepUntil = async (ms: number) => env.sleep(ms - (await env.currentTimeMs()));
      await sleepUntil(first - MIN);
      expect((await report.query(reportQuery)).status).toBe('acknowledged');
      await sleepUntil(first + 5 * S);
      expect((await report.query(reportQuery)).status).toBe('held');
      await sleepUntil(first + 2 * H + 5 * S);
      expect((await report.query(reportQuery)).status).toBe('acknowledged');
      // Summer time since 28 March: Tuesday 01:00 CEST is Monday 23:00Z.
      expect(await handle.query(windowQuery)).toMatchObject({
        state: 'scheduled',
        nextOccurrence: { number: 2, start: '2027-03-29T23:00:00.000Z' },
      });
      await sleepUntil(Date.parse('2027-03-29T23:00:05Z'));
      expect((await report.query(reportQuery)).status).toBe('held');
      const description = await handle.describe();
      expect(description.runId).not.toBe(description.raw.workflowExecutionInfo?.firstRunId);
      await handle.signal(WINDOW_MESSAGES.cancelWindow.signal, { by: 'noc.anna', reason: 'test over' });
      await env.sleep(5 * S);
      expect((await report.query(reportQuery)).status).toBe('acknowledged');
    },
  );

  it('a forged maintenanceChanged signal holds nothing: the report asks the windows and none holds it', async () => {
    const report = await openReport('svc-forged');
    await report.signal('maintenanceChanged', { windowId: 'CHG-forged' });
    await env.sleep(5 * S);
    const r = await report.query(reportQuery);
    expect(r.status).toBe('acknowledged');
    expect(r.maintenanceWindowId).toBeUndefined();
  });
});
