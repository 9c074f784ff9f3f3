/**
 * Grouping and correlation on the real workflow in virtual time: `group` / `ungroup` to the
 * parent, the parent telling each child workflow to workflow, the rules while grouped, across
 * continue-as-new; and a 40-report storm on one correlation key, whose escalations reach the
 * (lax) webhook sink as one ladder, the parent's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadWorkerSettings } from '../../src/config/worker-settings';
import { startSimulators, type Simulators } from '../../src/simulators/main';
import { createWorker } from '../../src/worker';
import { correlationQuery, MESSAGES, reportQuery } from '../../src/workflows/messages';
import type { degradationReport } from '../../src/workflows';
import type { Report, StartInputJson } from '../../src/domain';
import { createTimeSkippingEnv, uniqueTaskQueue, workflowBundle } from '../support/env';
import { openReport, reportWorker } from '../support/open-report';
import { fakeSystems } from '../support/fake-activities';

const H = 3600_000;
const MIN = 60_000;

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createTimeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

/** Every workflow a test starts is terminated at its end, so none is left for the next test's time skipping to wait on. */
const started: WorkflowHandle[] = [];
async function terminateStarted(): Promise<void> {
  for (const h of started.splice(0)) await h.terminate('test over').catch(() => undefined);
}

function input(reportId: string, extra: Partial<StartInputJson> = {}): StartInputJson {
  return { reportId, service: { id: 'svc-volte-fra1' }, severity: 'critical', description: 'Call setup latency p95 above 3 s', ...extra };
}

/**
 * Polls (real time: signals between workflows are not timers) until `check` holds; a read that
 * fails (a workflow not started yet) is tried again.
 */
