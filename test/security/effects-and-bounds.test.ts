/**
 * Ordered effects and bounded state, on the shared dev server (real time, real worker):
 * - a resource cause and `cancel` in the same workflow task: the cancel runs after the create
 *   finished, against the created ticket; nothing stays open behind the cancelled report;
 * - a create that completes after its report was cancelled is followed by a cancel;
 * - a busy report (hundreds of long analyses, each valid) keeps its state, continue-as-new input
 *   and query answer under 512 KB and keeps continuing-as-new with 0 workflow task failures;
 * - continue-as-new also happens while an outside system is down: the effect in back-off travels
 *   with the state and completes, exactly once, in a later run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { Report } from '../../src/domain';
import type { SpdrActivities } from '../../src/activities/types';
import { MESSAGES, reportQuery } from '../../src/workflows/messages';
import { connectToDevServer, uniqueTaskQueue, workflowBundle } from '../support/env';
import { fakeSystems, type FakeSystems } from '../support/fake-activities';
import { auditWorkflowTasks, eventually, log } from '../reliability/helpers';
import { WORKFLOW_TYPE, reportWorkflowId } from '../../src/contract';

let dev: Awaited<ReturnType<typeof connectToDevServer>>;
let client: Client;
beforeAll(async () => {
  dev = await connectToDevServer();
  client = dev.client;
});
afterAll(async () => {
  await dev?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const input = (reportId: string) => ({
  reportId,
  service: { id: 'svc-1' },
  severity: 'major',
  description: 'latency',
  detectedAt: '2026-11-25T10:00:00Z',
});

async function withWorker<T>(activities: SpdrActivities, fn: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = uniqueTaskQueue('effects');
  const worker = await Worker.create({ connection: dev.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities });
  return worker.runUntil(() => fn(taskQueue));
}

/** Fakes whose settings read and trouble-ticket create are slow, so messages pile up in one task and a cancel can overtake a create. */
function slowSystems(settings: Record<string, unknown> = {}) {
  const systems: FakeSystems = fakeSystems(settings);
  const timeline: string[] = [];
  const base = systems.activities;
  const activities: SpdrActivities = {
    ...base,
    async reportSettings() {
      await sleep(800);
      return base.reportSettings();
    },
    async createTroubleReport(e) {
      timeline.push(`create start ${e.key}`);
      await sleep(1500);
      const created = await base.createTroubleReport(e);
      timeline.push(`create done ${e.key}`);
      return created;
    },
    async cancelTroubleReport(e) {
      timeline.push(`cancel ${e.key} ticket=${e.ticketId ?? 'none'}`);
      return base.cancelTroubleReport(e);
    },
  };
  return { systems, timeline, activities };
}

describe('ordered effects', () => {
  it('a resource cause and cancel in the same workflow task: the cancel follows the create and closes the ticket', async () => {
    const { systems, timeline, activities } = slowSystems();
    await withWorker(activities, async (taskQueue) => {
      const reportId = `ORD-${Date.now()}`;
      const handle = await client.workflow.start(WORKFLOW_TYPE, {
        taskQueue,
        workflowId: reportWorkflowId(reportId),
        args: [input(reportId)],
      });
      // Both arrive while the first task waits for the (slow) settings: one task applies them both.
      await handle.signal(MESSAGES.addAnalysis.signal, {
        author: 'noc.anna',
        summary: 'PE-7 uplink',
        rootCause: { domain: 'resource', resourceId: 'PE-7' },
      });
      await handle.signal(MESSAGES.cancel.signal, { by: 'noc.anna', reason: 'falseServiceFailureEvent' });
      const final: Report = await handle.result();
      expect(final.status).toBe('cancelled');
      const key = `spdr-${reportId}-rtr-PE-7`;
      expect(timeline).toEqual([`create start ${key}`, `create done ${key}`, `cancel ${key} ticket=TT-1`]);
      expect(systems.tickets.get(key)).toMatchObject({ status: 'cancelled', creations: 1 });
      expect((await auditWorkflowTasks(client, [reportWorkflowId(reportId)])).ours).toEqual([]);
    });
  }, 60_000);

  it('a create that completes after the report was cancelled (cancel arrived mid-create) is followed by a cancel', async () => {
    const { systems, timeline, activities } = slowSystems();
    await withWorker(activities, async (taskQueue) => {
      const reportId = `ORD2-${Date.now()}`;
      const handle = await client.workflow.start(WORKFLOW_TYPE, {
        taskQueue,
        workflowId: reportWorkflowId(reportId),
        args: [input(reportId)],
      });
      await handle.signal(MESSAGES.addAnalysis.signal, {
        author: 'noc.anna',
        summary: 'PE-8 uplink',
        rootCause: { domain: 'resource', resourceId: 'PE-8' },
      });
      const key = `spdr-${reportId}-rtr-PE-8`;
      await eventually(
        async () => timeline,
        (t) => t.includes(`create start ${key}`),
        'the create to start',
      );
      await handle.signal(MESSAGES.cancel.signal, { by: 'noc.anna', reason: 'duplicate' });
      const final: Report = await handle.result();
      expect(final.status).toBe('cancelled');
      expect(timeline.at(-1)).toBe(`cancel ${key} ticket=TT-1`);
      expect(timeline.indexOf(`create done ${key}`)).toBeLessThan(timeline.indexOf(`cancel ${key} ticket=TT-1`));
      expect([...systems.tickets.values()].filter((t) => t.status !== 'cancelled')).toEqual([]);
      expect(final.troubleReports[0]).toMatchObject({ key, ticketId: 'TT-1' });
    });
  }, 60_000);
});

