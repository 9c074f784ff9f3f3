/**
 * The report lifecycle in virtual time: each test is one named scenario of the product brief,
 * run through the real workflow on Temporal's time-skipping test server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { temporal } from '@temporalio/proto';
import { openReport, parseStartInput, type Report } from '../../src/domain';
import { MESSAGES, reportQuery } from '../../src/workflows/messages';
import type { degradationReport } from '../../src/workflows';
import type { CarriedState } from '../../src/workflows/degradation-report';
import { createTimeSkippingEnv, uniqueTaskQueue, workflowBundle } from '../support/env';
import { fakeSystems, type FakeSystems } from '../support/fake-activities';
import { captureHistories, recordScenario, timerBalance } from '../support/scenarios';
import { WORKFLOW_TYPE, reportWorkflowId } from '../../src/contract';

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

type Handle = WorkflowHandleWithFirstExecutionRunId<typeof degradationReport>;

/** Runs one scenario with a worker over fake outside systems; records its virtual and wall time. */
async function scenario(
  name: string,
  body: (ctx: { start(input?: Record<string, unknown>, carried?: CarriedState): Promise<Handle>; systems: FakeSystems }) => Promise<void>,
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
        start: async (input = startInput(), carried?: CarriedState) => {
          const reportId = String(input.reportId);
          const args: Parameters<typeof degradationReport> = carried ? [input, carried] : [input];
          const handle = await env.client.workflow.start<typeof degradationReport>(WORKFLOW_TYPE, {
            taskQueue,
            workflowId: reportWorkflowId(reportId),
            args,
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
      // Sleep past the 24 h window, not `result()`: that skips to whatever timer comes next, so a
      // report closing at the 72 h default would pass too. Here it must be closed 25 h in.
      await env.sleep(2 * H);
      const closed = await query(h);
      expect(closed.status).toBe('closed');
      expect(closed.closure).toMatchObject({ how: 'acceptanceWindowExpired' });
      // Closed by the 24 h timer (a few ms of worker time late at most), checked 25 h in.
      expect(Date.parse(closed.closure!.at) - Date.parse(closed.clearance!.at)).toBeGreaterThanOrEqual(24 * H);
      const final = await h.result();
      expect(final.status).toBe('closed');
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
    const partnerSystems = fakeSystems();
    // The partner system commits the first two requests and loses the answers: the retries must find the request, not create more.
    partnerSystems.failNextPartnerCreates(2);
    await scenario(
      'partner-owned cause: pending, late partner escalated, answer resumes clock',
      async ({ start, systems }) => {
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
        const [partnerKey] = [...systems.partnerRequests.keys()];
        expect(systems.partnerAttempts.get(partnerKey)).toBe(3);
        expect(systems.partnerRequests.get(partnerKey)!.creations).toBe(1);
        expect(r.partnerRequests[0]).toMatchObject({ key: partnerKey, requestId: systems.partnerRequests.get(partnerKey)!.requestId });
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
      },
      partnerSystems,
    );
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
      // The ticket was created, then cancelled with the report (an empty list on both sides would prove nothing).
      expect(systems.tickets.size).toBe(1);
      expect(systems.cancelledTickets).toEqual([...systems.tickets.keys()]);
      expect([...systems.tickets.values()].map((t) => t.status)).toEqual(['cancelled']);
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

  it('across continue-as-new the ladder is taken exactly once, every step after it, and nothing of the report is lost', async () => {
    // A short run (continue-as-new after 20 events), so the report continues before its first threshold and again along the ladder.
    const systems = fakeSystems({ continueAsNewAfterEvents: 20 });
    await scenario(
      'continue-as-new before the thresholds: ladder once, state intact',
      async ({ start }) => {
        const h = await start();
        for (let i = 0; i < 15; i++) await h.signal(MESSAGES.addAnalysis.signal, { author: 'probe', summary: `m${i}` });
        await env.sleep(MIN);
        const first = await env.client.workflow.getHandle(h.workflowId, h.firstExecutionRunId).describe();
        expect(first.status.name).toBe('CONTINUED_AS_NEW');
        expect(systems.escalations).toHaveLength(0);
        expect(systems.assigneeNotices).toHaveLength(0);
        await env.sleep(7 * H); // 4 h target: notice at 2 h, level 1 at 3 h, 2 at 4 h, 3 at 5 h, 4 at 6 h
        expect(systems.assigneeNotices).toHaveLength(1);
        expect(systems.escalations.map((e) => [e.level, e.reason])).toEqual([
          [1, 'jeopardy'],
          [2, 'breach'],
          [3, 'reEscalation'],
          [4, 'reEscalation'],
        ]);
        const r = await query(h);
        expect(r.analysis.map((a) => a.summary)).toEqual(Array.from({ length: 15 }, (_, i) => `m${i}`));
        expect(r.history.filter((e) => e.action === 'escalated')).toHaveLength(4);
        expect(r.jeopardy).toMatchObject({ state: 'breached', escalationLevel: 4 });
        // Follow the chain of runs (the time-skipping server has no visibility list): it continued more than once.
        let runs = 1;
        for (let runId: string | undefined = h.firstExecutionRunId; runId; runs += 1) {
          const history: temporal.api.history.v1.IHistory = await env.client.workflow.getHandle(h.workflowId, runId).fetchHistory();
          runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
          if (!runId) break;
        }
        expect(runs, 'runs of the report').toBeGreaterThan(2);
        await h.signal(MESSAGES.cancel.signal, { by: 'noc.anna', reason: 'other' });
        expect((await h.result()).status).toBe('cancelled');
      },
      systems,
    );
  });

  it('a run started with carried pending effects carries each of them out once', async () => {
    await scenario('run started with carried pending effects', async ({ start, systems }) => {
      const input = startInput();
      // The state a run hands over when it continues-as-new, made by the core (as the earlier run would have
      // opened it). Not by starting, querying and terminating a first run: the time-skipping server keeps a
      // time-skipping lock of a run terminated right after a query (or with a workflow task or activity in
      // flight), so from then on every env.sleep in this file ran in real time, and the outage scenario, the
      // first long virtual wait after this test, stalled until its timeout (test/support/env.ts).
      const settings = await systems.activities.reportSettings();
      const parsed = parseStartInput(input);
      if (!parsed.ok) throw new Error(parsed.reason);
      // Opened 30 minutes before this run starts, so a run that re-opened the report would show another openedAt.
      const { report } = openReport(parsed.value, (await env.currentTimeMs()) - 30 * MIN, { defaults: settings.policyDefaults });
      const carried: CarriedState = {
        report,
        settings,
        pendingEffects: [
          {
            type: 'notifyEscalation',
            reportId: report.reportId,
            level: 1,
            reason: 'jeopardy',
            jeopardyState: 'inJeopardy',
            deadline: report.jeopardy.deadline,
            detail: 'carried across continue-as-new',
          },
          { type: 'dispatchTask', reportId: report.reportId, taskId: 't1', assignee: 'noc.ben', kind: 'analysis' },
        ],
      };
      const h = await start(input, carried);
      await env.sleep(MIN);
      expect(systems.escalations.map((e) => e.detail)).toEqual(['carried across continue-as-new']);
      expect(systems.dispatched.map((d) => d.taskId)).toEqual(['t1']);
      const r = await query(h);
      expect(r.openedAt).toBe(report.openedAt);
      expect(r.jeopardy.deadline).toBe(report.jeopardy.deadline);
      await h.signal(MESSAGES.cancel.signal, { by: 'noc.anna', reason: 'other' });
      await h.result();
      expect(systems.escalations).toHaveLength(1);
      expect(systems.dispatched).toHaveLength(1);
    });
  });

  it('operator actions as updates: accepted ones return a small summary, refused ones change nothing', async () => {
    await scenario('updates accepted and refused', async ({ start }) => {
      const h = await start();
      const after = await h.executeUpdate(MESSAGES.addAnalysis.update, {
        args: [{ author: 'noc.anna', summary: 'Packet loss on PE-7 uplink' }],
      });
      // A summary, never the whole report (an update result is stored in history with every update).
      expect(Object.keys(after).sort()).toEqual(['deadline', 'escalationLevel', 'historyEntries', 'jeopardy', 'reportId', 'status']);
      expect(after).toMatchObject({ status: 'acknowledged', jeopardy: 'onTrack', escalationLevel: 0 });
      expect((await query(h)).analysis.map((a) => a.summary)).toEqual(['Packet loss on PE-7 uplink']);
      const invalid = await h
        .executeUpdate(MESSAGES.setStatus.update, { args: [{ by: 'noc.anna', status: 'closed' as never, reason: 'x' }] })
        .catch((e: unknown) => e);
      expect(String((invalid as WorkflowUpdateFailedError).cause?.message)).toMatch(/^setStatus\.status: /);
      const illegal = await h.executeUpdate(MESSAGES.confirmClosure.update, { args: [{ by: 'close.process' }] }).catch((e: unknown) => e);
      expect(illegal).toBeInstanceOf(WorkflowUpdateFailedError);
      const r = await query(h);
      expect(r.status).toBe('acknowledged');
      expect(r.rejectedInputs).toHaveLength(0);
      const history = await h.fetchHistory();
      expect(history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(1);
      expect(history.events!.filter((e) => e.workflowTaskFailedEventAttributes)).toHaveLength(0);
      await h.executeUpdate(MESSAGES.cancel.update, { args: [{ by: 'noc.anna', reason: 'other' }] });
      expect((await h.result()).status).toBe('cancelled');
    });
  });

  it('an outage of the trouble system is recorded and escalated once per window; the retried create makes one ticket', async () => {
    // 10 min window; the first 20 creates fail (committed, answer lost): about 15 attempts fit the first window.
    const systems = fakeSystems({ outsideFailureEscalateAfterMs: 10 * MIN });
    systems.failNextCreates(20);
    await scenario(
      'trouble system outage: recorded, escalated, retried, one ticket',
      async ({ start }) => {
        const h = await start(startInput({ severity: 'minor' }));
        await h.signal(MESSAGES.addAnalysis.signal, {
          author: 'noc.anna',
          summary: 'DSLAM line card',
          rootCause: { domain: 'resource', resourceId: 'DSLAM-3' },
        });
        await env.sleep(12 * MIN);
        let r = await query(h);
        expect(r.outsideFailures.map((f) => f.system)).toEqual(['resourceTroubleManagement']);
        expect(systems.escalations.map((e) => e.reason)).toEqual(['outsideSystemFailing']);
        expect(r.troubleReports[0].ticketId).toBeUndefined();
        await env.sleep(20 * MIN);
        r = await query(h);
        const [key] = [...systems.tickets.keys()];
        expect(systems.createAttempts.get(key)).toBe(21);
        expect(systems.tickets.get(key)!.creations).toBe(1);
        expect(r.troubleReports[0].ticketId).toBe(systems.tickets.get(key)!.ticketId);
        expect(r.outsideFailures).toHaveLength(1);
        const history = await h.fetchHistory();
        // The first call gave up when its window ran out (failed or timed out in history), and a later attempt succeeded.
        expect(
          history.events!.filter((e) => e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes).length,
        ).toBeGreaterThanOrEqual(1);
        expect(history.events!.some((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1)).toBe(true);
        await h.signal(MESSAGES.cancel.signal, { by: 'noc.anna', reason: 'other' });
        await h.result();
      },
      systems,
    );
  });

  it('a burst of 1,200 signals waiting for the report is paced over several workflow tasks, none lost', async () => {
    const name = 'paced burst of 1,200 signals';
    const systems = fakeSystems();
    const taskQueue = uniqueTaskQueue('burst');
    const input = startInput();
    const wallStart = Date.now();
    const h = await env.client.workflow.start<typeof degradationReport>(WORKFLOW_TYPE, {
      taskQueue,
      workflowId: reportWorkflowId(input.reportId),
      args: [input],
    });
    try {
      // No worker polls yet: every signal waits in history, so the first workflow task carries them all.
      const total = 1200;
      for (let i = 0; i < total; i += 50) {
        await Promise.all(
          Array.from({ length: 50 }, (_, j) => h.signal(MESSAGES.addAnalysis.signal, { author: 'probe', summary: `m${i + j}` })),
        );
      }
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle: await workflowBundle(),
        activities: systems.activities,
      });
      await worker.runUntil(async () => {
        await env.sleep(MIN);
        const r = await query(h);
        // All of them, once each: the report keeps the most recent analyses and counts the rest (bounded state).
        expect(r.analysis.length + (r.trimmed?.analysis ?? 0)).toBe(total);
        const kept = r.analysis.map((a) => a.summary);
        expect(new Set(kept).size).toBe(kept.length);
        // 50 were sent at a time, so the order within a batch is the server's; the last batch is among the kept.
        expect(kept.every((s) => /^m\d+$/.test(s) && Number(s.slice(1)) >= total - 100)).toBe(true);
        const history = await h.fetchHistory();
        // At most 500 messages per workflow task: the rest waited on 1 ms pacing timers.
        const pacing = history.events!.filter((e) => {
          const d = e.timerStartedEventAttributes?.startToFireTimeout;
          return d && Number(d.seconds ?? 0) === 0 && Number(d.nanos ?? 0) === 1_000_000;
        });
        expect(pacing.length).toBeGreaterThanOrEqual(2);
        expect(history.events!.filter((e) => e.workflowTaskFailedEventAttributes)).toHaveLength(0);
        await h.signal(MESSAGES.cancel.signal, { by: 'noc.anna', reason: 'other' });
        expect((await h.result()).status).toBe('cancelled');
      });
    } finally {
      await h.terminate('scenario over').catch(() => undefined);
    }
    if (process.env.SPDR_CAPTURE_HISTORIES) await captureHistories(name, [h]);
    recordScenario(name, 0, Date.now() - wallStart);
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
