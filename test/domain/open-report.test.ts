/**
 * Opening a report and routing commands (src/domain/report.ts): who opened it, what the opening
 * history says, which opening state a policy gets, and that malformed shell facts and group links
 * are refused before any handler runs. Written to kill StrykerJS survivors in report.ts.
 */
import { describe, expect, it } from 'vitest';
import { applyCommand, openReport, parseStartInput, type Command, type StartInputJson } from '../../src/domain';
import { HOUR, iso, open, startInput, T0 } from './fixtures';

function opened(overrides: Partial<StartInputJson> = {}) {
  const parsed = parseStartInput(startInput(overrides));
  if (!parsed.ok) throw new Error(parsed.reason);
  return openReport(parsed.value, T0);
}

describe('openReport', () => {
  it('names the opener: openedBy, else the originator id, else its system, else "unspecified"', () => {
    const originator = { id: 'noc-7', system: 'assurance-probe' };
    expect(open({ openedBy: 'alice', originator }).openedBy).toBe('alice');
    expect(open({ originator }).openedBy).toBe('noc-7');
    expect(open({ originator: { system: 'assurance-probe' } }).openedBy).toBe('assurance-probe');
    expect(open({ originator: { name: 'Probe' } }).openedBy).toBe('unspecified');
    expect(open().openedBy).toBe('unspecified');
  });

  it('says what was opened, without a calendar phrase when the policy has no calendar', () => {
    const report = open();
    expect(report.history).toEqual([
      {
        at: iso(T0),
        by: 'unspecified',
        action: 'opened',
        toStatus: 'acknowledged',
        detail: 'critical degradation of service svc-volte-fra1; resolution target 4h',
      },
    ]);
  });

  it('issues no effect without a correlation key and one correlate effect with it', () => {
    expect(opened().effects).toEqual([]);
    expect(opened({ correlationKey: 'cell-42' }).effects).toEqual([{ type: 'correlate', reportId: 'R-1001', key: 'cell-42', op: 'open' }]);
  });

  it('keeps the exact first-edition opening state for a policy with no extra clock', () => {
    expect(open().jeopardy).toStrictEqual({
      state: 'onTrack',
      escalationLevel: 0,
      deadline: iso(T0 + 4 * HOUR),
      policy: expect.any(Object),
      pausedMs: 0,
      ladderStepsTaken: 0,
    });
  });

  it('starts the clock at detection from the first moment when the policy says so', () => {
    // detectedAt is 5 minutes before T0: the deadline moves back by those 5 minutes at once.
    const report = open({ jeopardyPolicy: { clockStartsAt: 'detected' } });
    expect(report.jeopardy.deadline).toBe(iso(Date.parse('2026-11-25T09:55:00Z') + 4 * HOUR));
  });
});

describe('applyCommand refuses malformed payloads before the handler runs', () => {
  const malformed: Command[] = [
    { name: 'groupLink', payload: { nonsense: true } },
    { name: 'troubleReportCreated', payload: { key: '' } },
    { name: 'partnerRequestCreated', payload: 42 },
    { name: 'outsideSystemFailed', payload: {} },
    { name: 'maintenanceObserved', payload: null },
  ] as unknown as Command[];
  for (const command of malformed) {
    it(`refuses ${command.name} with a reason naming it`, () => {
      const report = open();
      const result = applyCommand(report, command, T0 + HOUR);
      expect(result).toEqual({ ok: false, reason: expect.stringContaining(command.name) });
    });
  }
});
