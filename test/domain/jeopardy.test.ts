import { describe, expect, it } from 'vitest';
import {
  JeopardyPolicyOverride,
  escalationLadder,
  evaluateJeopardy,
  pauseIntervals,
  resolvePolicy,
  type JeopardyPolicy,
} from '../../src/domain';
import { HOUR, MINUTE, T0 } from './fixtures';

const critical = resolvePolicy('critical');

describe('jeopardy policy', () => {
  it('defaults per severity: 4h / 8h / 24h / 72h with 50% notify, 75% level 1, 100% breached level 2, re-escalation every 25%', () => {
    expect(resolvePolicy('critical').resolutionTarget).toBe(4 * HOUR);
    expect(resolvePolicy('major').resolutionTarget).toBe(8 * HOUR);
    expect(resolvePolicy('minor').resolutionTarget).toBe(24 * HOUR);
    expect(resolvePolicy('warning').resolutionTarget).toBe(72 * HOUR);
    expect(critical).toMatchObject({
      reEscalateEvery: HOUR,
      topLevel: 4,
      pauseWhenHeld: false,
      acceptanceWindow: 72 * HOUR,
      partnerAnswerDue: 4 * HOUR,
    });
    expect(critical.thresholds.map((t) => [t.at, t.state, t.action])).toEqual([
      [0.5, 'inJeopardy', 'notifyAssignee'],
      [0.75, 'inJeopardy', 'escalate'],
      [1, 'breached', 'escalate'],
    ]);
  });

  it("a report's own policy overrides the configured default, which overrides the built-in one; re-escalation follows the resulting target", () => {
    const configured = { critical: JeopardyPolicyOverride.parse({ resolutionTarget: '2h', topLevel: 6 }) };
    const policy = resolvePolicy('critical', JeopardyPolicyOverride.parse({ resolutionTarget: 'PT8H', pauseWhenHeld: true }), configured);
    expect(policy).toMatchObject({ resolutionTarget: 8 * HOUR, topLevel: 6, pauseWhenHeld: true, reEscalateEvery: 2 * HOUR });
  });

  it('a resolved policy validates again unchanged (it can be carried across continue-as-new)', () => {
    expect(resolvePolicy('major', JeopardyPolicyOverride.parse(critical))).toEqual(critical);
  });

  it('refuses thresholds out of order, escalation levels that go down, and fractions outside (0, 2]', () => {
    const bad = [
      {
        thresholds: [
          { at: 0.8, state: 'inJeopardy', action: 'escalate' },
          { at: 0.5, state: 'inJeopardy', action: 'notifyAssignee' },
        ],
      },
      {
        thresholds: [
          { at: 0.5, state: 'inJeopardy', action: 'escalate', level: 2 },
          { at: 0.9, state: 'breached', action: 'escalate', level: 1 },
        ],
      },
      { thresholds: [{ at: 2.5, state: 'breached', action: 'escalate' }] },
      { thresholds: [{ at: 0, state: 'breached', action: 'escalate' }] },
      { resolutionTarget: 'soon' },
    ];
    for (const override of bad) expect(JeopardyPolicyOverride.safeParse(override).success, JSON.stringify(override)).toBe(false);
  });
});

describe('escalation ladder', () => {
  it('climbs 50% notify, 75% level 1, 100% level 2, then re-escalates every 25% up to the top level', () => {
    expect(escalationLadder(critical).map((s) => [s.activeMs / MINUTE, s.action, s.level, s.reason])).toEqual([
      [120, 'notifyAssignee', 0, 'jeopardy'],
      [180, 'escalate', 1, 'jeopardy'],
      [240, 'escalate', 2, 'breach'],
      [300, 'escalate', 3, 'reEscalation'],
      [360, 'escalate', 4, 'reEscalation'],
    ]);
  });

  it('never exceeds the top level, even when a threshold asks for more', () => {
    const policy: JeopardyPolicy = { ...critical, topLevel: 1 };
    expect(escalationLadder(policy).map((s) => s.level)).toEqual([0, 1]);
  });
});

describe('jeopardy calculator', () => {
  const evaluate = (now: number, pauses = [] as { from: number; to?: number }[], stepsTaken = 0, policy = critical) =>
    evaluateJeopardy({ policy, openedAt: T0, pauses, now, stepsTaken });

  it('is on track before half the target, in jeopardy from 50%, breached from 100%', () => {
    expect(evaluate(T0 + 119 * MINUTE).state).toBe('onTrack');
    expect(evaluate(T0 + 2 * HOUR).state).toBe('inJeopardy');
    expect(evaluate(T0 + 4 * HOUR - 1).state).toBe('inJeopardy');
    expect(evaluate(T0 + 4 * HOUR).state).toBe('breached');
  });

  it('reports the steps due and the next threshold instant', () => {
    const early = evaluate(T0 + HOUR);
    expect(early.due).toEqual([]);
    expect(early.nextThresholdAt).toBe(T0 + 2 * HOUR);
    const late = evaluate(T0 + 4 * HOUR + 1, [], 1);
    expect(late.due.map((s) => s.level)).toEqual([1, 2]);
    expect(late.nextThresholdAt).toBe(T0 + 5 * HOUR);
  });

  it('a pending period moves the deadline and every threshold by exactly the paused time', () => {
    const pauses = [{ from: T0 + HOUR, to: T0 + HOUR + 37 * MINUTE }];
    const evaluation = evaluate(T0 + 2 * HOUR, pauses);
    expect(evaluation.deadline).toBe(T0 + 4 * HOUR + 37 * MINUTE);
    expect(evaluation.pausedMs).toBe(37 * MINUTE);
    expect(evaluation.nextThresholdAt).toBe(T0 + 2 * HOUR + 37 * MINUTE);
    expect(evaluation.state).toBe('onTrack');
  });

  it('has no next threshold while the clock is paused, and the deadline keeps moving with the pause', () => {
    const pauses = [{ from: T0 + HOUR }];
    const at90 = evaluate(T0 + 90 * MINUTE, pauses);
    expect(at90.paused).toBe(true);
    expect(at90.nextThresholdAt).toBeUndefined();
    expect(at90.deadline).toBe(T0 + 4 * HOUR + 30 * MINUTE);
    expect(evaluate(T0 + 10 * HOUR, pauses).state).toBe('onTrack');
  });

  it('has no next threshold once the ladder is exhausted', () => {
    expect(evaluate(T0 + 10 * HOUR, [], 5).nextThresholdAt).toBeUndefined();
  });

  it('derives pauses from status changes: pending and cleared always, held only when the policy says so', () => {
    const changes = [
      { at: T0, status: 'acknowledged' },
      { at: T0 + 1, status: 'pending' },
      { at: T0 + 3, status: 'inProgress' },
      { at: T0 + 5, status: 'held' },
      { at: T0 + 8, status: 'inProgress' },
      { at: T0 + 10, status: 'cleared' },
    ];
    expect(pauseIntervals(changes, false)).toEqual([{ from: T0 + 1, to: T0 + 3 }, { from: T0 + 10 }]);
    expect(pauseIntervals(changes, true)).toEqual([{ from: T0 + 1, to: T0 + 3 }, { from: T0 + 5, to: T0 + 8 }, { from: T0 + 10 }]);
  });
});
