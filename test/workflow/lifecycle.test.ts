/**
 * The report lifecycle in virtual time: each test is one named scenario of the product brief,
 * run through the real workflow on Temporal's time-skipping test server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Report } from '../../src/domain';
import { MESSAGES, reportQuery } from '../../src/workflows/messages';
import type { degradationReport } from '../../src/workflows';
import { createTimeSkippingEnv, uniqueTaskQueue, workflowBundle } from '../support/env';
import { fakeSystems, type FakeSystems } from '../support/fake-activities';
import { captureHistories, recordScenario, timerBalance } from '../support/scenarios';

const H = 3600_000;
const MIN = 60_000;

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createTimeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

let n = 0;
function startInput(overrides: Record<string, unknown> = {}) {
  n += 1;
  return {
    reportId: `R-${process.pid}-${n}`,
    service: { id: 'svc-volte-fra1', name: 'VoLTE core Frankfurt 1' },
    severity: 'critical',
    description: 'Call setup latency p95 above 3 s',
    detectedAt: '2026-11-25T10:00:00Z',
    degradedKpis: [{ name: 'callSetupLatencyP95', threshold: 3000, observed: 4200, unit: 'ms' }],
    ...overrides,
  };
}

type Handle = WorkflowHandle<typeof degradationReport>;

/** Runs one scenario with a worker over fake outside systems; records its virtual and wall time. */
async function scenario(
  name: string,
  body: (ctx: { start(input?: Record<string, unknown>): Promise<Handle>; systems: FakeSystems }) => Promise<void>,
  systems = fakeSystems(),
) {
  const taskQueue = uniqueTaskQueue('lifecycle');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: systems.activities,
  });
  const wallStart = Date.now();
  const started: Handle[] = [];
  try {
    await worker.runUntil(async () => {
      await body({
        systems,
        start: async (input = startInput()) => {
          const reportId = String(input.reportId);
          const handle = await env.client.workflow.start<typeof degradationReport>('degradationReport', {
            taskQueue,
            workflowId: `spdr-${reportId}`,
            args: [input],
          });
          started.push(handle);
          return handle;
        },
      });
    });
  } finally {
    // A failed scenario must not leave a report whose timers would stall time skipping for the next one.
    for (const h of started) await h.terminate('scenario over').catch(() => undefined);
  }
  // Virtual duration: the reports' own lifetimes, from start to close, as the server recorded them.
  let virtualMs = 0;
  if (process.env.SPDR_CAPTURE_HISTORIES) await captureHistories(name, started);
  for (const h of started) {
    const d = await h.describe();
    virtualMs = Math.max(virtualMs, (d.closeTime ?? d.startTime).getTime() - d.startTime.getTime());
  }
  recordScenario(name, virtualMs, Date.now() - wallStart);
}

const query = (h: Handle): Promise<Report> => h.query(reportQuery);

