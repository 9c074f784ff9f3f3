/**
 * Behaviour that needs a full server: updates (synchronous validation), search attributes,
 * and a report that lives long enough to continue-as-new. Runs on the run's shared dev server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { Report } from '../../src/domain';
import type { degradationReport } from '../../src/workflows';
import { MESSAGES, reportQuery } from '../../src/workflows/messages';
import { connectToDevServer, uniqueTaskQueue, workflowBundle } from '../support/env';
import { fakeSystems, type FakeSystems } from '../support/fake-activities';
import { recordScenario } from '../support/scenarios';
import { eventually } from '../support/wait';
import { WORKFLOW_TYPE, reportWorkflowId } from '../../src/contract';

let client: Client;
let nativeConnection: NativeConnection;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ client, nativeConnection, close } = await connectToDevServer());
});
afterAll(async () => {
  await close?.();
});

function input(reportId: string, extra: Record<string, unknown> = {}) {
  return {
    reportId,
    service: { id: 'svc-volte-fra1', name: 'VoLTE core Frankfurt 1' },
    severity: 'critical',
    description: 'Call setup latency p95 above 3 s',
    detectedAt: '2026-11-25T10:00:00Z',
    ...extra,
  };
}

async function withWorker<T>(fn: (taskQueue: string) => Promise<T>, systems: FakeSystems = fakeSystems()): Promise<T> {
  const taskQueue = uniqueTaskQueue('server');
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: systems.activities,
  });
  return worker.runUntil(() => fn(taskQueue));
}

const rid = (name: string) => `${name}-${process.pid}-${Date.now() % 100000}`;

describe('operator actions as updates', () => {
  it('an update returns a small summary of the new report; an invalid one is refused synchronously with the same reason and changes nothing', async () => {
    await withWorker(async (taskQueue) => {
      const reportId = rid('UPD');
      const h: WorkflowHandle<typeof degradationReport> = await client.workflow.start(WORKFLOW_TYPE, {
        taskQueue,
        workflowId: reportWorkflowId(reportId),
        args: [input(reportId)],
      });
      const after = await h.executeUpdate(MESSAGES.addAnalysis.update, {
        args: [{ author: 'noc.anna', summary: 'Packet loss on PE-7 uplink' }],
      });
      // A small answer, not the whole report (which is the query).
      expect(after).toMatchObject({ reportId, status: 'acknowledged', jeopardy: 'onTrack' });
      expect(JSON.stringify(after).length).toBeLessThan(300);
      expect((await h.query(reportQuery)).analysis).toHaveLength(1);

      const err = await h
        .executeUpdate(MESSAGES.setStatus.update, { args: [{ by: 'noc.anna', status: 'closed' as never, reason: 'x' }] })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(String((err as WorkflowUpdateFailedError).cause?.message)).toMatch(/^setStatus\.status: /);

      const illegal = await h.executeUpdate(MESSAGES.confirmClosure.update, { args: [{ by: 'close.process' }] }).catch((e: unknown) => e);
      expect(String((illegal as WorkflowUpdateFailedError).cause?.message)).toMatch(/acknowledged/);

      const now: Report = await h.query(reportQuery);
      expect(now.rejectedInputs).toHaveLength(0); // refused updates never enter the report
      expect(now.status).toBe('acknowledged');
      const history = await h.fetchHistory();
      expect(history.events!.filter((e) => e.workflowTaskFailedEventAttributes)).toHaveLength(0);
      expect(history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(1);
      await h.executeUpdate(MESSAGES.cancel.update, { args: [{ by: 'noc.anna', reason: 'other' }] });
      expect((await h.result()).status).toBe('cancelled');
    });
  });

  it('keeps the report findable: search attributes follow status, jeopardy and assignees', async () => {
    await withWorker(async (taskQueue) => {
      const reportId = rid('SA');
      const h = await client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId: reportWorkflowId(reportId), args: [input(reportId)] });
      await h.executeUpdate(MESSAGES.assign.update, { args: [{ by: 'noc.anna', taskId: 't1', kind: 'analysis', assignee: 'tx.team' }] });
      const d = await h.describe();
      const sa = d.searchAttributes as Record<string, unknown[]>;
      expect(sa.SpdrStatus).toEqual(['inProgress']);
      expect(sa.SpdrSeverity).toEqual(['critical']);
      expect(sa.SpdrJeopardy).toEqual(['onTrack']);
      expect(sa.SpdrServiceId).toEqual(['svc-volte-fra1']);
      expect(sa.SpdrAssignee).toEqual(['tx.team']);
      expect(sa.SpdrEscalationLevel).toEqual([0]);
      const report: Report = await h.query(reportQuery);
      expect((sa.SpdrDeadline[0] as Date).toISOString()).toBe(report.jeopardy.deadline);
      await h.signal(MESSAGES.cancel.signal, { by: 'noc.anna', reason: 'other' });
      await h.result();
    });
  });

  it('5,000 messages cross a continue-as-new with state intact (long lists bounded, totals kept) and the same workflow id', async () => {
    const wall = Date.now();
    const systems = fakeSystems();
    await withWorker(async (taskQueue) => {
      const reportId = rid('LONG');
      const workflowId = reportWorkflowId(reportId);
      const h = await client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId, args: [input(reportId)] });
      await h.signal(MESSAGES.addAnalysis.signal, {
        author: 'noc.anna',
        summary: 'cause',
        rootCause: { domain: 'resource', resourceId: 'PE-7' },
      });
      const deadlineAtOpen = (await h.query(reportQuery)).jeopardy.deadline;
      const total = 5000;
      let next = 0;
      const send = async () => {
        while (next < total) {
          const i = next++;
          await h.signal(MESSAGES.addAnalysis.signal, { author: 'probe', summary: `m${i}` });
        }
      };
      // A few senders at a time: the SDK handles a workflow task carrying thousands of signals badly (see README).
      await Promise.all(Array.from({ length: 2 }, send));
      const received = (x: Report): number => x.analysis.length + (x.trimmed?.analysis ?? 0);
      // A query may time out while the worker works through the burst (seen once in CI): it is asked again.
      const r = await eventually(
        () => client.workflow.getHandle(workflowId).query(reportQuery),
        (x) => received(x) >= total + 1,
        `all ${total + 1} analyses in the report`,
        60_000,
        500,
      );
      // Every message arrived; the report keeps the most recent analyses and counts the rest (bounded state).
      expect(received(r)).toBe(total + 1);
      expect(r.analysis.map((a) => a.summary).at(-1)).toMatch(/^m\d+$/);
      expect(new Set(r.analysis.map((a) => a.summary)).size).toBe(r.analysis.length);
      expect(r.troubleReports).toHaveLength(1);
      // The ticket the trouble system created, once, carried into the new run (not just any id).
      const [ticketKey] = [...systems.tickets.keys()];
      expect(systems.tickets.size).toBe(1);
      expect(systems.createAttempts.get(ticketKey)).toBe(1);
      expect(
        r.troubleReports[0],
        JSON.stringify({
          tr: r.troubleReports,
          rejected: r.rejectedInputs.slice(0, 3),
          hist: r.history.filter((e) => e.action !== 'analysisAdded').slice(-8),
        }),
      ).toMatchObject({
        key: ticketKey,
        ticketId: systems.tickets.get(ticketKey)!.ticketId,
      });
      const latest = await client.workflow.getHandle(workflowId).describe();
      expect(latest.runId).not.toBe(h.firstExecutionRunId); // it did continue as new
      const first = await client.workflow.getHandle(workflowId, h.firstExecutionRunId).describe();
      expect(first.status.name).toBe('CONTINUED_AS_NEW');
      // No pause happened, so the deadline that crossed the continue-as-new is the one set at opening.
      expect(r.jeopardy.deadline).toBe(deadlineAtOpen);
      expect(r.history.length + (r.trimmed?.history ?? 0)).toBeGreaterThan(total);
      expect(JSON.stringify(r).length).toBeLessThan(512 * 1024);
      await client.workflow.getHandle(workflowId).signal(MESSAGES.clear.signal, { by: 'noc.anna', resolution: 'done' });
      await client.workflow.getHandle(workflowId).signal(MESSAGES.confirmClosure.signal, { by: 'close.process' });
      const final: Report = await client.workflow.getHandle(workflowId).result();
      expect(final.status).toBe('closed');
      expect(received(final)).toBe(total + 1);
      expect(systems.closeNotices).toHaveLength(1);
    }, systems);
    recordScenario('5,000 messages across continue-as-new (dev server, real time)', 0, Date.now() - wall);
  }, 240_000);
});
