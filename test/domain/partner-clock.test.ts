/**
 * Partner obligations (OLA): each partner request's due time is a clock with its own ladder toward
 * the partner, and a partner promise later than the report's resolution deadline puts the report in
 * jeopardy at once. Reports opened without partner obligation clocks keep the one `partnerLate`.
 */
import { describe, expect, it } from 'vitest';
import { nextWakeUp, tick, type EffectOf, type Report } from '../../src/domain';
import { accept, HOUR, MINUTE, msg, open, T0 } from './fixtures';

function withPartnerCause(partnerObligations: boolean): Report {
  const r = open(
    { partnerOwnedResources: { 'FIB-9': 'acme-transport' }, jeopardyPolicy: { resolutionTarget: '8h', partnerAnswerDue: '2h' } },
    T0,
    { partnerObligations },
  );
  return accept(
    r,
    msg('addAnalysis', { author: 'noc.anna', summary: 'Fibre cut', rootCause: { domain: 'resource', resourceId: 'FIB-9' } }),
    T0 + MINUTE,
  ).report;
}
const escalations = (effects: readonly { type: string }[]) =>
  effects.filter((e): e is EffectOf<'notifyEscalation'> => e.type === 'notifyEscalation').map((e) => [e.level, e.reason, e.subject]);

describe('partner obligation clock', () => {
  it('climbs its own ladder toward the partner: notice at 50% (1h), level 1 at 75%, level 2 "partnerLate" at the due time, each naming the request', () => {
    let r = withPartnerCause(true);
    const request = r.partnerRequests[0];
    expect(request.clock).toEqual({ state: 'onTrack', stepsTaken: 0 });
    const requested = Date.parse(request.requestedAt);
    expect(nextWakeUp(r)).toBe(requested + HOUR);
    const half = tick(r, requested + HOUR);
    expect(escalations(half.effects)).toEqual([[0, 'partnerInJeopardy', `${request.key}-step-1`]]);
    expect((half.effects[0] as EffectOf<'notifyEscalation'>).detail).toContain(`request ${request.key}`);
    r = half.report;
    expect(r.partnerRequests[0].clock).toEqual({ state: 'inJeopardy', stepsTaken: 1 });
    const late = tick(r, requested + 2 * HOUR);
    expect(escalations(late.effects)).toEqual([
      [1, 'partnerInJeopardy', `${request.key}-step-2`],
      [2, 'partnerLate', `${request.key}-step-3`],
    ]);
    r = late.report;
    expect(r.partnerRequests[0]).toMatchObject({ lateEscalated: true, clock: { state: 'breached', stepsTaken: 3 } });
    // The report's own clock is untouched: pending, its resolution ladder paused.
    expect(r.jeopardy.escalationLevel).toBe(0);
    // Re-escalation toward the partner every 25% of the time it was given while it stays late.
    expect(nextWakeUp(r)).toBe(requested + 2 * HOUR + 30 * MINUTE);
    expect(escalations(tick(r, requested + 2 * HOUR + 30 * MINUTE).effects)).toEqual([[3, 'partnerLate', `${request.key}-step-4`]]);
  });

  it('stops once the partner answers', () => {
    const r = withPartnerCause(true);
    const key = r.partnerRequests[0].key;
    const answered = accept(
      r,
      msg('partnerUpdate', { externalId: key, status: 'resolved', by: 'partner:acme-transport' }),
      T0 + 30 * MINUTE,
    );
    expect(tick(answered.report, T0 + 5 * HOUR).effects.filter((e) => e.type === 'notifyEscalation')).toEqual([]);
  });

  it('a report opened without obligation clocks keeps the single partnerLate escalation at the due time', () => {
    const r = withPartnerCause(false);
    expect(r.partnerRequests[0].clock).toBeUndefined();
    const requested = Date.parse(r.partnerRequests[0].requestedAt);
    expect(nextWakeUp(r)).toBe(requested + 2 * HOUR);
    expect(escalations(tick(r, requested + 2 * HOUR).effects)).toEqual([[0, 'partnerLate', r.partnerRequests[0].key]]);
  });

  it('a promise later than the resolution deadline puts the report in jeopardy at once, with one escalation naming the request', () => {
    const r = withPartnerCause(true);
    const key = r.partnerRequests[0].key;
    expect(r.jeopardy.state).toBe('onTrack');
    const promised = new Date(Date.parse(r.jeopardy.deadline) + HOUR).toISOString();
    const update = { externalId: key, status: 'acknowledged' as const, expectedResolutionDate: promised, by: 'partner:acme-transport' };
    const late = accept(r, msg('partnerUpdate', update), T0 + 10 * MINUTE);
    expect(late.report.jeopardy.state).toBe('inJeopardy');
    expect(late.report.partnerRequests[0].expectedResolutionDate).toBe(promised);
    expect(escalations(late.effects)).toEqual([[1, 'partnerPromiseLate', `${key}-${promised}`]]);
    // The same promise again is no change; an earlier one lifts the jeopardy.
    expect(accept(late.report, msg('partnerUpdate', update), T0 + 11 * MINUTE).effects).toEqual([]);
    const sooner = new Date(Date.parse(r.jeopardy.deadline) - HOUR).toISOString();
    const kept = accept(late.report, msg('partnerUpdate', { ...update, expectedResolutionDate: sooner }), T0 + 12 * MINUTE);
    expect(kept.report.jeopardy.state).toBe('onTrack');
    expect(kept.effects).toEqual([]);
  });
});
