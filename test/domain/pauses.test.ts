/** The one pause rule every clock goes through (`pauseReasonOf`), and the resolution clock following it. */
import { describe, expect, it } from 'vitest';
import { pauseIntervals, pauseReasonOf, ReportStatus } from '../../src/domain';

describe('pauseReasonOf', () => {
  it('names why the clock stands still for every status, held only when the policy says so', () => {
    const expected: Record<string, [string | undefined, string | undefined]> = {
      acknowledged: [undefined, undefined],
      inProgress: [undefined, undefined],
      pending: ['pending', 'pending'],
      held: [undefined, 'held'],
      cleared: ['cleared', 'cleared'],
      closed: ['final', 'final'],
      cancelled: ['final', 'final'],
    };
    for (const status of ReportStatus.options) {
      expect([pauseReasonOf({ status, pauseWhenHeld: false }), pauseReasonOf({ status, pauseWhenHeld: true })]).toEqual(expected[status]);
    }
  });

  it('a grouped child or a maintenance hold stops the clock whatever its open status; final and cleared take precedence', () => {
    expect(pauseReasonOf({ status: 'inProgress', pauseWhenHeld: false, parentReportId: 'R-1001' })).toBe('grouped');
    expect(pauseReasonOf({ status: 'held', pauseWhenHeld: false, maintenanceWindowId: 'CHG-778' })).toBe('maintenance');
    expect(pauseReasonOf({ status: 'pending', pauseWhenHeld: false, parentReportId: 'R-1001', maintenanceWindowId: 'CHG-778' })).toBe(
      'maintenance',
    );
    expect(pauseReasonOf({ status: 'closed', pauseWhenHeld: false, parentReportId: 'R-1001' })).toBe('final');
    expect(pauseReasonOf({ status: 'cleared', pauseWhenHeld: false, maintenanceWindowId: 'CHG-778' })).toBe('cleared');
  });

  it('the resolution clock pauses exactly over the statuses the rule names', () => {
    const changes = [
      { at: 0, status: 'acknowledged' },
      { at: 10, status: 'held' },
      { at: 20, status: 'inProgress' },
      { at: 30, status: 'pending' },
      { at: 45, status: 'inProgress' },
      { at: 60, status: 'cleared' },
    ];
    expect(pauseIntervals(changes, false)).toEqual([{ from: 30, to: 45 }, { from: 60 }]);
    expect(pauseIntervals(changes, true)).toEqual([{ from: 10, to: 20 }, { from: 30, to: 45 }, { from: 60 }]);
  });
});
