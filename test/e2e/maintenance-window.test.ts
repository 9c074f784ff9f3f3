/**
 * Maintenance windows end to end on the run's dev server, with real (short) timers: the real
 * worker (createWorker with its client: real visibility look-ups, real queries), a window created
 * with the starter CLI, reports held and released, and the CLI's list / extend / cancel.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '../../src/domain';
import type { WindowView } from '../../src/domain/maintenance';
import { windowQuery } from '../../src/contract/maintenance';
import { main } from '../../src/starter';
import { createWorker } from '../../src/worker';
import { reportQuery } from '../../src/workflows/messages';
import { settingsWithoutOutsideCalls, uniqueTaskQueue, workflowBundle } from '../support/env';
import { eventually, sleep } from '../support/wait';
import { WORKFLOW_TYPE, reportWorkflowId } from '../../src/contract';

let client: Client;
let connection: Connection;
let nativeConnection: NativeConnection;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniqueTaskQueue('mw-e2e');
const tag = `${process.pid.toString(36)}${Date.now().toString(36)}`;
const tmp = mkdtempSync(join(tmpdir(), 'spdr-mw-'));

beforeAll(async () => {
  const address = inject('devServerAddress');
  connection = await Connection.connect({ address });
  nativeConnection = await NativeConnection.connect({ address });
  client = new Client({ connection });
  const settings = settingsWithoutOutsideCalls(taskQueue);
  worker = await createWorker({ connection: nativeConnection, settings, workflowBundle: await workflowBundle(), client });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await nativeConnection?.close();
  await connection?.close();
});

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    env: { TEMPORAL_ADDRESS: inject('devServerAddress'), SPDR_TASK_QUEUE: taskQueue },
    interrupt: new AbortController().signal,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function openReport(reportId: string, serviceId: string) {
  return client.workflow.start(WORKFLOW_TYPE, {
    taskQueue,
    workflowId: reportWorkflowId(reportId),
    args: [{ reportId, service: { id: serviceId }, severity: 'critical', description: 'Call setup latency p95 above 3 s' }],
  });
}

const report = (reportId: string): Promise<Report> => client.workflow.getHandle(reportWorkflowId(reportId)).query(reportQuery);

describe('maintenance window on the dev server (real timers)', () => {
  it('the CLI refuses an unknown maintenance action, a missing option and an invalid window before sending anything', async () => {
    expect(await cli(['maintenance', 'frob'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('expected create, list, show, cancel or extend') as string,
    });
    expect(await cli(['maintenance', 'extend', 'CHG-1', '--by', 'noc.anna'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('--end is required') as string,
    });
    const file = join(tmp, 'bad-window.json');
    writeFileSync(
      file,
      JSON.stringify({
        windowId: 'CHG-1',
        scope: { serviceIds: ['s'] },
        start: '2026-12-02T03:00:00Z',
        end: '2026-12-02T01:00:00Z',
        changeRequest: 'CHG-1',
        createdBy: 'noc.anna',
        recurrence: { rrule: 'FREQ=WEEKLY', timezone: 'Mars/Olympus' },
      }),
    );
    const bad = await cli(['maintenance', 'create', file]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('window.end: must be after start');
    expect(bad.err).toContain('window.recurrence.timezone: is not a known IANA time zone');
  });

  it('holds the reports in scope from its start, one opened at that very moment too, and returns them after; CLI create / list / extend / cancel', async () => {
    const serviceId = `svc-mw-${tag}`;
    const windowId = `CHG-${tag}`;
    const before = `R-mwb-${tag}`;
    const atStart = `R-mws-${tag}`;
    const outside = `R-mwo-${tag}`;
    await openReport(before, serviceId);
    await openReport(outside, `svc-other-${tag}`);
    // Visibility indexes a new workflow a moment after it starts; the window's first scan comes at its start.
    const start = Date.now() + 4_000;
    const file = join(tmp, 'window.json');
    writeFileSync(
      file,
      JSON.stringify({
        windowId,
        scope: { serviceIds: [serviceId], resourceIds: ['PE-7'] },
        start: new Date(start).toISOString(),
        end: new Date(start + 12_000).toISOString(),
        changeRequest: windowId,
        createdBy: 'noc.anna',
      }),
    );
    const bad = await cli(['maintenance', 'create', join(tmp, 'missing.json')]);
    expect(bad.code).toBe(2);
    const created = await cli(['maintenance', 'create', file]);
    expect(created.err).toBe('');
    expect(created.out).toContain(`created maintenance window ${windowId} (workflow mw-${windowId})`);
    expect((await cli(['maintenance', 'create', file])).code).toBe(5);

    await sleep(Math.max(0, start - Date.now()));
    const openedAt = Date.now();
    await openReport(atStart, serviceId);
    const held = (r: Report) => r.status === 'held' && r.maintenanceWindowId === windowId;
    await eventually(() => report(atStart), held, 'the report opened at the window start to be held', 15_000);
    const heldAfterMs = Date.now() - openedAt;
    await eventually(() => report(before), held, 'the report opened before the window to be held', 15_000);
    expect((await report(outside)).status).toBe('acknowledged');
    const view = await client.workflow.getHandle(`mw-${windowId}`).query(windowQuery);
    expect(view).toMatchObject({ state: 'active' });
    expect([...view.heldReportIds].sort()).toEqual(expect.arrayContaining([before]));
    console.log(`maintenance e2e: report opened at the window start held after ${heldAfterMs} ms`);

    const list = await cli(['maintenance', 'list']);
    expect(list.out).toContain(`${windowId}  active`);
    const badExtend = await cli(['maintenance', 'extend', windowId, '--by', 'noc.anna', '--end', new Date(start).toISOString()]);
    expect(badExtend.code).toBe(5);
    expect(badExtend.err).toContain('extendWindow: end must be after the current end');
    const extended = await cli([
      'maintenance',
      'extend',
      windowId,
      '--by',
      'noc.anna',
      '--end',
      new Date(start + 60_000).toISOString(),
      '--json',
    ]);
    expect(extended.code).toBe(0);
    expect((JSON.parse(extended.out) as WindowView).currentOccurrence?.end).toBe(new Date(start + 60_000).toISOString());
    expect((await cli(['maintenance', 'cancel', windowId, '--by', 'noc.anna'])).code).toBe(2);
    const cancelled = await cli(['maintenance', 'cancel', windowId, '--by', 'noc.anna', '--reason', 'change rolled back']);
    expect(cancelled.out).toContain(`${windowId} cancelled`);

    const released = (r: Report) => r.status === 'acknowledged' && r.maintenanceWindowId === undefined;
    const back = await eventually(() => report(before), released, 'the report held before to return to acknowledged', 15_000);
    await eventually(() => report(atStart), released, 'the report opened at the start to return to acknowledged', 15_000);
    expect(back.jeopardy.pausedMs).toBeGreaterThan(0);
    expect(back.history.map((e) => e.action)).toEqual(['opened', 'maintenanceHeld', 'maintenanceReleased']);
    expect((await cli(['maintenance', 'list', '--all'])).out).toContain(windowId);
  });
});
