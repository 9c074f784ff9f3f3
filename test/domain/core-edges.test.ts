/**
 * Edges of the status machine, the duration parser and the jeopardy clock that the mutation run
 * (npm run test:mutation) found unpinned. Public API only (src/domain/index.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  DurationSchema,
  JeopardyPolicyOverride,
  MAX_DURATION_MS,
  canTransition,
  escalationLadder,
  evaluateJeopardy,
  formatDuration,
  isFinal,
  jeopardyStateAt,
  parseDuration,
  pauseIntervals,
  pausedMsAt,
  resolvePolicy,
  Severity,
  type ReportStatus,
} from '../../src/domain';
import { HOUR, MINUTE, T0 } from './fixtures';

const ALL: ReportStatus[] = ['acknowledged', 'inProgress', 'pending', 'held', 'cleared', 'closed', 'cancelled'];

describe('status machine', () => {
  it('allows exactly the transitions of the product brief', () => {
    const table = Object.fromEntries(ALL.map((from) => [from, ALL.filter((to) => canTransition(from, to))]));
    expect(table).toEqual({
      acknowledged: ['inProgress', 'pending', 'held', 'cleared', 'cancelled'],
      inProgress: ['pending', 'held', 'cleared', 'cancelled'],
      pending: ['inProgress', 'cleared', 'cancelled'],
      held: ['inProgress', 'cleared', 'cancelled'],
      cleared: ['inProgress', 'closed', 'cancelled'],
      closed: [],
      cancelled: [],
    });
  });

  it('closed and cancelled are final, nothing else is', () => {
    expect(ALL.filter(isFinal)).toEqual(['closed', 'cancelled']);
  });
});

describe('durations', () => {
  it('parses compact and ISO forms, case-insensitively, with blanks around', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration(' 1H30M ')).toBe(90 * MINUTE);
    expect(parseDuration('1.5h')).toBe(90 * MINUTE);
    expect(parseDuration('2d')).toBe(48 * HOUR);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('PT4H')).toBe(4 * HOUR);
    expect(parseDuration('pt1.5h')).toBe(90 * MINUTE);
    expect(parseDuration('P1W')).toBe(7 * 24 * HOUR);
    expect(parseDuration('P1DT2H3M4S')).toBe(24 * HOUR + 2 * HOUR + 3 * MINUTE + 4_000);
    expect(parseDuration('P1.5D')).toBe(36 * HOUR);
    expect(parseDuration('P0.5W')).toBe(84 * HOUR);
    expect(parseDuration('PT0.5M')).toBe(30_000);
    expect(parseDuration('PT1.5S')).toBe(1_500);
  });

  it('refuses empty, bare, zero, out-of-order and foreign forms', () => {
    for (const text of [
      '',
      '   ',
      'P',
      'PT',
      'P1DT',
      'P1Y',
      'P1M',
      'xPT4H',
      'PT4Hx',
      '0s',
      '0h0m',
      'P0D',
      '30m1h',
      '1h1h',
      '4',
      'h',
      '1.h',
      '.5h',
      '1x',
      '4h ago',
    ]) {
      expect(parseDuration(text), JSON.stringify(text)).toBeUndefined();
    }
  });

  it('renders compactly, largest unit first, and "0s" for nothing', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(-5)).toBe('0s');
    expect(formatDuration(1)).toBe('1ms');
    expect(formatDuration(90 * MINUTE)).toBe('1h30m');
    expect(formatDuration(26 * HOUR + 1_001)).toBe('1d2h1s1ms');
  });

  it('a duration schema takes text or milliseconds up to 366 days, and says why it refuses', () => {
    expect(DurationSchema.parse('4h')).toBe(4 * HOUR);
    expect(DurationSchema.parse(1.4)).toBe(1);
    expect(DurationSchema.parse(MAX_DURATION_MS)).toBe(MAX_DURATION_MS);
    expect(DurationSchema.parse('366d')).toBe(MAX_DURATION_MS);
    const refusal = (value: unknown) => {
      const parsed = DurationSchema.safeParse(value);
      return parsed.success ? undefined : parsed.error.issues.map((i) => `${i.code}: ${i.message}`).join('; ');
    };
    expect(refusal(MAX_DURATION_MS + 1)).toBe(
      `custom: invalid duration ${MAX_DURATION_MS + 1}: use e.g. "90s", "30m", "4h", "2d", "1h30m", ISO-8601 "PT4H", or a positive number of milliseconds, at most 366 days`,
    );
    expect(refusal(0)).toMatch(/^custom: invalid duration 0: /);
    expect(refusal(-1)).toMatch(/^custom: invalid duration -1: /);
    expect(refusal('367d')).toBe(
      'custom: invalid duration "367d": use e.g. "90s", "30m", "4h", "2d", "1h30m", ISO-8601 "PT4H", or a positive number of milliseconds',
    );
    expect(refusal('soon')).toMatch(/^custom: invalid duration "soon": /);
  });
});

describe('jeopardy clock', () => {
  const critical = resolvePolicy('critical');

  it('is breached from the target on, and by a breached threshold before it', () => {
    expect(jeopardyStateAt(critical, 4 * HOUR - 1)).toBe('inJeopardy');
    expect(jeopardyStateAt(critical, 4 * HOUR)).toBe('breached');
    expect(jeopardyStateAt(critical, 2 * HOUR - 1)).toBe('onTrack');
    expect(jeopardyStateAt(critical, 2 * HOUR)).toBe('inJeopardy');
    const early = resolvePolicy(
      'critical',
      JeopardyPolicyOverride.parse({ thresholds: [{ at: 0.5, state: 'breached', action: 'escalate' }] }),
    );
    expect(jeopardyStateAt(early, 2 * HOUR - 1)).toBe('onTrack');
    expect(jeopardyStateAt(early, 2 * HOUR)).toBe('breached');
  });

  it('a breached threshold before the target starts re-escalation from it', () => {
    const early = resolvePolicy(
      'critical',
      JeopardyPolicyOverride.parse({ thresholds: [{ at: 0.5, state: 'breached', action: 'escalate' }], topLevel: 2 }),
    );
    expect(escalationLadder(early).map((s) => [s.activeMs / HOUR, s.level, s.state, s.reason])).toEqual([
      [2, 1, 'breached', 'breach'],
      [3, 2, 'breached', 'reEscalation'],
    ]);
    const notify = resolvePolicy(
      'critical',
      JeopardyPolicyOverride.parse({ thresholds: [{ at: 1, state: 'breached', action: 'notifyAssignee' }], topLevel: 1 }),
    );
    expect(escalationLadder(notify).map((s) => [s.activeMs / HOUR, s.action, s.level, s.reason])).toEqual([
      [4, 'notifyAssignee', 0, 'breach'],
      [5, 'escalate', 1, 'reEscalation'],
    ]);
    const none = resolvePolicy('critical', JeopardyPolicyOverride.parse({ thresholds: [], topLevel: 1 }));
    expect(escalationLadder(none).map((s) => [s.activeMs / HOUR, s.level])).toEqual([[5, 1]]);
  });

  it('a threshold with an explicit level skips levels, and a level above the top is left out', () => {
    const policy = resolvePolicy(
      'critical',
      JeopardyPolicyOverride.parse({
        thresholds: [
          { at: 0.5, state: 'inJeopardy', action: 'escalate', level: 2 },
          { at: 0.75, state: 'inJeopardy', action: 'escalate', level: 4 },
        ],
        topLevel: 3,
      }),
    );
    expect(escalationLadder(policy).map((s) => [s.activeMs / HOUR, s.level])).toEqual([
      [2, 2],
      [5, 3],
    ]);
    const atTop = resolvePolicy(
      'critical',
      JeopardyPolicyOverride.parse({ thresholds: [{ at: 0.5, state: 'inJeopardy', action: 'escalate', level: 3 }], topLevel: 3 }),
    );
    expect(escalationLadder(atTop).map((s) => s.level)).toEqual([3]);
  });

  it('counts paused time only inside each pause and up to now', () => {
    expect(pausedMsAt([], T0)).toBe(0);
    expect(pausedMsAt([{ from: T0, to: T0 + HOUR }], T0 + 2 * HOUR)).toBe(HOUR);
    expect(pausedMsAt([{ from: T0 }], T0 + 30 * MINUTE)).toBe(30 * MINUTE);
    expect(pausedMsAt([{ from: T0, to: T0 + HOUR }], T0 + 10 * MINUTE)).toBe(10 * MINUTE);
    expect(pausedMsAt([{ from: T0 + HOUR }], T0)).toBe(0);
    expect(pausedMsAt([{ from: T0, to: T0 }], T0 + HOUR)).toBe(0);
  });

  it('pauses in pending, cleared and the final statuses, in held only when the policy says so', () => {
    const changes = (statuses: string[]) => statuses.map((status, i) => ({ at: T0 + i * HOUR, status }));
    const seq = changes(['acknowledged', 'pending', 'inProgress', 'held', 'inProgress', 'cleared', 'closed']);
    expect(pauseIntervals(seq, false)).toEqual([{ from: T0 + HOUR, to: T0 + 2 * HOUR }, { from: T0 + 5 * HOUR }]);
    expect(pauseIntervals(seq, true)).toEqual([
      { from: T0 + HOUR, to: T0 + 2 * HOUR },
      { from: T0 + 3 * HOUR, to: T0 + 4 * HOUR },
      { from: T0 + 5 * HOUR },
    ]);
    expect(pauseIntervals(changes(['acknowledged', 'cancelled']), false)).toEqual([{ from: T0 + HOUR }]);
    expect(pauseIntervals(changes(['acknowledged', 'inProgress', 'held']), false)).toEqual([]);
  });

  it('stands still exactly while a pause covers now', () => {
    const base = { policy: critical, openedAt: T0, stepsTaken: 0 };
    expect(evaluateJeopardy({ ...base, pauses: [{ from: T0 + HOUR }], now: T0 + HOUR }).paused).toBe(true);
    expect(evaluateJeopardy({ ...base, pauses: [{ from: T0 + HOUR }], now: T0 + HOUR - 1 }).paused).toBe(false);
    expect(evaluateJeopardy({ ...base, pauses: [{ from: T0, to: T0 + HOUR }], now: T0 + HOUR - 1 }).paused).toBe(true);
    expect(evaluateJeopardy({ ...base, pauses: [{ from: T0, to: T0 + HOUR }], now: T0 + HOUR }).paused).toBe(false);
    const e = evaluateJeopardy({ ...base, pauses: [{ from: T0, to: T0 + HOUR }], now: T0 + 4 * HOUR });
    expect(e).toMatchObject({ pausedMs: HOUR, activeMs: 3 * HOUR, state: 'inJeopardy', deadline: T0 + 5 * HOUR });
  });
});

describe('policy layers', () => {
  it('knows the four severities', () => {
    expect(Severity.options).toEqual(['critical', 'major', 'minor', 'warning']);
  });

  it('takes every clock from the report override, then the configured default, then the built-in one', () => {
    const override = JeopardyPolicyOverride.parse({ reEscalateEvery: '30m', acceptanceWindow: '24h', partnerAnswerDue: '1h' });
    expect(resolvePolicy('major', override)).toMatchObject({
      reEscalateEvery: 30 * MINUTE,
      acceptanceWindow: 24 * HOUR,
      partnerAnswerDue: HOUR,
    });
    const configured = { major: JeopardyPolicyOverride.parse({ reEscalateEvery: '45m', acceptanceWindow: '12h', partnerAnswerDue: '2h' }) };
    expect(resolvePolicy('major', undefined, configured)).toMatchObject({
      reEscalateEvery: 45 * MINUTE,
      acceptanceWindow: 12 * HOUR,
      partnerAnswerDue: 2 * HOUR,
    });
    expect(resolvePolicy('major', override, configured)).toMatchObject({
      reEscalateEvery: 30 * MINUTE,
      acceptanceWindow: 24 * HOUR,
      partnerAnswerDue: HOUR,
    });
  });
});
