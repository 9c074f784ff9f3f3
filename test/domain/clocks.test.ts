/**
 * Response and update-cadence clocks beside the resolution clock: their ladders, what meets
 * them, pauses shared with the resolution clock, retroactive start, and reports without them.
 */
import { describe, expect, it } from 'vitest';
import { nextWakeUp, tick, type Report } from '../../src/domain';
import { HOUR, MINUTE, T0, accept, msg, open } from './fixtures';

const by = 'noc.anna';
// Critical: 4h resolution; thresholds 50% notify, 75% level 1, 100% breached level 2.
const withClocks = (extra: Record<string, unknown> = {}) =>
  open({ jeopardyPolicy: { responseTarget: '20m', updateEvery: '1h', ...extra } } as never);

function advance(report: Report, to: number) {
  return tick(report, to);
}

describe('response clock', () => {
  it('notifies the assignees at 50% of the response target, escalates at 75% and 100%, and shows its deadline in jeopardy.clocks', () => {
    const report = withClocks();
    expect(nextWakeUp(report)).toBe(T0 + 10 * MINUTE);
    const half = advance(report, T0 + 10 * MINUTE);
    expect(half.effects).toEqual([
      expect.objectContaining({
        type: 'notifyAssignee',
        jeopardyState: 'inJeopardy',
        deadline: '2026-11-25T10:20:00.000Z',
        detail: expect.stringContaining('response clock inJeopardy at 50% of the 20m response target'),
      }),
    ]);
    expect(half.report.jeopardy.clocks).toEqual({
      response: { state: 'inJeopardy', deadline: '2026-11-25T10:20:00.000Z' },
      update: { state: 'onTrack', deadline: '2026-11-25T11:00:00.000Z' },
      resolution: { state: 'onTrack', deadline: '2026-11-25T14:00:00.000Z' },
    });
    expect(half.report.jeopardy.state).toBe('onTrack');
    expect(nextWakeUp(half.report)).toBe(T0 + 15 * MINUTE);
    const breached = advance(half.report, T0 + 20 * MINUTE);
    expect(breached.effects.map((e) => e.type === 'notifyEscalation' && [e.level, e.reason, e.subject])).toEqual([
      [1, 'jeopardy', 'response'],
      [2, 'breach', 'response'],
    ]);
    expect(breached.report.jeopardy.clocks?.response?.state).toBe('breached');
    // Taken steps are not taken again.
    expect(advance(breached.report, T0 + 20 * MINUTE).effects).toEqual([]);
  });

  it('is met by the first analysis: no response steps after it, metAt recorded', () => {
    const { report } = accept(withClocks(), msg('addAnalysis', { author: by, summary: 'looking' }), T0 + 5 * MINUTE);
    expect(report.jeopardy.clocks?.response).toEqual({
      state: 'onTrack',
      deadline: '2026-11-25T10:20:00.000Z',
      metAt: '2026-11-25T10:05:00.000Z',
    });
    const later = advance(report, T0 + 30 * MINUTE);
    expect(later.effects.filter((e) => e.type === 'notifyEscalation' && e.subject === 'response')).toEqual([]);
    expect(later.report.jeopardy.clocks?.response?.metAt).toBe('2026-11-25T10:05:00.000Z');
  });

  it('is met by a move to inProgress', () => {
    const { report } = accept(withClocks(), msg('setStatus', { by, status: 'inProgress', reason: 'on it' }), T0 + 2 * MINUTE);
    expect(report.jeopardy.clocks?.response?.metAt).toBe('2026-11-25T10:02:00.000Z');
    expect(advance(report, T0 + 25 * MINUTE).effects.filter((e) => e.type === 'notifyEscalation' && e.subject === 'response')).toEqual([]);
  });

  it('pauses with the resolution clock: pending for 30 minutes moves the deadline by 30 minutes', () => {
    const { report: pending } = accept(
      withClocks(),
      msg('setStatus', { by, status: 'pending', reason: 'asked the originator' }),
      T0 + 5 * MINUTE,
    );
    // A paused clock takes no step, so nothing wakes the report before it resumes.
    expect(nextWakeUp(pending)).toBeUndefined();
    const { report: resumed } = accept(
      pending,
      msg('setStatus', { by, status: 'inProgress', reason: 'answer received' }),
      T0 + 35 * MINUTE,
    );
    // Moving to inProgress meets the response clock, its deadline moved by the pause.
    expect(resumed.jeopardy.clocks?.response).toEqual({
      state: 'onTrack',
      deadline: '2026-11-25T10:50:00.000Z',
      metAt: '2026-11-25T10:35:00.000Z',
    });
    expect(resumed.jeopardy.clocks?.update?.deadline).toBe('2026-11-25T11:30:00.000Z');
    expect(resumed.jeopardy.clocks?.resolution.deadline).toBe('2026-11-25T14:30:00.000Z');
    // The update clock's 50% step: 30 active minutes after the start plus the 30-minute pause.
    expect(nextWakeUp(resumed)).toBe(T0 + 60 * MINUTE);
  });
});

