/**
 * Resolution notice: on clearance everyone who was notified or escalated to gets exactly one
 * "resolved" notice, keyed by report, recipient and clearance count.
 */
import { describe, expect, it } from 'vitest';
import { tick, type Effect, type EffectOf, type Report } from '../../src/domain';
import { escalationIdempotencyKey } from '../../src/integrations/notify';
import { accept, HOUR, MINUTE, msg, open, T0 } from './fixtures';

const resolved = (effects: readonly Effect[]) =>
  effects.filter((e): e is EffectOf<'notifyEscalation'> => e.type === 'notifyEscalation' && e.reason === 'resolved');

function escalatedReport(resolutionNotices: boolean): Report {
  let r = open({ jeopardyPolicy: { resolutionTarget: '4h' } }, T0, { resolutionNotices });
  r = accept(r, msg('assign', { by: 'noc.anna', taskId: 'T1', kind: 'analysis', assignee: 'noc.bob' }), T0 + MINUTE).report;
  // 50% notifies noc.bob, 75% escalates level 1, 100% level 2.
  return tick(r, T0 + 4 * HOUR).report;
}

describe('resolution notice', () => {
  it('on clearance sends one resolved notice to each escalation level reached and each assignee notified, keyed per recipient and clearance', () => {
    const r = escalatedReport(true);
    expect(r.resolutionNotices).toEqual({ assignees: ['noc.bob'], levels: [1, 2], clears: 0 });
    const cleared = accept(r, msg('clear', { by: 'noc.anna', resolution: 'Uplink replaced' }), T0 + 5 * HOUR);
    const notices = resolved(cleared.effects);
    expect(notices.map((e) => escalationIdempotencyKey(e))).toEqual([
      `spdr-R-1001-esc-1-resolved-clear-1`,
      `spdr-R-1001-esc-2-resolved-clear-1`,
      `spdr-R-1001-esc-0-resolved-clear-1-noc.bob`,
    ]);
    expect(notices[0].detail).toContain('Uplink replaced');
    // A rejected clearance and a second one: one more notice each, under new keys.
    const reopened = accept(cleared.report, msg('rejectClearance', { by: 'customer', reason: 'still slow' }), T0 + 6 * HOUR);
    const again = accept(reopened.report, msg('clear', { by: 'noc.anna', resolution: 'Second uplink replaced' }), T0 + 7 * HOUR);
    expect(resolved(again.effects).map((e) => e.subject)).toEqual(['clear-2', 'clear-2', 'clear-2-noc.bob']);
  });

  it('a report nobody was notified about sends no resolved notice', () => {
    const r = open({}, T0, { resolutionNotices: true });
    expect(resolved(accept(r, msg('clear', { by: 'noc.anna', resolution: 'gone' }), T0 + MINUTE).effects)).toEqual([]);
  });

  it('a report opened without resolution notices (older histories) sends none and keeps no recipients', () => {
    const r = escalatedReport(false);
    expect(r.resolutionNotices).toBeUndefined();
    expect(resolved(accept(r, msg('clear', { by: 'noc.anna', resolution: 'done' }), T0 + 5 * HOUR).effects)).toEqual([]);
  });
});