describe('no silent dead ends', () => {
  it('a create refused for good: recorded, escalated, the trouble report rejected (task released), the partner request rejected (clock runs again)', async () => {
    const systems = fakeSystems();
    const refuse = (what: string) =>
      ApplicationFailure.create({ message: `${what}: 422 Unprocessable Entity`, type: 'OutsideSystemRejected', nonRetryable: true });
    const activities: SpdrActivities = {
      ...systems.activities,
      async createTroubleReport() {
        throw refuse('resource trouble management: create trouble ticket refused');
      },
      async createPartnerRequest() {
        throw refuse('partner acme: create partner request refused');
      },
    };
    await withWorker(activities, async (taskQueue) => {
      const reportId = `DEAD-${Date.now()}`;
      const handle = await client.workflow.start(WORKFLOW_TYPE, {
        taskQueue,
        workflowId: reportWorkflowId(reportId),
        args: [{ ...input(reportId), partnerOwnedResources: { 'FIB-9': 'acme' } }],
      });
      await handle.signal(MESSAGES.addAnalysis.signal, {
        author: 'noc.anna',
        summary: 'PE-7',
        rootCause: { domain: 'resource', resourceId: 'PE-7' },
      });
      await handle.signal(MESSAGES.addAnalysis.signal, {
        author: 'noc.anna',
        summary: 'FIB-9',
        rootCause: { domain: 'resource', resourceId: 'FIB-9' },
      });
      const r: Report = await eventually(
        () => handle.query(reportQuery),
        (x) => x.troubleReports[0]?.status === 'rejected' && x.partnerRequests[0]?.status === 'rejected',
        'both refusals recorded',
      );
      expect(r.status).not.toBe('pending');
      expect(r.jeopardy.pausedSince).toBeUndefined();
      expect(r.outsideFailures.map((f) => f.system).sort()).toEqual(['partnerPerformanceManagement', 'resourceTroubleManagement']);
      expect(r.history.some((e) => e.action === 'taskUpdated' && /reassign it/.test(e.detail ?? ''))).toBe(true);
      const escalations = systems.escalations.filter((e) => e.reason === 'outsideSystemFailing');
      expect(escalations).toHaveLength(2);
      expect(new Set(escalations.map((e) => e.subject)).size).toBe(2);
      await handle.cancel();
    });
  }, 60_000);
});

