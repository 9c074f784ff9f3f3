/**
 * Resolution notice through the real workflow and the real activities on Temporal's time-skipping
 * test server, delivering to the project's webhook sink in lax mode (it keeps every delivery, a
 * repeat of a key included): after escalations and a continue-as-new, clearing the report delivers
 * exactly one "resolved" notice to each recipient, and a second clearance one more each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../src/activities';
import { loadIntegrationConfig } from '../../src/config/config';
import { startWebhookSink, type WebhookSink } from '../../src/simulators/webhookSink';
import { MESSAGES, reportQuery } from '../../src/workflows/messages';
import { createTimeSkippingEnv } from '../support/env';
import { openReport, reportWorker } from '../support/open-report';
import { captureHistories } from '../support/scenarios';

const MIN = 60_000;

let env: TestWorkflowEnvironment;
let sink: WebhookSink;
beforeAll(async () => {
  env = await createTimeSkippingEnv();
  sink = await startWebhookSink({ port: 0, lax: true });
});
afterAll(async () => {
  await sink?.close();
  await env?.teardown();
});

async function until(what: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !what(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
}
const resolvedDeliveries = () => sink.received().filter((w) => (w.body as { reason?: string }).reason === 'resolved');

describe('resolution notice (time-skipping, real activities, lax webhook sink)', () => {
  it('every recipient notified or escalated to gets exactly one resolved notice per clearance, across continue-as-new', async () => {
    const integrations = loadIntegrationConfig({
      SPDR_TROUBLE_URL: `${sink.url}/tt/`,
      SPDR_ESCALATION_URL: `${sink.url}/escalation`,
      SPDR_ESCALATION_URL_LEVEL_0: `${sink.url}/notice`,
      SPDR_CLOSE_URL: `${sink.url}/close`,
    });
    // Continue-as-new after 40 events: the report runs through several runs before it is cleared.
    const settings = { policyDefaults: {}, outsideFailureEscalateAfterMs: 15 * MIN, continueAsNewAfterEvents: 40 };
    const { worker, taskQueue } = await reportWorker(env, 'resolved', createActivities({ integrations, settings }));
    const reportId = `RRN-${process.pid}`;
    await worker.runUntil(async () => {
      const h = await openReport(env, taskQueue, {
        reportId,
        service: { id: 'svc-volte-fra1' },
        severity: 'critical',
        description: 'latency',
        jeopardyPolicy: { resolutionTarget: '1h' },
      });
      try {
        await h.executeUpdate(MESSAGES.assign.update, { args: [{ by: 'noc.anna', taskId: 'T1', kind: 'analysis', assignee: 'noc.bob' }] });
        for (let i = 0; i < 30; i++) await h.signal(MESSAGES.addAnalysis.signal, { author: 'noc.anna', summary: `look ${i}` });
        // 50% notifies noc.bob, 75% escalates level 1, 100% level 2 (re-escalation only from 75 min).
        await env.sleep(61 * MIN);
        await until(() => sink.received('/escalation').length >= 2);
        const runs = new Set<string>();
        for (let id: string | undefined = h.firstExecutionRunId; id;) {
          runs.add(id);
          const history = await env.client.workflow.getHandle(h.workflowId, id).fetchHistory();
          id = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
        }
        expect(runs.size).toBeGreaterThan(1);
        expect((await h.query(reportQuery)).resolutionNotices).toMatchObject({ assignees: ['noc.bob'], levels: [1, 2] });
        await h.executeUpdate(MESSAGES.clear.update, { args: [{ by: 'noc.anna', resolution: 'Uplink replaced' }] });
        await until(() => resolvedDeliveries().length >= 3);
        await new Promise((resolve) => setTimeout(resolve, 1_000)); // a repeat, if any, would arrive by now
        const first = resolvedDeliveries();
        expect(first.map((w) => [w.path, w.idempotencyKey]).sort()).toEqual([
          ['/escalation', `spdr-${reportId}-esc-1-resolved-clear-1`],
          ['/escalation', `spdr-${reportId}-esc-2-resolved-clear-1`],
          ['/notice', `spdr-${reportId}-esc-0-resolved-clear-1-noc.bob`],
        ]);
        await h.executeUpdate(MESSAGES.rejectClearance.update, { args: [{ by: 'customer', reason: 'still slow' }] });
        await h.executeUpdate(MESSAGES.clear.update, { args: [{ by: 'noc.anna', resolution: 'Second uplink replaced' }] });
        await until(() => resolvedDeliveries().length >= 6);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        const perKey = sink.deliveriesPerKey();
        const resolvedKeys = Object.keys(perKey).filter((k) => k.includes('-resolved-'));
        expect(resolvedKeys).toHaveLength(6);
        expect(resolvedKeys.map((k) => perKey[k])).toEqual([1, 1, 1, 1, 1, 1]);
        expect(resolvedDeliveries()).toHaveLength(6);
        await h.signal(MESSAGES.confirmClosure.signal, { by: 'noc.anna' });
        await h.result();
        if (process.env.SPDR_CAPTURE_HISTORIES) await captureHistories('resolution notice once per recipient across continue-as-new', [h]);
      } finally {
        await h.terminate('scenario over').catch(() => undefined);
      }
    });
  });
});
