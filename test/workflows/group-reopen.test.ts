/**
 * A reopened group parent reopens the children cleared with it, on the real workflow in virtual
 * time: `rejectClearance` and then a recurrence (`setStatus` from `cleared`) on the parent bring
 * each child cleared "with parent" back to `inProgress`, still grouped (its clock paused for the
 * group, not for the clearance), once per reopening; only the parent escalates meanwhile.
 * With SPDR_CAPTURE_HISTORIES set it writes the parent's and a child's histories for the replay test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { MESSAGES, reportQuery } from '../../src/workflows/messages';
import type { degradationReport } from '../../src/workflows';
import type { Report, StartInputJson } from '../../src/domain';
import { WORKFLOW_TYPE, reportWorkflowId } from '../../src/contract';
import { createTimeSkippingEnv, uniqueTaskQueue, workflowBundle } from '../support/env';
import { fakeSystems } from '../support/fake-activities';
import { eventually } from '../support/wait';
import { captureHistories } from '../support/scenarios';

const H = 3600_000;

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createTimeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

const input = (reportId: string): StartInputJson => ({
  reportId,
  service: { id: 'svc-volte-fra1' },
  severity: 'critical',
  description: 'Call setup latency p95 above 3 s',
});

const reopenedWith = (r: Report, parent: string) => r.history.filter((e) => e.reason === `reopened with parent ${parent}`);

/** Signals between workflows are not timers: wait in real time until every report satisfies `ok`. */
const allOf = (handles: WorkflowHandle[], ok: (r: Report) => boolean, what: string): Promise<Report[]> =>
  eventually(
    () => Promise.all(handles.map((h) => h.query(reportQuery))),
    (rs) => rs.every(ok),
    what,
    120_000,
  );

describe('a reopened group parent (time-skipping)', () => {
  it('rejectClearance, then a recurrence, reopen the children cleared with it: inProgress, still grouped, once each; one ladder', async () => {
    const systems = fakeSystems();
    const taskQueue = uniqueTaskQueue('reopen');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: systems.activities,
    });
    const tag = `${process.pid}-r`;
    const [p, c1, c2] = [`R-P-${tag}`, `R-C1-${tag}`, `R-C2-${tag}`];
    const started: WorkflowHandle[] = [];
    const start = async (id: string) => {
      const h = await env.client.workflow.start<typeof degradationReport>(WORKFLOW_TYPE, {
        taskQueue,
        workflowId: reportWorkflowId(id),
        args: [input(id)],
      });
      started.push(h);
      return h;
    };
    try {
      await worker.runUntil(async () => {
        const [parent, child1, child2] = await Promise.all([start(p), start(c1), start(c2)]);
        const children = [child1, child2];
        await parent.executeUpdate(MESSAGES.group.update, { args: [{ by: 'noc.anna', children: [c1, c2], reason: 'same fibre cut' }] });
        await allOf(children, (r) => r.parentReportId === p, 'children grouped');
        await parent.executeUpdate(MESSAGES.clear.update, { args: [{ by: 'noc.anna', resolution: 'Fibre spliced' }] });
        await allOf(children, (r) => r.status === 'cleared', 'children cleared with the parent');

        await parent.executeUpdate(MESSAGES.rejectClearance.update, { args: [{ by: 'customer', reason: 'still degraded' }] });
        let reopened = await allOf(children, (r) => r.status === 'inProgress', 'children reopened with the parent');
        for (const r of reopened) {
          expect(r.parentReportId).toBe(p);
          expect(r.clearance).toBeUndefined();
          expect(r.jeopardy.pausedSince).toBeDefined();
          expect(reopenedWith(r, p)).toHaveLength(1);
        }
        // Hours later: the children stayed grouped and silent; the parent's ladder alone ran.
        await env.sleep(5 * H);
        expect(systems.escalations.length).toBeGreaterThan(0);
        expect(new Set(systems.escalations.map((e) => e.reportId))).toEqual(new Set([p]));
        expect(new Set(systems.escalations.map((e) => e.level)).size).toBe(systems.escalations.length);

        // A second clearance, then a recurrence: reopened again, once each.
        await parent.executeUpdate(MESSAGES.clear.update, { args: [{ by: 'noc.anna', resolution: 'Spliced again' }] });
        await allOf(children, (r) => r.status === 'cleared', 'children cleared again');
        await parent.executeUpdate(MESSAGES.setStatus.update, { args: [{ by: 'noc.bob', status: 'inProgress', reason: 'recurred' }] });
        reopened = await allOf(children, (r) => reopenedWith(r, p).length === 2, 'children reopened by the recurrence');
        for (const r of reopened) {
          expect(r.status).toBe('inProgress');
          expect(reopenedWith(r, p).map((e) => e.by)).toEqual(['customer', 'noc.bob']);
        }
        // Released, a child's clock runs again.
        await parent.executeUpdate(MESSAGES.ungroup.update, { args: [{ by: 'noc.anna', children: [c1], reason: 'different cause' }] });
        const [released] = await allOf([child1], (r) => r.parentReportId === undefined, 'child released');
        expect(released.status).toBe('inProgress');
        expect(released.jeopardy.pausedSince).toBeUndefined();
        expect(reopenedWith(await parent.query(reportQuery), p)).toHaveLength(0);
        if (process.env.SPDR_CAPTURE_HISTORIES) await captureHistories('grouped report reopened with its parent', [parent, child2]);
      });
    } finally {
      for (const h of started) await h.terminate('test over').catch(() => undefined);
    }
  }, 300_000);
});