describe('bounded state', () => {
  it('a busy report (hundreds of long analyses) stays under 512 KB and keeps continuing-as-new, 0 workflow task failures', async () => {
    const { systems } = slowSystems();
    const activities = {
      ...systems.activities,
      reportSettings: async () => ({ policyDefaults: {}, outsideFailureEscalateAfterMs: 15 * 60_000, continueAsNewAfterEvents: 300 }),
    };
    await withWorker(activities, async (taskQueue) => {
      const reportId = `BUSY-${Date.now()}`;
      const workflowId = reportWorkflowId(reportId);
      const handle = await client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId, args: [input(reportId)] });
      const messages = 400;
      const summary = (i: number) => `${i} `.padEnd(4000, 'x');
      const description = 'd'.repeat(2000);
      let next = 0;
      const send = async () => {
        while (next < messages) {
          const i = next++;
          await handle.signal(MESSAGES.addAnalysis.signal, {
            author: 'noc.anna',
            summary: summary(i),
            rootCause: { domain: 'service', description },
          });
        }
      };
      await Promise.all([send(), send(), send()]);
      const r: Report = await eventually(
        () => client.workflow.getHandle(workflowId).query(reportQuery),
        (x) => x.analysis.length + (x.trimmed?.analysis ?? 0) === messages,
        'every analysis applied',
        90_000,
      );
      const bytes = Buffer.byteLength(JSON.stringify(r));
      expect(bytes).toBeLessThan(512 * 1024);
      expect(
        r.analysis.at(-1)?.summary.startsWith(`${messages - 1} `) || r.analysis.some((a) => a.summary.startsWith(`${messages - 1} `)),
      ).toBe(true);
      expect(r.trimmed?.analysis).toBe(messages - r.analysis.length);
      const audit = await auditWorkflowTasks(client, [workflowId]);
      expect(audit.ours).toEqual([]);
      expect(audit.runs).toBeGreaterThan(1);
      // Every continue-as-new input was bounded too.
      const largestInput = await largestContinueAsNewInput(workflowId);
      expect(largestInput).toBeLessThan(512 * 1024);
      log(
        `busiest report: ${messages} analyses of ~6 KB (${(messages * 6.1).toFixed(0)} KB sent), state ${bytes} bytes, largest continue-as-new input ${largestInput} bytes, ${audit.runs} runs, ${audit.events} events, 0 workflow task failures`,
      );
      await client.workflow.getHandle(workflowId).cancel();
    });
  }, 180_000);

  it('continues-as-new while an outside system is down; the create in back-off travels with the state and completes once', async () => {
    const systems = fakeSystems({ outsideFailureEscalateAfterMs: 1000, continueAsNewAfterEvents: 120 });
    let down = true;
    const activities: SpdrActivities = {
      ...systems.activities,
      async createTroubleReport(e) {
        if (down) throw ApplicationFailure.retryable('resource trouble management: 503', 'OutsideSystemUnavailable');
        return systems.activities.createTroubleReport(e);
      },
    };
    await withWorker(activities, async (taskQueue) => {
      const reportId = `DOWN-${Date.now()}`;
      const workflowId = reportWorkflowId(reportId);
      const handle = await client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId, args: [input(reportId)] });
      await handle.signal(MESSAGES.addAnalysis.signal, {
        author: 'noc.anna',
        summary: 'PE-9',
        rootCause: { domain: 'resource', resourceId: 'PE-9' },
      });
      // Keep the history growing while the trouble system is down.
      for (let i = 0; i < 150; i++) await handle.signal(MESSAGES.addAnalysis.signal, { author: 'probe', summary: `m${i}` });
      await eventually(
        async () => (await client.workflow.getHandle(workflowId).describe()).runId !== handle.firstExecutionRunId,
        (moved) => moved,
        'a continue-as-new during the outage',
        60_000,
      );
      down = false;
      const r: Report = await eventually(
        () => client.workflow.getHandle(workflowId).query(reportQuery),
        (x) => x.troubleReports[0]?.ticketId !== undefined,
        'the trouble report created after the outage',
        60_000,
      );
      expect(r.troubleReports).toHaveLength(1);
      expect(systems.tickets.size).toBe(1);
      expect([...systems.tickets.values()][0].creations).toBe(1);
      expect(r.outsideFailures.length + (r.trimmed?.outsideFailures ?? 0)).toBeGreaterThan(0);
      expect((await auditWorkflowTasks(client, [workflowId])).ours).toEqual([]);
      await client.workflow.getHandle(workflowId).cancel();
    });
  }, 120_000);
});

/** Bytes of the biggest continue-as-new input among the report's runs. */
async function largestContinueAsNewInput(workflowId: string): Promise<number> {
  let largest = 0;
  for await (const info of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    const history = await client.workflow.getHandle(workflowId, info.runId).fetchHistory();
    for (const event of history.events ?? []) {
      const attrs = event.workflowExecutionContinuedAsNewEventAttributes;
      if (!attrs) continue;
      for (const payload of attrs.input?.payloads ?? []) largest = Math.max(largest, payload.data?.byteLength ?? 0);
    }
  }
  return largest;
}
