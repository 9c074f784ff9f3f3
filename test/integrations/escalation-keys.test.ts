import { describe, expect, it } from 'vitest';
import { openReport, parseStartInput, receive, tick, type Effect } from '../../src/domain';
import { loadIntegrationConfig } from '../../src/config/config';
import { escalationIdempotencyKey, Notifier } from '../../src/integrations/notify';
import { startWebhookSink } from '../../src/simulators/webhookSink';

const T0 = Date.parse('2026-11-25T10:00:00Z');
const HOUR = 3600_000;

function opened(reportId: string, severity: string) {
  const parsed = parseStartInput({ reportId, service: { id: 'svc' }, severity, description: 'd', detectedAt: '2026-11-25T10:00:00Z' });
  if (!parsed.ok) throw new Error(parsed.reason);
  return openReport(parsed.value, T0).report;
}

/** The overdue-task escalations among effects. */
function overdueOf(effects: Effect[]) {
  return effects.filter(
    (e): e is Extract<Effect, { type: 'notifyEscalation' }> => e.type === 'notifyEscalation' && e.reason === 'taskOverdue',
  );
}

describe('escalation idempotency keys', () => {
  it('two tasks overdue at the same level escalate under two different keys, so a receiver honouring the key drops neither', () => {
    let report = opened('R-KEY', 'warning');
    for (const taskId of ['a', 'b']) {
      report = receive(report, { name: 'assign', payload: { by: 'noc', taskId, kind: 'repair', assignee: 'field', due: '1h' } }, T0).report;
    }
    const { effects } = tick(report, T0 + 2 * HOUR);
    const overdue = overdueOf(effects);
    expect(overdue.map((e) => e.subject)).toEqual(['a-2026-11-25T10:00:00.000Z', 'b-2026-11-25T10:00:00.000Z']);
    const keys = overdue.map((e) => escalationIdempotencyKey(e));
    expect(new Set(keys).size).toBe(2);
    expect(keys[0]).toBe('spdr-R-KEY-esc-0-taskOverdue-a-2026-11-25T10:00:00.000Z');
  });

  it('a ladder escalation keeps its key: report, level and reason', () => {
    expect(escalationIdempotencyKey({ reportId: 'R-1001', level: 2, reason: 'breach' })).toBe('spdr-R-1001-esc-2-breach');
  });
});

describe('overdue-task escalations are keyed by the dispatch', () => {
  it('a task reassigned (re-dispatched) after its overdue escalation escalates again when overdue again; a retried send lands once', async () => {
    let report = opened('R-RE', 'warning');
    report = receive(
      report,
      { name: 'assign', payload: { by: 'noc', taskId: 'fix', kind: 'repair', assignee: 'field-a', due: '1h' } },
      T0,
    ).report;
    let outcome = tick(report, T0 + 2 * HOUR);
    const first = overdueOf(outcome.effects);
    expect(first).toHaveLength(1);
    // Reassigned with a new assignee (same due, already past): a new dispatch, so a new overdue escalation.
    outcome = receive(
      outcome.report,
      { name: 'assign', payload: { by: 'noc', taskId: 'fix', kind: 'repair', assignee: 'field-b' } },
      T0 + 3 * HOUR,
    );
    expect(outcome.effects.some((e) => e.type === 'dispatchTask')).toBe(true);
    outcome = tick(outcome.report, T0 + 4 * HOUR);
    const second = overdueOf(outcome.effects);
    expect(second).toHaveLength(1);
    expect(overdueOf(tick(outcome.report, T0 + 5 * HOUR).effects)).toEqual([]);
    const keys = [...first, ...second].map((e) => escalationIdempotencyKey(e));
    expect(new Set(keys).size).toBe(2);

    // Each escalation sent twice (an activity retried after a lost answer): the receiver records each once.
    const sink = await startWebhookSink();
    try {
      const notifier = new Notifier(
        loadIntegrationConfig({
          SPDR_TROUBLE_URL: 'http://unused.example',
          SPDR_ESCALATION_URL: `${sink.url}/esc`,
          SPDR_CLOSE_URL: `${sink.url}/close`,
        }),
      );
      for (const e of [...first, ...second, ...first, ...second]) await notifier.notifyEscalation(e);
      const answer = (await (await fetch(`${sink.url}/admin/received`)).json()) as {
        total: number;
        received: { idempotencyKey?: string }[];
      };
      expect(answer.total).toBe(4);
      expect(answer.received.map((r) => r.idempotencyKey).sort()).toEqual([...keys].sort());
    } finally {
      await sink.close();
    }
  });
});

describe('outside-system escalations', () => {
  it('two failures (another system, another operation, or the same one again) escalate under different keys', () => {
    let report = opened('R-OUT', 'major');
    const keys: string[] = [];
    for (const [system, operation] of [
      ['resourceTroubleManagement', 'create trouble report'],
      ['partnerPerformanceManagement', 'create partner request'],
      ['resourceTroubleManagement', 'create trouble report'],
    ] as const) {
      const outcome = receive(report, { name: 'outsideSystemFailed', payload: { system, operation, message: '503' } }, T0);
      report = outcome.report;
      for (const e of outcome.effects) if (e.type === 'notifyEscalation') keys.push(escalationIdempotencyKey(e));
    }
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(3);
    expect(keys[0]).toBe('spdr-R-OUT-esc-0-outsideSystemFailing-resourceTroubleManagement-create-trouble-report-1');
  });
});
