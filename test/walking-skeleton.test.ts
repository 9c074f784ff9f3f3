import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { addAnalysisSignal, clearSignal, reportQuery } from '../src/workflows/degradation-report';
import type { EscalationNotice } from '../src/activities/types';
import { createTimeSkippingEnv, uniqueTaskQueue, workflowBundle } from './support/env';

const DAY = 24 * 3600_000;

describe('walking skeleton (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('a 2-day report: analysis on day 1, escalation when the target passes, clearance on day 2', async () => {
    const escalations: EscalationNotice[] = [];
    const taskQueue = uniqueTaskQueue('skeleton');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: { notifyEscalation: async (n: EscalationNotice) => void escalations.push(n) },
    });
    const wallStart = Date.now();
    const result = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start('degradationReport', {
        taskQueue,
        workflowId: 'spdr-R-SKEL-1',
        args: [{ reportId: 'R-SKEL-1', service: { id: 'svc-volte-fra1', name: 'VoLTE core Frankfurt 1' }, severity: 'minor', description: 'Call setup latency p95 above 3 s', detectedAt: '2026-11-25T10:00:00Z' }],
      });
      const start = await env.currentTimeMs();
      await env.sleep(DAY / 2);
      await handle.signal(addAnalysisSignal, { author: 'noc.anna', summary: 'Packet loss on PE-7 uplink', rootCause: { domain: 'resource', resourceId: 'PE-7' } });
      await env.sleep(DAY); // minor target is 24h: the jeopardy timer fires on day 2
      const mid = await handle.query(reportQuery);
      expect(mid.jeopardy).toMatchObject({ state: 'breached', escalationLevel: 1 });
      expect(escalations).toHaveLength(1);
      expect(escalations[0]).toMatchObject({ reportId: 'R-SKEL-1', level: 1, jeopardyState: 'breached' });
      await handle.signal(clearSignal, { by: 'noc.anna', resolution: 'Uplink replaced' });
      const final = await handle.result();
      expect((await env.currentTimeMs()) - start).toBeGreaterThanOrEqual(1.5 * DAY);
      return final;
    });
    expect(Date.now() - wallStart).toBeLessThan(60_000);
    expect(result.status).toBe('cleared');
    expect(result.analysis).toHaveLength(1);
  });

  it('invalid start input fails the workflow with a non-retryable error naming the bad field', async () => {
    const taskQueue = uniqueTaskQueue('skeleton-bad');
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities: { notifyEscalation: async () => {} } });
    await worker.runUntil(async () => {
      const err = await env.client.workflow
        .execute('degradationReport', { taskQueue, workflowId: 'spdr-R-SKEL-BAD', args: [{ reportId: 'R-SKEL-BAD', severity: 'catastrophic' }] })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect(String((err as WorkflowFailedError).cause?.message)).toMatch(/severity/);
    });
  });
});