async function until<T>(read: () => Promise<T>, check: (value: T) => boolean, what: string, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      last = await read();
      if (check(last as T)) return last as T;
    } catch (err) {
      last = err instanceof Error ? err.message : err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last).slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('group / ungroup (time-skipping)', () => {
  it('children join; while grouped only the parent escalates, naming them; clearing and closing the parent reach every child; across continue-as-new', async () => {
    const systems = fakeSystems({ continueAsNewAfterEvents: 60 });
    const { worker, taskQueue } = await reportWorker(env, 'group', systems.activities);
    const tag = `${process.pid}-a`;
    const [p, c1, c2, gone] = [`R-P-${tag}`, `R-C1-${tag}`, `R-C2-${tag}`, `R-X-${tag}`];
    const start = async (id: string) => {
      const h = await openReport(env, taskQueue, input(id));
      started.push(h);
      return h;
    };
    try {
      await worker.runUntil(async () => {
        const [parent, child1, child2, cancelled] = await Promise.all([start(p), start(c1), start(c2), start(gone)]);
        await cancelled.executeUpdate(MESSAGES.cancel.update, { args: [{ by: 'noc.anna', reason: 'duplicate' }] });
        // The parent itself: refused synchronously, with the reason.
        await expect(
          parent.executeUpdate(MESSAGES.group.update, { args: [{ by: 'noc.anna', children: [p], reason: 'same fibre cut' }] }),
        ).rejects.toThrow(WorkflowUpdateFailedError);
        await parent.executeUpdate(MESSAGES.group.update, {
          args: [{ by: 'noc.anna', children: [c1, c2, gone], reason: 'same fibre cut' }],
        });
        let r = await until(
          () => parent.query(reportQuery),
          (x) => (x.children ?? []).length === 2 && x.invitedChildren === undefined,
          'two children',
        );
        // The children answer in any order.
        expect([...(r.children ?? [])].sort()).toEqual([c1, c2].sort());
        // Refused by its workflow while it finishes, or by the server once it is gone.
        expect(r.rejectedInputs.map((x) => x.reason)).toEqual([
          expect.stringMatching(new RegExp(`^${gone} refused: (no open report ${gone}|${gone} is cancelled)`)),
        ]);
        expect((await child1.query(reportQuery)).parentReportId).toBe(p);
        // Many messages: the parent continues as new while grouped.
        for (let i = 0; i < 15; i++) await parent.signal(MESSAGES.addAnalysis.signal, { author: 'noc.anna', summary: `splicing ${i}` });
        await env.sleep(6.5 * H);
        expect(new Set(systems.escalations.map((e) => e.reportId))).toEqual(new Set([p]));
        expect(systems.escalations.map((e) => e.level)).toEqual([1, 2, 3, 4]);
        for (const e of systems.escalations) expect([...(e.children ?? [])].sort()).toEqual([c1, c2].sort());
        expect(systems.assigneeNotices.map((e) => e.reportId)).toEqual([p]);
        const child = await child1.query(reportQuery);
        expect(child.status).toBe('acknowledged');
        expect(child.jeopardy.escalationLevel).toBe(0);
        expect(child.jeopardy.pausedSince).toBeDefined();
        await parent.executeUpdate(MESSAGES.clear.update, { args: [{ by: 'noc.anna', resolution: 'Fibre spliced' }] });
        const cleared = await until(
          () => Promise.all([child1, child2].map((h) => h.query(reportQuery))),
          (xs) => xs.every((x) => x.status === 'cleared'),
          'children cleared',
        );
        for (const x of cleared) expect(x.clearance?.resolution).toBe(`cleared with parent ${p}`);
        await until(
          async () => systems.closeNotices.map((n) => n.reportId).sort(),
          (ids) => ids.length === 3,
          'close informed',
        );
        expect(systems.closeNotices.map((n) => n.reportId).sort()).toEqual([c1, c2, p].sort());
        await parent.executeUpdate(MESSAGES.confirmClosure.update, { args: [{ by: 'close.process' }] });
        const finals = await until(
          () => Promise.all([parent, child1, child2].map((h) => h.query(reportQuery))),
          (xs) => xs.every((x) => x.status === 'closed'),
          'all closed',
        );
        expect(finals.map((x: Report) => x.status)).toEqual(['closed', 'closed', 'closed']);
        expect(systems.closeNotices).toHaveLength(3);
        r = finals[0];
        expect(r.history.some((e) => e.action === 'grouped')).toBe(true);
        // It continued as new while grouped, and the group held.
        expect((await parent.describe()).runId).not.toBe(parent.firstExecutionRunId);
      });
    } finally {
      await terminateStarted();
    }
  }, 300_000);

  it('ungroup, and cancelling the parent: the children leave with their status and their clocks run again, the deadline moved by exactly the grouped time', async () => {
    const systems = fakeSystems();
    const { worker, taskQueue } = await reportWorker(env, 'ungroup', systems.activities);
    const tag = `${process.pid}-b`;
    const [p, c1, c2] = [`R-P-${tag}`, `R-C1-${tag}`, `R-C2-${tag}`];
    const start = async (id: string) => {
      const h = await openReport(env, taskQueue, input(id));
      started.push(h);
      return h;
    };
    try {
      await worker.runUntil(async () => {
        const [parent, child1, child2] = await Promise.all([start(p), start(c1), start(c2)]);
        await child2.executeUpdate(MESSAGES.setStatus.update, { args: [{ by: 'noc.anna', status: 'inProgress', reason: 'working' }] });
        await parent.executeUpdate(MESSAGES.group.update, { args: [{ by: 'noc.anna', children: [c1, c2], reason: 'same fibre cut' }] });
        const groupedAt = await until(
          () => child1.query(reportQuery),
          (x) => x.parentReportId === p,
          'child 1 grouped',
        );
        const openedAt = Date.parse(groupedAt.openedAt);
        await until(
          () => child2.query(reportQuery),
          (x) => x.parentReportId === p,
          'child 2 grouped',
        );
        await env.sleep(1 * H);
        await parent.executeUpdate(MESSAGES.ungroup.update, { args: [{ by: 'noc.anna', children: [c1], reason: 'different cause' }] });
        const released = await until(
          () => child1.query(reportQuery),
          (x) => x.parentReportId === undefined,
          'child 1 released',
        );
        const pausedMs = released.jeopardy.pausedMs;
        expect(pausedMs).toBeGreaterThanOrEqual(1 * H);
        expect(pausedMs).toBeLessThan(1 * H + MIN);
        expect(released.jeopardy.deadline).toBe(new Date(openedAt + 4 * H + pausedMs).toISOString());
        expect((await parent.query(reportQuery)).children).toEqual([c2]);
        await parent.executeUpdate(MESSAGES.cancel.update, { args: [{ by: 'noc.anna', reason: 'falseServiceFailureEvent' }] });
        const c2Report = await until(
          () => child2.query(reportQuery),
          (x) => x.parentReportId === undefined,
          'child 2 released',
        );
        expect(c2Report.status).toBe('inProgress');
        expect(c2Report.jeopardy.pausedSince).toBeUndefined();
        // Its own clock runs again: its own ladder, in its own name.
        await env.sleep(4 * H);
        expect(systems.escalations.filter((e) => e.reportId === c2).length).toBeGreaterThan(0);
        expect(systems.escalations.filter((e) => e.reportId === c1).length).toBeGreaterThan(0);
        // A child cleared on its own leaves the group... (child 1 is no longer grouped; child 2 neither).
        await Promise.all(
          [child1, child2].map((h) => h.executeUpdate(MESSAGES.cancel.update, { args: [{ by: 'noc.anna', reason: 'duplicate' }] })),
        );
      });
    } finally {
      await terminateStarted();
    }
  }, 300_000);
});

