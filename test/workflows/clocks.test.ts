/**
 * The response and update-cadence clocks through the real workflow on Temporal's time-skipping
 * test server: the one deadline timer wakes the report for their steps, the assignees are
 * notified and the ladder escalates, search attributes let an operator list "response overdue",
 * and a retroactive start counts from detectedAt.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import type { Report } from '../../src/domain';
import type { degradationReport } from '../../src/workflows';
import { MESSAGES, reportQuery } from '../../src/workflows/messages';
import { createTimeSkippingEnv } from '../support/env';
import { openReport, reportWorker } from '../support/open-report';
import { fakeSystems, type FakeSystems } from '../support/fake-activities';

const MIN = 60_000;

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createTimeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

let n = 0;
function startInput(policy: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  n += 1;
  return {
    reportId: `RC-${process.pid}-${n}`,
    service: { id: 'svc-volte-fra1', name: 'VoLTE core Frankfurt 1' },
    severity: 'critical',
    description: 'Call setup latency p95 above 3 s',
    jeopardyPolicy: policy,
    ...extra,
  };
}

type Handle = WorkflowHandle<typeof degradationReport>;

/** The notices are sent by activities that may still be running when virtual time has moved on: wait for them (in real time, bounded). */
async function until(what: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !what(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
}
const query = (h: Handle): Promise<Report> => h.query(reportQuery);

async function scenario(body: (ctx: { start(input: Record<string, unknown>): Promise<Handle>; systems: FakeSystems }) => Promise<void>) {
  const systems = fakeSystems();
  const { worker, taskQueue } = await reportWorker(env, 'clocks', systems.activities);
  const started: Handle[] = [];
  try {
    await worker.runUntil(() =>
      body({
        systems,
        start: async (input) => {
          input = { detectedAt: new Date(await env.currentTimeMs()).toISOString(), ...input };
          const handle = await openReport(env, taskQueue, { ...input, reportId: String(input.reportId) });
          started.push(handle);
          return handle;
        },
      }),
    );
  } finally {
    for (const h of started) await h.terminate('scenario over').catch(() => undefined);
  }
}

describe('response and update clocks (time-skipping)', () => {
  it('an unanswered report notifies at 50% of the response target, escalates at 75% and 100%, and is listed as response overdue', async () => {
    await scenario(async ({ start, systems }) => {
      const h = await start(startInput({ responseTarget: '20m' }));
      await env.sleep(10 * MIN + 1_000);
      await until(() => systems.assigneeNotices.length >= 1);
      expect(systems.assigneeNotices.map((e) => e.detail)).toEqual([
        expect.stringContaining('response clock inJeopardy at 50% of the 20m response target'),
      ]);
      await env.sleep(10 * MIN);
      await until(() => systems.escalations.length >= 2);
      expect(systems.escalations.map((e) => [e.level, e.reason, e.subject])).toEqual([
        [1, 'jeopardy', 'response'],
        [2, 'breach', 'response'],
      ]);
      const r = await query(h);
      expect(r.jeopardy.clocks?.response?.state).toBe('breached');
      expect(r.jeopardy.state).toBe('onTrack'); // the top-level jeopardy is still the resolution clock
      const sa = (await h.describe()).searchAttributes as Record<string, unknown[]>;
      expect(sa.SpdrResponseState).toEqual(['breached']);
      await h.signal(MESSAGES.cancel.signal, { by: 'noc.anna', reason: 'other', note: 'test over' });
      await h.result();
    });
  });

  it('the update cadence runs out between analyses, notifies and escalates, and the next analysis starts a fresh gap', async () => {
    await scenario(async ({ start, systems }) => {
      const h = await start(startInput({ updateEvery: '1h' }));
      await h.executeUpdate(MESSAGES.addAnalysis.update, { args: [{ author: 'noc.anna', summary: 'first look' }] });
      await env.sleep(61 * MIN);
      await until(() => systems.escalations.length >= 2 && systems.assigneeNotices.length >= 1);
      const subjects = systems.escalations.map((e) => e.subject);
      expect(systems.assigneeNotices).toHaveLength(1);
      expect(subjects).toHaveLength(2);
      expect(subjects.every((s) => s?.startsWith('update-'))).toBe(true);
      expect((await query(h)).jeopardy.clocks?.update?.state).toBe('breached');
      await h.executeUpdate(MESSAGES.addAnalysis.update, { args: [{ author: 'noc.anna', summary: 'uplink suspected' }] });
      const fresh = await query(h);
      expect(fresh.jeopardy.clocks?.update?.state).toBe('onTrack');
      expect(Date.parse(fresh.jeopardy.clocks!.update!.deadline) - Date.parse(fresh.jeopardy.clocks!.update!.metAt!)).toBe(60 * MIN);
      await env.sleep(31 * MIN);
      await until(() => systems.assigneeNotices.length >= 2);
      expect(systems.assigneeNotices).toHaveLength(2);
      await h.signal(MESSAGES.cancel.signal, { by: 'noc.anna', reason: 'other', note: 'test over' });
      await h.result();
    });
  });

  it('clockStartsAt "detected" counts from detectedAt: a report detected 15 minutes before opening is notified after 5 more', async () => {
    await scenario(async ({ start, systems }) => {
      const detectedAt = new Date((await env.currentTimeMs()) - 15 * MIN).toISOString();
      const h = await start(startInput({ responseTarget: '40m', clockStartsAt: 'detected' }, { detectedAt }));
      const opened = await query(h);
      expect(Date.parse(opened.jeopardy.deadline)).toBe(Date.parse(detectedAt) + 4 * 60 * MIN);
      await env.sleep(6 * MIN);
      await until(() => systems.assigneeNotices.length >= 1);
      expect(systems.assigneeNotices).toHaveLength(1);
      await h.signal(MESSAGES.cancel.signal, { by: 'noc.anna', reason: 'other', note: 'test over' });
      await h.result();
    });
  });
});
