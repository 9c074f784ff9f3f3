import { describe, expect, it } from 'vitest';
import { openReport, parseStartInput, receive, tick, type Effect } from '../../src/domain';
import { escalationIdempotencyKey } from '../../src/integrations/notify';

const T0 = Date.parse('2026-11-25T10:00:00Z');
const HOUR = 3600_000;

describe('escalation idempotency keys', () => {
  it('two tasks overdue at the same level escalate under two different keys, so a receiver honouring the key drops neither', () => {
    const parsed = parseStartInput({
      reportId: 'R-KEY',
      service: { id: 'svc' },
      severity: 'warning',
      description: 'd',
      detectedAt: '2026-11-25T10:00:00Z',
    });
    if (!parsed.ok) throw new Error(parsed.reason);
    let report = openReport(parsed.value, T0).report;
    for (const taskId of ['a', 'b']) {
      report = receive(report, { name: 'assign', payload: { by: 'noc', taskId, kind: 'repair', assignee: 'field', due: '1h' } }, T0).report;
    }
    const { effects } = tick(report, T0 + 2 * HOUR);
    const overdue = effects.filter(
      (e): e is Extract<Effect, { type: 'notifyEscalation' }> => e.type === 'notifyEscalation' && e.reason === 'taskOverdue',
    );
    expect(overdue.map((e) => e.subject)).toEqual(['a', 'b']);
    const keys = overdue.map((e) => escalationIdempotencyKey(e));
    expect(new Set(keys).size).toBe(2);
    expect(keys[0]).toBe('spdr-R-KEY-esc-0-taskOverdue-a');
  });

  it('a ladder escalation keeps its key: report, level and reason', () => {
    expect(escalationIdempotencyKey({ reportId: 'R-1001', level: 2, reason: 'breach' })).toBe('spdr-R-1001-esc-2-breach');
  });
});

describe('outside-system escalations', () => {
  it('two failures (another system, another operation, or the same one again) escalate under different keys', () => {
    const parsed = parseStartInput({
      reportId: 'R-OUT',
      service: { id: 'svc' },
      severity: 'major',
      description: 'd',
      detectedAt: '2026-11-25T10:00:00Z',
    });
    if (!parsed.ok) throw new Error(parsed.reason);
    let report = openReport(parsed.value, T0).report;
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
