import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadIntegrationConfig } from '../../src/config/config';
import { Notifier } from '../../src/integrations/notify';
import { startWebhookSink, type WebhookSink } from '../../src/simulators/webhookSink';
import { failureOf, retryUntilSuccess } from './helpers';

describe('escalation and close notifications', () => {
  let sink: WebhookSink;
  let notifier: Notifier;

  beforeAll(async () => {
    sink = await startWebhookSink();
    notifier = new Notifier(
      loadIntegrationConfig({
        SPDR_TROUBLE_URL: 'http://unused.example',
        SPDR_ESCALATION_URL: `${sink.url}/escalation`,
        SPDR_ESCALATION_URL_LEVEL_2: `${sink.url}/duty-manager`,
        SPDR_CLOSE_URL: `${sink.url}/close`,
        SPDR_WEB_URL: 'https://temporal.example.net/',
        SPDR_NAMESPACE: 'noc',
        SPDR_HTTP_TIMEOUT_MS: '300',
      }),
    );
  });
  afterAll(() => sink.close());
  beforeEach(async () => {
    sink.faults.reset();
    await fetch(`${sink.url}/admin/received`, { method: 'DELETE' });
  });

  const escalation = (level: number) => ({
    reportId: 'R-1001',
    level,
    reason: 'breached',
    jeopardyState: 'breached' as const,
    deadline: '2026-11-25T14:00:00Z',
    detail: 'critical report past its 4h resolution target',
  });

  it("sends one escalation per level to the level's target, with a link to the report in Temporal Web", async () => {
    await notifier.notifyEscalation(escalation(1));
    await notifier.notifyEscalation(escalation(2));
    expect(sink.received('/escalation')).toEqual([
      expect.objectContaining({
        idempotencyKey: 'spdr-R-1001-esc-1-breached',
        body: {
          type: 'spdr.escalation',
          reportId: 'R-1001',
          workflowId: 'spdr-R-1001',
          level: 1,
          reason: 'breached',
          jeopardyState: 'breached',
          deadline: '2026-11-25T14:00:00Z',
          detail: 'critical report past its 4h resolution target',
          link: 'https://temporal.example.net/namespaces/noc/workflows/spdr-R-1001',
        },
      }),
    ]);
    expect(sink.received('/duty-manager')).toEqual([expect.objectContaining({ idempotencyKey: 'spdr-R-1001-esc-2-breached' })]);
  });

  it('a retried escalation whose first answer was lost is recorded once by a receiver honouring Idempotency-Key', async () => {
    sink.faults.update({ timeoutRate: 1 });
    const lost = await failureOf(notifier.notifyEscalation(escalation(1)));
    expect(lost.nonRetryable).toBe(false);
    sink.faults.reset();
    await retryUntilSuccess(() => notifier.notifyEscalation(escalation(1)));
    const received = (await (await fetch(`${sink.url}/admin/received`)).json()) as { unique: number; duplicates: number };
    expect(received).toMatchObject({ unique: 1, duplicates: 1 });
  });

  it('informs the Close SPDR process once per clearance', async () => {
    const cleared = { reportId: 'R-1001', resolution: 'Uplink replaced', clearedAt: '2026-11-25T12:30:00Z', by: 'noc.anna' };
    const delivered = await notifier.informClose(cleared);
    await notifier.informClose(cleared);
    await notifier.informClose({ ...cleared, clearedAt: '2026-11-26T08:00:00Z' });
    expect(delivered).toEqual({ idempotencyKey: 'spdr-R-1001-close-2026-11-25T12:30:00Z', httpStatus: 200 });
    expect(sink.received('/close').map((r) => r.body)).toEqual([
      expect.objectContaining({
        type: 'spdr.cleared',
        reportId: 'R-1001',
        resolution: 'Uplink replaced',
        by: 'noc.anna',
        confirmWith: { signal: 'confirmClosure', workflowId: 'spdr-R-1001' },
      }),
      expect.objectContaining({ clearedAt: '2026-11-26T08:00:00Z' }),
    ]);
  });
});
