/**
 * Assigning and re-planning a task (src/domain/tasks.ts) pinned exactly: the history texts and the
 * refusal of a dependency change once a task has started. Written to kill StrykerJS survivors there.
 */
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/domain';
import { HOUR, MINUTE, T0, accept, msg, open, refuse } from './fixtures';

const by = 'noc.anna';
const detailOf = (report: Report, action: string) => report.history.filter((h) => h.action === action).at(-1)?.detail;

describe('assigning a task', () => {
  it('says kind, assignee, due time and what it waits for', () => {
    const first = accept(open(), msg('assign', { by, taskId: 'diagnose', kind: 'analysis', assignee: 'anna' }), T0).report;
    expect(detailOf(first, 'taskAssigned')).toBe('analysis task diagnose assigned to anna');
    const second = accept(
      first,
      msg('assign', { by, taskId: 'repair', kind: 'repair', assignee: 'field.ops', due: '2h', dependsOn: ['diagnose', 'diagnose'] }),
      T0 + MINUTE,
    ).report;
    expect(detailOf(second, 'taskAssigned')).toBe('repair task repair assigned to field.ops, due 2026-11-25T12:01:00.000Z, after diagnose');
    expect(second.tasks[1].dependsOn).toEqual(['diagnose']);
  });

  it('re-planning names each change, and dependencies change only while the task is planned', () => {
    let report = accept(open(), msg('assign', { by, taskId: 'diagnose', kind: 'analysis', assignee: 'anna' }), T0).report;
    report = accept(report, msg('assign', { by, taskId: 'repair', kind: 'repair', assignee: 'ops', dependsOn: ['diagnose'] }), T0).report;
    report = accept(
      report,
      msg('assign', { by, taskId: 'repair', kind: 'repair', assignee: 'ops', due: '1h', title: 'Swap the card', dependsOn: [] }),
      T0 + MINUTE,
    ).report;
    expect(detailOf(report, 'taskUpdated')).toBe(
      'task repair: due none -> 2026-11-25T11:01:00.000Z, title changed, dependsOn [diagnose] -> []',
    );
    expect(
      refuse(report, msg('assign', { by, taskId: 'diagnose', kind: 'analysis', assignee: 'anna', dependsOn: ['repair'] }), T0 + HOUR),
    ).toBe('task diagnose is already dispatched; its dependencies cannot change');
    const same = refuse(
      report,
      msg('assign', { by, taskId: 'repair', kind: 'repair', assignee: 'ops', title: 'Swap the card' }),
      T0 + HOUR,
    );
    expect(same).toBe('task repair is already assigned to ops with this plan; nothing to change');
  });
});
