/**
 * Worker crashes while a group and a maintenance window are active: the worker runs as a child
 * process (scripts/crash-worker.ts, with its client for the maintenance look-ups) on a dev server
 * of the test's own, with real timers, and is SIGKILLed twice and restarted: once just after the
 * window held a report, once in the middle of the group parent's ladder. Then: the children stay
 * grouped and silent, the parent's ladder is taken once (one idempotency key per level at a lax
 * webhook sink, which keeps every delivery), the held report was held once and returns to its
 * status when the window ends, and no workflow task failed because of our code.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import type { Report } from '../../src/domain';
import { startDevServer } from '../../src/infra/temporal-servers';
import { startSimulators, type Simulators } from '../../src/simulators/main';
import { MESSAGES, reportQuery } from '../../src/workflows/messages';
import { WINDOW_WORKFLOW_TYPE, windowWorkflowId } from '../../src/contract/maintenance';
import { WORKFLOW_TYPE, reportWorkflowId } from '../../src/contract';
import { uniqueTaskQueue, workflowBundle } from '../support/env';
import { auditWorkflowTasks, eventually, http, log, scratchDir, sleep, startCrashWorker, type CrashWorker } from './helpers';

/** Short enough that the parent's whole ladder (75% L1, 100% L2, +25% L3, +50% L4) falls due within the test. */
const TARGET_MS = 20_000;
const WINDOW_MS = 25_000;
const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;

interface ReceivedWebhook {
  idempotencyKey?: string;
  body: { type?: string; reportId?: string; level?: number; reason?: string };
}

let tmp: string;
let dev: TestWorkflowEnvironment;
let client: Client;
let simulators: Simulators;
let bundleFile: string;
const taskQueue = uniqueTaskQueue('group-window-crash');
let worker: CrashWorker | undefined;

beforeAll(async () => {
  tmp = scratchDir('spdr-gw-crash-');
  const [server, bundle] = await Promise.all([startDevServer({ dbFilename: join(tmp, 'temporal.db') }), workflowBundle()]);
  dev = server;
  client = dev.client;
  bundleFile = join(tmp, 'workflow-bundle.json');
  writeFileSync(bundleFile, JSON.stringify(bundle));
  // Each webhook takes 1.5 s to answer, so a kill can catch an escalation in flight.
  simulators = await startSimulators({ lax: true, faults: { latencyMs: 1_500 } });
});

