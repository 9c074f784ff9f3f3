/**
 * No silent dead ends, in virtual time, through the real activities against the real simulators
 * with their fault injection: a create refused for good is recorded, escalated, and its task
 * released for reassignment; a partner request that cannot be sent (the partner's system down)
 * never leaves the report's clock paused forever.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Report } from '../../src/domain';
import { reportWorkflowId, WORKFLOW_TYPE } from '../../src/contract';
import { loadWorkerSettings } from '../../src/config/worker-settings';
import { startSimulators } from '../../src/simulators/main';
import { createWorker } from '../../src/worker';
import { MESSAGES, reportQuery } from '../../src/workflows/messages';
import { createTimeSkippingEnv, uniqueTaskQueue, workflowBundle } from '../support/env';

const H = 3600_000;
let env: TestWorkflowEnvironment;
let sims: Awaited<ReturnType<typeof startSimulators>>;
beforeAll(async () => {
  env = await createTimeSkippingEnv();
  sims = await startSimulators({ parties: ['acme-transport'] });
});
afterAll(async () => {
  await sims?.close();
  await env?.teardown();
});

async function withRealWorker(fn: (taskQueue: string) => Promise<void>): Promise<void> {
  const taskQueue = uniqueTaskQueue('dead-ends');
  const settings = loadWorkerSettings({ ...sims.env(1), SPDR_TASK_QUEUE: taskQueue, SPDR_HTTP_TIMEOUT_MS: '2000' });
  const worker = await createWorker({ connection: env.nativeConnection, settings, workflowBundle: await workflowBundle() });
  await worker.runUntil(() => fn(taskQueue));
}

async function open(taskQueue: string, reportId: string, extra: Record<string, unknown> = {}) {
  return env.client.workflow.start(WORKFLOW_TYPE, {
    taskQueue,
    workflowId: reportWorkflowId(reportId),
    args: [{ reportId, service: { id: 'svc-1' }, severity: 'major', description: 'loss', detectedAt: '2026-11-25T10:00:00Z', ...extra }],
  });
}

async function escalationsOf(reportId: string): Promise<{ reason?: string; detail?: string }[]> {
  const answer = (await (await fetch(`${sims.webhookUrl}/admin/received`)).json()) as { received: { body: Record<string, unknown> }[] };
  return answer.received
    .map((r) => r.body as { reportId?: string; reason?: string; detail?: string })
    .filter((b) => b.reportId === reportId);
}

describe('no silent dead ends (time-skipping, real activities, simulators with faults)', () => {
  it('a trouble ticket create refused with 422: recorded, escalated, the restoration task released for reassignment', async () => {
    sims.trouble.faults.update({ status422Rate: 1, methods: ['POST'] });
    try {
      await withRealWorker(async (taskQueue) => {
        const reportId = `DE-422-${process.pid}`;
        const handle = await open(taskQueue, reportId);
        await handle.signal(MESSAGES.addAnalysis.signal, {
          author: 'noc',
          summary: 'PE-7',
          rootCause: { domain: 'resource', resourceId: 'PE-7' },
        });
        await env.sleep(5 * 60_000);
        const r: Report = await handle.query(reportQuery);
        expect(r.troubleReports[0]).toMatchObject({ resourceId: 'PE-7', status: 'rejected' });
        expect(r.troubleReports[0].ticketId).toBeUndefined();
        expect(r.outsideFailures.map((f) => f.system)).toContain('resourceTroubleManagement');
        expect(r.outsideFailures[0].message).toMatch(/422/);
        // The delegated task is visible to the operator as released, and an operator can take it over.
        const released = r.history.find((e) => e.action === 'taskUpdated' && /reassign it/.test(e.detail ?? ''));
        expect(released).toBeDefined();
        expect((await escalationsOf(reportId)).some((e) => e.reason === 'outsideSystemFailing')).toBe(true);
        expect(sims.trouble.book.snapshot().records).toHaveLength(0);
        await handle.terminate('done');
      });
    } finally {
      sims.trouble.faults.reset();
    }
  }, 120_000);

  it("a partner request that cannot be sent (the partner's system down): escalated when late and the clock runs again", async () => {
    sims.partner.faults.update({ down: true });
    try {
      await withRealWorker(async (taskQueue) => {
        const reportId = `DE-DOWN-${process.pid}`;
        const handle = await open(taskQueue, reportId, { partnerOwnedResources: { 'FIB-9': 'acme-transport' } });
        await handle.signal(MESSAGES.addAnalysis.signal, {
          author: 'noc',
          summary: 'FIB-9',
          rootCause: { domain: 'partner', partyId: 'acme-transport', resourceId: 'FIB-9' },
        });
        await env.sleep(60_000);
        let r: Report = await handle.query(reportQuery);
        expect(r.status).toBe('pending');
        expect(r.jeopardy.pausedSince).toBeDefined();
        // Past the partner's answer due time (4 h by default), the system still down.
        await env.sleep(5 * H);
        r = await handle.query(reportQuery);
        expect(r.partnerRequests[0]).toMatchObject({ status: 'requested', lateEscalated: true });
        expect(r.partnerRequests[0].requestId).toBeUndefined();
        expect(r.status).toBe('inProgress');
        expect(r.jeopardy.pausedSince).toBeUndefined();
        expect(r.history.some((e) => /could not be sent by the answer's due time/.test(e.reason ?? ''))).toBe(true);
        const reasons = (await escalationsOf(reportId)).map((e) => e.reason);
        expect(reasons).toContain('partnerLate');
        await handle.terminate('done');
      });
    } finally {
      sims.partner.faults.reset();
    }
  }, 120_000);
});
