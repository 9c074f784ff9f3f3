/** Re-prioritising (`setSeverity`): retroactive policy from the clock's start, paused time kept, no level sent twice. */
import { describe, expect, it } from 'vitest';
import { applyCommand, escalationLadder, nextWakeUp, resolvePolicy, tick } from '../../src/domain';
import { carryLadder } from '../../src/domain/severity';
import { HOUR, MINUTE, T0, accept, deepFreeze, iso, msg, ofType, open, raw, refuse, tickThrough } from './fixtures';

const by = 'noc.anna';

describe('setSeverity', () => {
  it('major raised to critical after 3 h: the 4 h target applies from the clock start, passed thresholds fire at once, paused time kept', () => {
    let report = open({ severity: 'major' });
    // 30 min pending: paused, so 3 h active time is reached at 3h30 wall-clock.
    report = accept(report, msg('setStatus', { by, status: 'pending', reason: 'waiting on customer' }), T0 + 1 * HOUR).report;
    report = accept(report, msg('setStatus', { by, status: 'inProgress', reason: 'trace received' }), T0 + 90 * MINUTE).report;
    const ticked = tickThrough(report, [T0 + 2 * HOUR, T0 + 3 * HOUR + 30 * MINUTE]);
    expect(ticked.effects).toEqual([]); // 3 h of 8 h: nothing due under major
    const at = T0 + 3 * HOUR + 30 * MINUTE;
    const { report: raised, effects } = accept(
      ticked.report,
      msg('setSeverity', { by, severity: 'critical', reason: 'more cells affected' }),
      at,
    );
    expect(raised.severity).toBe('critical');
    expect(raised.jeopardy.policy.resolutionTarget).toBe(4 * HOUR);
    // openedAt + 4 h + 30 min paused.
    expect(raised.jeopardy.deadline).toBe(iso(T0 + 4 * HOUR + 30 * MINUTE));
    expect(raised.jeopardy.pausedMs).toBe(30 * MINUTE);
    // 50% (notify) and 75% (level 1) have passed under the new target: both now, in order.
    expect(effects.map((e) => e.type)).toEqual(['notifyAssignee', 'notifyEscalation']);
    expect(ofType(effects, 'notifyEscalation').map((e) => [e.level, e.reason])).toEqual([[1, 'jeopardy']]);
    expect(raised.jeopardy).toMatchObject({ state: 'inJeopardy', escalationLevel: 1, ladderStepsTaken: 2 });
    const entry = raised.history.find((e) => e.action === 'severityChanged');
    expect(entry).toMatchObject({ by, reason: 'more cells affected', at: iso(at) });
    expect(entry?.detail).toContain('major -> critical');
    // Nothing sent twice; the breach comes at the new deadline.
    expect(tick(raised, at + MINUTE).effects).toEqual([]);
    expect(nextWakeUp(raised)).toBe(T0 + 4 * HOUR + 30 * MINUTE);
    const breach = tick(raised, T0 + 4 * HOUR + 30 * MINUTE).effects;
    expect(ofType(breach, 'notifyEscalation').map((e) => [e.level, e.reason])).toEqual([[2, 'breach']]);
  });

  it('critical lowered to major after 3 h: level 1 and the notice are not sent again; the breach moves to 8 h', () => {
    const critical = tickThrough(open({ severity: 'critical' }), [T0 + 2 * HOUR, T0 + 3 * HOUR]);
    expect(ofType(critical.effects, 'notifyEscalation').map((e) => e.level)).toEqual([1]);
    const { report: lowered, effects } = accept(
      critical.report,
      msg('setSeverity', { by, severity: 'major', reason: 'one cell only' }),
      T0 + 3 * HOUR + MINUTE,
    );
    expect(effects).toEqual([]);
    expect(lowered.jeopardy).toMatchObject({ escalationLevel: 1, ladderStepsTaken: 2, deadline: iso(T0 + 8 * HOUR) });
    // Under major the 75% step is at 6 h: already sent as level 1, so nothing then.
    const later = tickThrough(lowered, [T0 + 4 * HOUR, T0 + 6 * HOUR + MINUTE, T0 + 8 * HOUR]);
    expect(ofType(later.effects, 'notifyEscalation').map((e) => [e.level, e.reason])).toEqual([[2, 'breach']]);
    expect(ofType(later.effects, 'notifyAssignee')).toEqual([]);
  });

  it('keeps the report unchanged (pure) and refuses the same severity, an unknown one, and a final report', () => {
    const report = deepFreeze(open({ severity: 'minor' }));
    expect(() => accept(report, msg('setSeverity', { by, severity: 'warning', reason: 'cosmetic' }), T0 + MINUTE)).not.toThrow();
    expect(report.severity).toBe('minor');
    expect(refuse(report, msg('setSeverity', { by, severity: 'minor', reason: 'again' }), T0)).toBe('report is already minor');
    expect(refuse(report, raw('setSeverity', { by, severity: 'blocker', reason: 'x' }), T0)).toContain('setSeverity.severity');
    expect(refuse(report, raw('setSeverity', { by, severity: 'major' }), T0)).toContain('setSeverity.reason');
    const cancelled = accept(report, msg('cancel', { by, reason: 'duplicate' }), T0 + MINUTE).report;
    expect(refuse(cancelled, msg('setSeverity', { by, severity: 'major', reason: 'late' }), T0 + 2 * MINUTE)).toBe('report is cancelled');
  });

  it("uses the context's configured defaults and the report's own policy for the new severity", () => {
    const report = open({ severity: 'major', jeopardyPolicy: { topLevel: 2 } });
    const result = applyCommand(report, msg('setSeverity', { by, severity: 'critical', reason: 'x' }), T0 + MINUTE, {
      defaults: { critical: { resolutionTarget: 2 * HOUR } },
      override: { topLevel: 2 },
    });
    expect(result.ok && result.report.jeopardy.policy).toMatchObject({
      resolutionTarget: 2 * HOUR,
      topLevel: 2,
      reEscalateEvery: 30 * MINUTE,
    });
  });

  it('never counts a step as taken that was not sent (property over every pair of severities and taken prefix)', () => {
    const severities = ['critical', 'major', 'minor', 'warning'] as const;
    for (const from of severities) {
      for (const to of severities) {
        const a = resolvePolicy(from);
        const b = resolvePolicy(to);
        const ladderA = escalationLadder(a);
        for (let taken = 0; taken <= ladderA.length; taken++) {
          const level = Math.max(0, ...ladderA.slice(0, taken).map((s) => s.level));
          const carried = carryLadder(a, b, taken, level);
          const ladderB = escalationLadder(b);
          // Same shape of ladder: the same steps count as taken.
          expect(carried).toBe(taken);
          for (const step of ladderB.slice(carried)) if (step.action === 'escalate') expect(step.level).toBeGreaterThan(level);
        }
      }
    }
  });
});