describe('degradation report lifecycle (time-skipping)', () => {
  it('a critical report with no activity escalates at 50/75/100% of its target, then re-escalates while breached', async () => {
    await scenario('critical report, no activity: thresholds and re-escalation', async ({ start, systems }) => {
      const h = await start();
      const openedAt = Date.parse((await query(h)).openedAt);
      await env.sleep(2 * H - MIN);
      expect((await query(h)).jeopardy.state).toBe('onTrack');
      await env.sleep(2 * MIN);
      let r = await query(h);
      expect(r.jeopardy.state).toBe('inJeopardy');
      expect(systems.assigneeNotices).toHaveLength(1);
      expect(systems.escalations).toHaveLength(0);
      await env.sleep(1 * H); // 3h01: 75%
      expect(systems.escalations.map((e) => e.level)).toEqual([1]);
      await env.sleep(1 * H); // 4h01: 100%, breached
      r = await query(h);
      expect(r.jeopardy).toMatchObject({ state: 'breached', escalationLevel: 2 });
      expect(Date.parse(r.jeopardy.deadline)).toBe(openedAt + 4 * H);
      await env.sleep(2 * H); // 6h01: re-escalated every hour up to the top level
      expect(systems.escalations.map((e) => [e.level, e.reason])).toEqual([
        [1, 'jeopardy'],
        [2, 'breach'],
        [3, 'reEscalation'],
        [4, 'reEscalation'],
      ]);
      await env.sleep(5 * H);
      expect(systems.escalations).toHaveLength(4); // the top level is not exceeded
      expect((await query(h)).jeopardy.escalationLevel).toBe(4);
      await h.signal(MESSAGES.cancel.signal, { by: 'noc.anna', reason: 'other', note: 'test over' });
      await h.result();
    });
  });

  it('a pending period moves the deadline by exactly the paused time', async () => {
    await scenario('pending period moves the deadline', async ({ start }) => {
      const h = await start();
      const before = Date.parse((await query(h)).jeopardy.deadline);
      await env.sleep(30 * MIN);
      await h.signal(MESSAGES.setStatus.signal, { by: 'noc.anna', status: 'pending', reason: 'waiting on customer trace' });
      await env.sleep(90 * MIN);
      await h.signal(MESSAGES.setStatus.signal, { by: 'noc.anna', status: 'inProgress', reason: 'trace received' });
      const r = await query(h);
      // Exactly the recorded pause: from the `pending` entry to the `inProgress` entry of the audit trail.
      const pausedAt = Date.parse(r.history.find((e) => e.toStatus === 'pending')!.at);
      const resumedAt = Date.parse(r.history.find((e) => e.toStatus === 'inProgress')!.at);
      expect(Date.parse(r.jeopardy.deadline) - before).toBe(resumedAt - pausedAt);
      expect(r.jeopardy.pausedMs).toBe(resumedAt - pausedAt);
      expect(resumedAt - pausedAt).toBeGreaterThanOrEqual(90 * MIN);
      expect(resumedAt - pausedAt).toBeLessThan(91 * MIN);
      expect(r.history.map((e) => e.toStatus).filter(Boolean)).toEqual(['acknowledged', 'pending', 'inProgress']);
      await h.signal(MESSAGES.cancel.signal, { by: 'noc.anna', reason: 'other' });
      await h.result();
    });
  });

  it('a resource cause creates exactly one trouble report though creation fails twice; its resolution completes the task; clear; close', async () => {
    const systems = fakeSystems();
    systems.failNextCreates(2);
    await scenario(
      'resource cause -> one trouble report despite 2 failed creates -> resolved -> clear -> close',
      async ({ start }) => {
        const h = await start();
        await h.signal(MESSAGES.addAnalysis.signal, {
          author: 'noc.anna',
          summary: 'Packet loss on PE-7 uplink',
          rootCause: { domain: 'resource', resourceId: 'PE-7' },
        });
        await h.signal(MESSAGES.addAnalysis.signal, {
          author: 'noc.ben',
          summary: 'PE-7 again',
          rootCause: { domain: 'resource', resourceId: 'PE-7' },
        });
        await env.sleep(5 * MIN);
        let r = await query(h);
        const [key] = [...systems.tickets.keys()];
        expect(systems.tickets.size).toBe(1);
        expect(systems.createAttempts.get(key)).toBe(3);
        expect(systems.tickets.get(key)!.creations).toBe(1);
        expect(r.troubleReports).toHaveLength(1);
        expect(r.troubleReports[0]).toMatchObject({ resourceId: 'PE-7', ticketId: systems.tickets.get(key)!.ticketId });
        expect(r.status).toBe('inProgress');
        const task = r.tasks.find((t) => t.taskId === r.troubleReports[0].taskId)!;
        expect(task).toMatchObject({ kind: 'restoration', status: 'dispatched' });

        await h.signal(MESSAGES.resourceTroubleUpdate.signal, {
          externalId: key,
          status: 'resolved',
          resolution: 'uplink optics replaced',
          by: 'resource-trouble-management',
        });
        r = await query(h);
        expect(r.tasks.find((t) => t.taskId === task.taskId)!.status).toBe('done');

        await h.signal(MESSAGES.clear.signal, { by: 'noc.anna', resolution: 'Uplink replaced' });
        await env.sleep(MIN);
        expect(systems.closeNotices).toHaveLength(1);
        expect((await query(h)).status).toBe('cleared');
        await h.signal(MESSAGES.confirmClosure.signal, { by: 'close.process' });
        const final = await h.result();
        expect(final.status).toBe('closed');
        expect(final.closure).toMatchObject({ how: 'confirmed' });
      },
      systems,
    );
  });

  it('a cleared report closes by itself when the acceptance window expires', async () => {
    await scenario('cleared report closes when the acceptance window ends', async ({ start }) => {
      const h = await start(startInput({ jeopardyPolicy: { resolutionTarget: '4h', acceptanceWindow: '24h' } }));
      await h.signal(MESSAGES.clear.signal, { by: 'noc.anna', resolution: 'Self-healed after reroute' });
      await env.sleep(23 * H);
      expect((await query(h)).status).toBe('cleared');
      const final = await h.result();
      expect(final.status).toBe('closed');
      expect(final.closure).toMatchObject({ how: 'acceptanceWindowExpired' });
    });
  });

  it('a three-task plan dispatches in dependency order and an overdue task escalates', async () => {
    await scenario('three-task plan in dependency order; overdue task escalates', async ({ start, systems }) => {
      const h = await start(startInput({ severity: 'minor' }));
      await h.signal(MESSAGES.assign.signal, { by: 'noc.anna', taskId: 'analyse', kind: 'analysis', assignee: 'noc.ben', due: '2h' });
      await h.signal(MESSAGES.assign.signal, {
        by: 'noc.anna',
        taskId: 'repair',
        kind: 'repair',
        assignee: 'field.ops',
        due: '6h',
        dependsOn: ['analyse'],
      });
      await h.signal(MESSAGES.assign.signal, {
        by: 'noc.anna',
        taskId: 'verify',
        kind: 'verification',
        assignee: 'noc.anna',
        dependsOn: ['repair'],
      });
      await env.sleep(MIN);
      expect(systems.dispatched.map((d) => d.taskId)).toEqual(['analyse']);
      expect((await query(h)).status).toBe('inProgress');
      await h.signal(MESSAGES.updateTask.signal, { by: 'noc.ben', taskId: 'analyse', status: 'done' });
      await env.sleep(MIN);
      expect(systems.dispatched.map((d) => d.taskId)).toEqual(['analyse', 'repair']);
      await env.sleep(7 * H); // repair was due 6h after assignment
      const overdue = systems.escalations.filter((e) => e.reason === 'taskOverdue');
      expect(overdue).toHaveLength(1);
      expect(overdue[0].detail).toMatch(/repair/);
      await h.signal(MESSAGES.updateTask.signal, { by: 'field.ops', taskId: 'repair', status: 'done' });
      await env.sleep(MIN);
      expect(systems.dispatched.map((d) => d.taskId)).toEqual(['analyse', 'repair', 'verify']);
      await h.signal(MESSAGES.cancel.signal, { by: 'noc.anna', reason: 'other' });
      await h.result();
    });
  });

  it('a partner-owned cause goes pending, the late partner is escalated, and its answer resumes the clock', async () => {
    await scenario('partner-owned cause: pending, late partner escalated, answer resumes clock', async ({ start, systems }) => {
      const h = await start(
        startInput({
          severity: 'major',
          partnerOwnedResources: { 'FIB-9': 'acme-transport' },
          jeopardyPolicy: { resolutionTarget: '8h', partnerAnswerDue: '2h' },
        }),
      );
      const deadline0 = Date.parse((await query(h)).jeopardy.deadline);
      await h.signal(MESSAGES.addAnalysis.signal, {
        author: 'noc.anna',
        summary: 'Fibre cut on leased span',
        rootCause: { domain: 'resource', resourceId: 'FIB-9' },
      });
      await env.sleep(MIN);
      let r = await query(h);
      expect(r.status).toBe('pending');
      expect(r.partnerRequests).toHaveLength(1);
      expect(systems.partnerRequests.size).toBe(1);
      await env.sleep(2 * H);
      expect(systems.escalations.filter((e) => e.reason === 'partnerLate')).toHaveLength(1);
      const key = r.partnerRequests[0].key;
      await h.signal(MESSAGES.partnerUpdate.signal, {
        externalId: key,
        status: 'resolved',
        note: 'splice done',
        by: 'partner:acme-transport',
      });
      r = await query(h);
      expect(r.status).toBe('inProgress');
      const paused = Date.parse(r.jeopardy.deadline) - deadline0;
      expect(paused).toBeGreaterThanOrEqual(2 * H);
      expect(paused).toBe(r.jeopardy.pausedMs);
      await h.signal(MESSAGES.cancel.signal, { by: 'noc.anna', reason: 'other' });
      await h.result();
    });
  });

  it('cancelling a false alarm cancels its open trouble report and leaves no timer behind', async () => {
    await scenario('false alarm cancelled: trouble report cancelled, no timer left', async ({ start, systems }) => {
      const h = await start();
      await h.signal(MESSAGES.addAnalysis.signal, {
        author: 'noc.anna',
        summary: 'Suspect PE-7',
        rootCause: { domain: 'resource', resourceId: 'PE-7' },
      });
      await env.sleep(10 * MIN);
      await h.signal(MESSAGES.cancel.signal, { by: 'noc.anna', reason: 'falseServiceFailureEvent', note: 'probe misconfigured' });
      const final = await h.result();
      expect(final.status).toBe('cancelled');
      expect(final.cancellation).toMatchObject({ by: 'noc.anna', reason: 'falseServiceFailureEvent', note: 'probe misconfigured' });
      expect(systems.cancelledTickets).toEqual([...systems.tickets.keys()]);
      expect(systems.escalations).toHaveLength(0);
      expect(timerBalance(await h.fetchHistory())).toEqual({ started: expect.any(Number), open: 0 });
    });
  });

  it('a rejected clearance reopens the report and jeopardy resumes', async () => {
    await scenario('rejected clearance reopens the report', async ({ start, systems }) => {
      const h = await start();
      await env.sleep(1 * H);
      await h.signal(MESSAGES.clear.signal, { by: 'noc.anna', resolution: 'Reroute applied' });
      await env.sleep(5 * H); // the clock is stopped while cleared
      expect(systems.escalations).toHaveLength(0);
      await h.signal(MESSAGES.rejectClearance.signal, { by: 'customer.care', reason: 'latency still high' });
      const r = await query(h);
      expect(r.status).toBe('inProgress');
      expect(r.clearance).toBeUndefined();
      await env.sleep(2 * H + MIN); // 1h before + 2h after = 75%
      expect(systems.escalations.map((e) => e.level)).toEqual([1]);
      await h.signal(MESSAGES.cancel.signal, { by: 'noc.anna', reason: 'other' });
      await h.result();
    });
  });

  it('20 malformed or illegal messages leave the report healthy and listed in rejectedInputs', async () => {
    await scenario('20 malformed or illegal messages', async ({ start }) => {
      const h = await start();
      const bad: [keyof typeof MESSAGES, unknown][] = [
        ['addAnalysis', {}],
        ['addAnalysis', { author: 'x' }],
        ['addAnalysis', 'not an object'],
        ['addAnalysis', { author: 'x', summary: 'y', rootCause: { domain: 'resource' } }],
        ['addAnalysis', { author: 'x', summary: 'y', extra: 1 }],
        ['assign', { by: 'x', taskId: 't', kind: 'dance', assignee: 'y' }],
        ['assign', { by: 'x', taskId: 't', kind: 'repair', assignee: 'y', dependsOn: ['ghost'] }],
        ['updateTask', { by: 'x', taskId: 'ghost', status: 'done' }],
        ['setStatus', { by: 'x', status: 'closed', reason: 'r' }],
        ['setStatus', { by: 'x', status: 'pending' }],
        ['setStatus', { by: 'x', status: 'acknowledged', reason: 'r' }],
        ['cancel', { by: 'x', reason: 'bored' }],
        ['cancel', null],
        ['clear', { by: 'x' }],
        ['confirmClosure', { by: 'x' }],
        ['rejectClearance', { by: 'x', reason: 'not cleared yet' }],
        ['resourceTroubleUpdate', { externalId: 'nope', status: 'resolved' }],
        ['resourceTroubleUpdate', { status: 'resolved' }],
        ['partnerUpdate', { externalId: 'nope', status: 'resolved' }],
        ['partnerUpdate', [1, 2, 3]],
      ];
      for (const [name, payload] of bad) await h.signal(name, payload);
      await h.signal(MESSAGES.addAnalysis.signal, { author: 'noc.anna', summary: 'still healthy' });
      const r = await query(h);
      expect(r.rejectedInputs).toHaveLength(20);
      expect(r.rejectedInputs.map((x) => x.message)).toEqual(bad.map(([name]) => name));
      for (const x of r.rejectedInputs) expect(x.reason.length).toBeGreaterThan(5);
      expect(r.status).toBe('acknowledged');
      expect(r.analysis).toHaveLength(1);
      expect(r.tasks).toHaveLength(0);
      const history = await h.fetchHistory();
      const taskFailures = history.events!.filter((e) => e.workflowTaskFailedEventAttributes);
      expect(taskFailures).toHaveLength(0);
      await h.signal(MESSAGES.cancel.signal, { by: 'noc.anna', reason: 'other' });
      await h.result();
    });
  });

  it('invalid start input fails fast with a non-retryable error naming the bad field', async () => {
    await scenario('invalid start input', async ({ start }) => {
      const h = await start({
        reportId: `R-BAD-${process.pid}`,
        service: { id: 'svc' },
        severity: 'catastrophic',
        description: 'x',
        detectedAt: 'yesterday',
      });
      const err = await h.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const message = String((err as WorkflowFailedError).cause?.message);
      expect(message).toMatch(/severity/);
      expect(message).toMatch(/detectedAt/);
    });
  });
});
