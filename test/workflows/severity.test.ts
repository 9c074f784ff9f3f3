/** Re-prioritising in virtual time: `setSeverity` on the real workflow, across continue-as-new. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { MESSAGES, reportQuery } from '../../src/workflows/messages';
import { createTimeSkippingEnv } from '../support/env';
import { firstTaskCompleted, openReport, reportWorker } from '../support/open-report';
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

describe('setSeverity (time-skipping)', () => {
  it('a major raised to critical after 3 h of active time: 50% and 75% fire at once, the breach at 4 h plus paused time, nothing twice, across continue-as-new', async () => {
    // A short history limit, so the run continues as new between the raise and the breach.
    const systems = fakeSystems({ continueAsNewAfterEvents: 60 });
    const { worker, taskQueue } = await reportWorker(env, 'severity', systems.activities);
    const reportId = `R-sev-${process.pid}`;
    const h = await openReport(env, taskQueue, {
      reportId,
      service: { id: 'svc-volte-fra1' },
      severity: 'major',
      description: 'Call setup latency p95 above 3 s',
      detectedAt: '2026-11-25T10:00:00Z',
    });
    try {
      await worker.runUntil(async () => {
        await firstTaskCompleted(h);
        const openedAt = Date.parse((await h.query(reportQuery)).openedAt);
        await env.sleep(1 * H);
        await h.executeUpdate(MESSAGES.setStatus.update, {
          args: [{ by: 'noc.anna', status: 'pending', reason: 'waiting on customer trace' }],
        });
        await env.sleep(30 * MIN);
        await h.executeUpdate(MESSAGES.setStatus.update, { args: [{ by: 'noc.anna', status: 'inProgress', reason: 'trace received' }] });
        await env.sleep(2 * H); // 3 h active of 8 h: nothing yet
        expect(systems.assigneeNotices).toHaveLength(0);
        expect(systems.escalations).toHaveLength(0);
        // A bad severity is refused synchronously and changes nothing.
        await expect(
          h.executeUpdate(MESSAGES.setSeverity.update, { args: [{ by: 'noc.anna', severity: 'blocker' as never, reason: 'x' }] }),
        ).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
        const result = await h.executeUpdate(MESSAGES.setSeverity.update, {
          args: [{ by: 'noc.anna', severity: 'critical', reason: 'more cells affected' }],
        });
        let r = await h.query(reportQuery);
        const paused = r.jeopardy.pausedMs;
        expect(paused).toBeGreaterThanOrEqual(30 * MIN);
        expect(paused).toBeLessThan(31 * MIN);
        expect(result).toMatchObject({
          jeopardy: 'inJeopardy',
          escalationLevel: 1,
          deadline: new Date(openedAt + 4 * H + paused).toISOString(),
        });
        expect(r.severity).toBe('critical');
        await env.sleep(1 * MIN);
        expect(systems.assigneeNotices).toHaveLength(1);
        expect(systems.escalations.map((e) => [e.level, e.reason])).toEqual([[1, 'jeopardy']]);
        // Many messages: the run continues as new before the breach.
        for (let i = 0; i < 12; i++) await h.signal(MESSAGES.addAnalysis.signal, { author: 'noc.anna', summary: `looking ${i}` });
        await env.sleep(1 * H); // past openedAt + 4 h + paused
        r = await h.query(reportQuery);
        expect(r.jeopardy).toMatchObject({ state: 'breached', escalationLevel: 2 });
        expect(systems.escalations.map((e) => [e.level, e.reason])).toEqual([
          [1, 'jeopardy'],
          [2, 'breach'],
        ]);
        expect(systems.assigneeNotices).toHaveLength(1);
        expect(r.history.filter((e) => e.action === 'severityChanged')).toHaveLength(1);
        const runs = await h.describe();
        expect(runs.runId).not.toBe(h.firstExecutionRunId);
        await h.signal(MESSAGES.cancel.signal, { by: 'noc.anna', reason: 'other' });
        await h.result();
      });
    } finally {
      await h.terminate('test over').catch(() => undefined);
    }
  });
});