afterAll(async () => {
  if (worker) {
    worker.child.kill('SIGKILL');
    await worker.exited;
  }
  await simulators?.close();
  await dev?.teardown();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function startWorker(): Promise<CrashWorker> {
  return startCrashWorker(
    {
      ...simulators.env(0),
      TEMPORAL_ADDRESS: dev.address,
      SPDR_TASK_QUEUE: taskQueue,
      SPDR_HTTP_TIMEOUT_MS: '4000',
      SPDR_WORKFLOW_BUNDLE: bundleFile,
    },
    60_000,
  );
}

async function killAndRestart(why: string): Promise<void> {
  worker!.child.kill('SIGKILL');
  expect(await worker!.exited).toBeNull(); // died of the signal, not of an error of its own
  log(`group/window crash: worker killed (${why})`);
  await sleep(1_000);
  worker = await startWorker();
}

async function open(reportId: string, serviceId: string, resolutionTarget?: number): Promise<WorkflowHandle> {
  return client.workflow.start(WORKFLOW_TYPE, {
    taskQueue,
    workflowId: reportWorkflowId(reportId),
    args: [
      {
        reportId,
        service: { id: serviceId },
        severity: 'critical',
        description: 'Call setup latency p95 above 3 s',
        ...(resolutionTarget ? { jeopardyPolicy: { resolutionTarget } } : {}),
      },
    ],
  });
}

const query = (h: WorkflowHandle): Promise<Report> => h.query(reportQuery);

/** A one-off window on `serviceId`, starting a few seconds from now (visibility has indexed the report by then). */
function startWindow(windowId: string, serviceId: string): Promise<WorkflowHandle> {
  const start = Date.now() + 3_000;
  return client.workflow.start(WINDOW_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: windowWorkflowId(windowId),
    args: [
      {
        windowId,
        scope: { serviceIds: [serviceId] },
        start: new Date(start).toISOString(),
        end: new Date(start + WINDOW_MS).toISOString(),
        changeRequest: windowId,
        createdBy: 'noc.anna',
      },
    ],
  });
}

/** Only the parent escalated, each level of its ladder under one idempotency key (repeats of a key are a retry's). */
function expectOneLadder(delivered: ReceivedWebhook[], parentId: string): void {
  expect(new Set(delivered.map((w) => w.body.reportId))).toEqual(new Set([parentId]));
  const keysPerLevel = new Map<number, Set<string>>();
  for (const w of delivered) keysPerLevel.set(w.body.level!, (keysPerLevel.get(w.body.level!) ?? new Set()).add(String(w.idempotencyKey)));
  expect([...keysPerLevel.keys()].sort()).toEqual([1, 2, 3, 4]);
  for (const keys of keysPerLevel.values()) expect(keys.size).toBe(1);
}

describe('worker process SIGKILLed while a group and a maintenance window are active', () => {
  it('children stay grouped, one ladder (the parent’s), the held report held once and back to its status when the window ends', async () => {
    const tag = `${process.pid.toString(36)}${Date.now().toString(36)}`;
    const [p, held] = [`R-GWP-${tag}`, `R-GWH-${tag}`];
    const kids = [1, 2, 3].map((i) => `R-GWC${i}-${tag}`);
    const windowId = `CHG-GW-${tag}`;
    worker = await startWorker();

    const parent = await open(p, `svc-grp-${tag}`, TARGET_MS);
    const children = await Promise.all(kids.map((id) => open(id, `svc-grp-${tag}`, TARGET_MS)));
    const heldReport = await open(held, `svc-mw-${tag}`);
    await heldReport.executeUpdate(MESSAGES.setStatus.update, { args: [{ by: 'noc.anna', status: 'inProgress', reason: 'working' }] });
    await parent.executeUpdate(MESSAGES.group.update, { args: [{ by: 'noc.anna', children: kids, reason: 'same fibre cut' }] });
    await eventually(
      () => query(parent),
      (r) => (r.children ?? []).length === 3,
      'three children in the group',
      30_000,
    );

    const window = await startWindow(windowId, `svc-mw-${tag}`);
    await eventually(
      () => query(heldReport),
      (r) => r.status === 'held' && r.maintenanceWindowId === windowId,
      'the report held',
      30_000,
    );
    await killAndRestart('the window holds a report, the group stands');

    const escalations = async () =>
      (await http<{ received: ReceivedWebhook[] }>(`${simulators.webhookUrl}/admin/received?path=/escalation`)).received.filter(
        (w) => w.body.type === 'spdr.escalation' && [p, ...kids].includes(String(w.body.reportId)),
      );
    // Killed while the parent's first escalation is being delivered: its retry must reuse the key.
    const inFlight = (acts: Awaited<ReturnType<typeof parent.describe>>['raw']['pendingActivities']) =>
      (acts ?? []).some((a) => a.activityType?.name === 'notifyEscalation' && a.state === STARTED);
    await eventually(async () => (await parent.describe()).raw.pendingActivities, inFlight, 'an escalation in flight', 60_000, 50);
    await sleep(500); // its POST has reached the sink, which answers after 1.5 s
    await killAndRestart("an escalation of the parent's in flight");

    // The window ends: the report returns to its status, held and released once each.
    const back = await eventually(
      () => query(heldReport),
      (r) => r.status === 'inProgress' && r.maintenanceWindowId === undefined,
      'the report back in progress after the window',
      60_000,
    );
    expect(back.history.map((e) => e.action)).toEqual(['opened', 'statusChanged', 'maintenanceHeld', 'maintenanceReleased']);
    expect(back.jeopardy.pausedMs).toBeGreaterThan(0);

    // The parent's ladder reaches its top: every level once, no child escalating.
    const ladder = await eventually(escalations, (ws) => ws.some((w) => w.body.level === 4), "the parent's level-4 escalation", 60_000);
    // The escalation in flight at the kill is retried (after its start-to-close timeout) before we count.
    await eventually(
      async () => (await parent.describe()).raw.pendingActivities ?? [],
      (acts) => acts.length === 0,
      'no activity pending',
      60_000,
    );
    const delivered = await escalations();
    expectOneLadder(delivered, p);

    const [finalParent, ...finalChildren] = await Promise.all([parent, ...children].map(query));
    expect([...(finalParent.children ?? [])].sort()).toEqual([...kids].sort());
    for (const child of finalChildren) {
      expect(child.parentReportId).toBe(p);
      expect(child.jeopardy.escalationLevel).toBe(0);
      expect(child.jeopardy.pausedSince).toBeDefined();
      expect(child.history.filter((e) => e.action === 'joinedGroup')).toHaveLength(1);
    }
    const audit = await auditWorkflowTasks(client, [p, ...kids, held].map(reportWorkflowId).concat(windowWorkflowId(windowId)));
    expect(audit.ours).toEqual([]);
    expect(audit.retriedActivities.notifyEscalation).toBeGreaterThanOrEqual(1);
    log(
      `group/window crash: ${delivered.length} escalation deliveries (${ladder.length} when level 4 arrived), ${audit.timedOut} workflow tasks timed out, retried activities ${JSON.stringify(audit.retriedActivities)}`,
    );
    for (const h of [parent, ...children, heldReport, window]) await h.terminate('test over').catch(() => undefined);
  }, 240_000);
});
