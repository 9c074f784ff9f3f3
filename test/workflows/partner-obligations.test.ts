/**
 * Partner obligations through the real workflow on Temporal's time-skipping test server: the
 * partner request's due time climbs its own ladder toward the partner (each notice naming the
 * request), the report and Temporal Web's current details show the obligation clock, and a promise
 * later than the report's resolution deadline puts the report in jeopardy at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import type { Report } from '../../src/domain';
import type { degradationReport } from '../../src/workflows';
import { MESSAGES, reportQuery } from '../../src/workflows/messages';
import { createTimeSkippingEnv } from '../support/env';
import { openReport, reportWorker } from '../support/open-report';
import { fakeSystems } from '../support/fake-activities';
import { captureHistories } from '../support/scenarios';

const MIN = 60_000;
const HOUR = 60 * MIN;

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createTimeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

type Handle = WorkflowHandle<typeof degradationReport>;
const query = (h: Handle): Promise<Report> => h.query(reportQuery);
async function until(what: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !what(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
}
async function currentDetails(h: Handle): Promise<string> {
  const metadata = (await h.query('__temporal_workflow_metadata')) as { currentDetails?: string };
  return metadata.currentDetails ?? '';
}

describe('partner obligations (time-skipping)', () => {
  it('a late partner is noticed at 50%, escalated at 75% and, as partnerLate, at its due time; a late promise puts the report in jeopardy', async () => {
    const systems = fakeSystems();
    const { worker, taskQueue } = await reportWorker(env, 'partner-ola', systems.activities);
    const reportId = `RPO-${process.pid}`;
    await worker.runUntil(async () => {
      const h = await openReport(env, taskQueue, {
        reportId,
        service: { id: 'svc-volte-fra1' },
        severity: 'critical',
        description: 'latency',
        partnerOwnedResources: { 'FIB-9': 'acme-transport' },
        jeopardyPolicy: { resolutionTarget: '8h', partnerAnswerDue: '2h' },
      });
      try {
        await h.executeUpdate(MESSAGES.addAnalysis.update, {
          args: [{ author: 'noc.anna', summary: 'Fibre cut', rootCause: { domain: 'resource', resourceId: 'FIB-9' } }],
        });
        let r = await query(h);
        const key = r.partnerRequests[0].key;
        expect(r.partnerRequests[0].clock).toEqual({ state: 'onTrack', stepsTaken: 0 });
        await env.sleep(HOUR + MIN);
        await until(() => systems.escalations.length >= 1);
        expect(systems.escalations.map((e) => [e.level, e.reason, e.subject])).toEqual([[0, 'partnerInJeopardy', `${key}-step-1`]]);
        expect(systems.escalations[0].detail).toContain(`request ${key}`);
        await env.sleep(HOUR);
        await until(() => systems.escalations.length >= 3);
        expect(systems.escalations.map((e) => [e.level, e.reason])).toEqual([
          [0, 'partnerInJeopardy'],
          [1, 'partnerInJeopardy'],
          [2, 'partnerLate'],
        ]);
        r = await query(h);
        expect(r.partnerRequests[0]).toMatchObject({ lateEscalated: true, clock: { state: 'breached', stepsTaken: 3 } });
        expect(await currentDetails(h)).toContain('obligation breached');
        // The partner answers with a promise after the report's resolution deadline: jeopardy at once.
        const promised = new Date(Date.parse(r.jeopardy.deadline) + 2 * HOUR).toISOString();
        await h.executeUpdate(MESSAGES.partnerUpdate.update, {
          args: [{ externalId: key, status: 'inProgress', expectedResolutionDate: promised, by: 'partner:acme-transport' }],
        });
        r = await query(h);
        expect(r.jeopardy.state).toBe('inJeopardy');
        expect(r.partnerRequests[0].expectedResolutionDate).toBe(promised);
        await until(() => systems.escalations.some((e) => e.reason === 'partnerPromiseLate'));
        expect(systems.escalations.filter((e) => e.reason === 'partnerPromiseLate').map((e) => e.subject)).toEqual([`${key}-${promised}`]);
        const sa = (await h.describe()).searchAttributes as Record<string, unknown[]>;
        expect(sa.SpdrJeopardy).toEqual(['inJeopardy']);
        expect(await currentDetails(h)).toContain(`promised ${promised}`);
        await h.signal(MESSAGES.cancel.signal, { by: 'noc.anna', reason: 'other', note: 'test over' });
        await h.result();
        if (process.env.SPDR_CAPTURE_HISTORIES) await captureHistories('partner obligation ladder and a late promise', [h]);
      } finally {
        await h.terminate('scenario over').catch(() => undefined);
      }
    });
  });
});
