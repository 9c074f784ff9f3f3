/**
 * Edges of the resolved policy schema, the escalation ladder, the jeopardy state and the workflow
 * id helpers that the mutation run (npm run test:mutation) found unpinned in policy.ts,
 * jeopardy.ts and ids.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  DueTime,
  JeopardyPolicy,
  JeopardyPolicyOverride,
  escalationLadder,
  isMessageName,
  jeopardyStateAt,
  reportIdOfWorkflowId,
  reportWorkflowId,
  resolvePolicy,
} from '../../src/domain';
import { HOUR } from './fixtures';

describe('resolved policy schema', () => {
  const base = resolvePolicy('critical');

  it('accepts both clock starts and a named calendar, and refuses anything else', () => {
    for (const clockStartsAt of ['opened', 'detected'] as const) {
      expect(JeopardyPolicy.safeParse({ ...base, clockStartsAt }).success, clockStartsAt).toBe(true);
      expect(JeopardyPolicyOverride.safeParse({ clockStartsAt }).success, clockStartsAt).toBe(true);
    }
    expect(JeopardyPolicy.safeParse({ ...base, clockStartsAt: 'acknowledged' }).success).toBe(false);
    expect(JeopardyPolicy.safeParse({ ...base, calendar: 'ops-eu-business' }).success).toBe(true);
    expect(JeopardyPolicy.safeParse({ ...base, calendar: '' }).success).toBe(false);
  });
});

describe('escalation ladder', () => {
  it('never repeats or lowers a level, even for a policy that skipped validation', () => {
    const policy: JeopardyPolicy = {
      ...resolvePolicy('critical'),
      topLevel: 3,
      thresholds: [
        { at: 0.5, state: 'inJeopardy', action: 'escalate', level: 2 },
        { at: 0.75, state: 'inJeopardy', action: 'escalate', level: 2 },
        { at: 0.8, state: 'inJeopardy', action: 'escalate', level: 1 },
        { at: 1, state: 'breached', action: 'escalate', level: 3 },
      ],
    };
    expect(escalationLadder(policy).map((step) => step.level)).toEqual([2, 3]);
  });
});

describe('jeopardy state without thresholds', () => {
  it('is on track until the target and breached from the target on', () => {
    const bare = resolvePolicy('critical', JeopardyPolicyOverride.parse({ thresholds: [] }));
    expect(jeopardyStateAt(bare, 4 * HOUR - 1)).toBe('onTrack');
    expect(jeopardyStateAt(bare, 4 * HOUR)).toBe('breached');
  });
});

describe('workflow ids', () => {
  it('strips only a leading spdr- prefix', () => {
    expect(reportIdOfWorkflowId(reportWorkflowId('R-1001'))).toBe('R-1001');
    expect(reportIdOfWorkflowId('other-spdr-R-1')).toBe('other-spdr-R-1');
  });
});

describe('message names and due times', () => {
  it('knows the contract message names and nothing inherited', () => {
    expect(isMessageName('assign')).toBe(true);
    expect(isMessageName('toString')).toBe(false);
    expect(isMessageName('troubleReportCreated')).toBe(false);
  });

  it('refuses a date Date.parse reads that is not an ISO date-time', () => {
    expect(DueTime.safeParse('November 25, 2026 12:00').success).toBe(false);
  });
});