describe('update cadence clock', () => {
  it('a gap that runs out notifies then escalates; the next analysis starts a new gap with its own ladder', () => {
    const policy = { responseTarget: '1h', updateEvery: '1h' };
    const { report: first } = accept(
      open({ jeopardyPolicy: policy } as never),
      msg('addAnalysis', { author: by, summary: 'first look' }),
      T0 + 10 * MINUTE,
    );
    expect(first.jeopardy.clocks?.update).toEqual({
      state: 'onTrack',
      deadline: '2026-11-25T11:10:00.000Z',
      metAt: '2026-11-25T10:10:00.000Z',
    });
    expect(nextWakeUp(first)).toBe(T0 + 40 * MINUTE);
    const ranOut = advance(first, T0 + 70 * MINUTE);
    expect(
      ranOut.effects.map((e) => [e.type, e.type === 'notifyEscalation' ? e.subject : e.type === 'notifyAssignee' ? e.deadline : '']),
    ).toEqual([
      ['notifyAssignee', '2026-11-25T11:10:00.000Z'],
      ['notifyEscalation', 'update-2026-11-25T10:10:00.000Z'],
      ['notifyEscalation', 'update-2026-11-25T10:10:00.000Z'],
    ]);
    expect(ranOut.report.jeopardy.clocks?.update?.state).toBe('breached');
    const { report: next } = accept(ranOut.report, msg('addAnalysis', { author: by, summary: 'uplink suspected' }), T0 + 80 * MINUTE);
    expect(next.jeopardy.clocks?.update).toEqual({
      state: 'onTrack',
      deadline: '2026-11-25T12:20:00.000Z',
      metAt: '2026-11-25T11:20:00.000Z',
    });
    expect(nextWakeUp(next)).toBe(T0 + 110 * MINUTE);
    const again = advance(next, T0 + 110 * MINUTE);
    expect(again.effects).toEqual([expect.objectContaining({ type: 'notifyAssignee', deadline: '2026-11-25T12:20:00.000Z' })]);
  });
});

describe('clock start', () => {
  it('clockStartsAt "detected" counts every clock from detectedAt (retroactive); the default counts from the opening', () => {
    // detectedAt is 09:55, five minutes before the opening at 10:00.
    const retro = withClocks({ clockStartsAt: 'detected' });
    const fresh = advance(retro, T0).report;
    expect(fresh.jeopardy.deadline).toBe('2026-11-25T13:55:00.000Z');
    expect(fresh.jeopardy.clocks?.response?.deadline).toBe('2026-11-25T10:15:00.000Z');
    expect(nextWakeUp(retro)).toBe(T0 + 5 * MINUTE);
    const opened = advance(withClocks(), T0).report;
    expect(opened.jeopardy.deadline).toBe('2026-11-25T14:00:00.000Z');
  });
});

describe('reports without the new clocks', () => {
  it('keep exactly their former jeopardy state, policy and wake-ups', () => {
    const report = open();
    expect(report.jeopardy.policy).not.toHaveProperty('responseTarget');
    const later = advance(report, T0 + 2 * HOUR).report;
    expect(later.jeopardy).not.toHaveProperty('clocks');
    expect(later.jeopardy).not.toHaveProperty('clockSteps');
    expect(nextWakeUp(later)).toBe(T0 + 3 * HOUR);
  });
});