describe('correlationKey (time-skipping, real activities, lax webhook sink)', () => {
  let simulators: Simulators;
  beforeAll(async () => {
    simulators = await startSimulators({ seed: 14, lax: true });
  });
  afterAll(async () => {
    await simulators?.close();
  });

  it('a storm of 40 reports on one key opened at once: one parent, 39 children, one ladder of escalations, not forty', async () => {
    const taskQueue = uniqueTaskQueue('storm');
    const settings = loadWorkerSettings({ ...simulators.env(), SPDR_TASK_QUEUE: taskQueue });
    const worker = await createWorker({ connection: env.nativeConnection, settings, workflowBundle: await workflowBundle() });
    const key = `fibre-cut-${process.pid}`;
    const ids = Array.from({ length: 40 }, (_, i) => `R-S${i}-${process.pid}`);
    try {
      await worker.runUntil(async () => {
        const handles: WorkflowHandle<typeof degradationReport>[] = await Promise.all(
          ids.map((id) => openReport(env, taskQueue, input(id, { correlationKey: key }))),
        );
        const coordinator = env.client.workflow.getHandle(`spdr-correlation-${key}`);
        started.push(...handles, coordinator);

        const view = await until(
          () => coordinator.query(correlationQuery),
          (v) => v.members.length === 39,
          '39 members',
        );
        const parentId = view.parentReportId!;
        expect(ids).toContain(parentId);
        const parent = handles[ids.indexOf(parentId)];
        const reports = await until(
          () => Promise.all(handles.map((h) => h.query(reportQuery))),
          (rs) => rs.filter((r) => r.parentReportId === parentId).length === 39,
          'all 39 grouped',
        );
        expect(reports.filter((r) => (r.children ?? []).length > 0).map((r) => r.reportId)).toEqual([parentId]);
        expect((await parent.query(reportQuery)).children?.slice().sort()).toEqual(ids.filter((id) => id !== parentId).sort());
        await env.sleep(6.5 * H);
        await until(
          () => Promise.resolve(simulators.webhook.received().filter((w) => (w.body as { type?: string }).type === 'spdr.escalation')),
          (ws) => ws.length >= 4,
          'four escalations',
        );
        const escalations = simulators.webhook.received().filter((w) => (w.body as { type?: string }).type === 'spdr.escalation');
        const bodies = escalations.map((w) => w.body as { reportId: string; level: number; children?: string[] });
        expect(bodies.map((b) => [b.reportId, b.level])).toEqual([1, 2, 3, 4].map((level) => [parentId, level]));
        for (const b of bodies) expect(b.children).toHaveLength(39);
        // The children's own clocks stood still: no ladder step taken, sent or not.
        for (const child of (await Promise.all(handles.map((h) => h.query(reportQuery)))).filter((x) => x.reportId !== parentId)) {
          expect(child.jeopardy).toMatchObject({ state: 'onTrack', escalationLevel: 0, ladderStepsTaken: 0 });
          expect(child.jeopardy.pausedSince).toBeDefined();
        }
        // When the parent is final, the next report with the key starts a new group.
        await parent.executeUpdate(MESSAGES.cancel.update, { args: [{ by: 'noc.anna', reason: 'other' }] });
        await until(
          () => coordinator.query(correlationQuery),
          (v) => v.parentReportId !== parentId,
          'the coordinator to let the cancelled parent go',
        ).catch(() => undefined);
        const next = `R-S-next-${process.pid}`;
        const nextHandle = await openReport(env, taskQueue, input(next, { correlationKey: key }));
        started.push(nextHandle);
        const later = `R-S-later-${process.pid}`;
        const laterHandle = await openReport(env, taskQueue, input(later, { correlationKey: key }));
        started.push(laterHandle);
        // Either may have reached the coordinator first: one leads, the other is its child; neither joins the ended group.
        const pair = await until(
          () => Promise.all([nextHandle, laterHandle].map((h) => h.query(reportQuery))),
          ([a, b]) => a.parentReportId === later || b.parentReportId === next,
          'a new group of the next two reports',
        );
        expect(pair.map((x) => x.parentReportId).filter(Boolean)).toHaveLength(1);
        for (const h of [...handles.filter((h) => h !== parent), nextHandle, laterHandle])
          await h.signal(MESSAGES.cancel.signal, { by: 'noc.anna', reason: 'other' });
      });
    } finally {
      await terminateStarted();
    }
  }, 300_000);
});
