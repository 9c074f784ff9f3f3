import { describe, expect, it } from 'vitest';
import { nextWakeUp, type Report } from '../../src/domain';
import { HOUR, MINUTE, T0, accept, iso, msg, ofType, open, refuse, tickThrough } from './fixtures';

const by = 'duty.manager';

function threeTaskPlan(): { report: Report; dispatched: string[] } {
  let report = open();
  const dispatched: string[] = [];
  const step = (command: Parameters<typeof accept>[1], at: number) => {
    const outcome = accept(report, command, at);
    report = outcome.report;
    dispatched.push(...ofType(outcome.effects, 'dispatchTask').map((effect) => effect.taskId));
  };
  step(msg('assign', { by, taskId: 'diagnose', kind: 'analysis', assignee: 'anna', due: '1h' }), T0);
  step(msg('assign', { by, taskId: 'repair', kind: 'repair', assignee: 'field.ops', dependsOn: ['diagnose'], due: '3h' }), T0 + MINUTE);
  step(msg('assign', { by, taskId: 'verify', kind: 'verification', assignee: 'noc.bob', dependsOn: ['repair'] }), T0 + 2 * MINUTE);
  return { report, dispatched };
}

describe('task plan', () => {
  it('the first assignment moves an acknowledged report to inProgress', () => {
    const { report, effects } = accept(
      open(),
      msg('assign', { by, taskId: 't1', kind: 'analysis', assignee: 'anna', title: 'First look' }),
      T0,
    );
    expect(report.status).toBe('inProgress');
    expect(report.history.at(-1)).toMatchObject({ fromStatus: 'acknowledged', toStatus: 'inProgress', reason: 'first assignment', by });
    expect(effects).toEqual([
      { type: 'dispatchTask', reportId: 'R-1001', taskId: 't1', assignee: 'anna', kind: 'analysis', title: 'First look' },
    ]);
  });

  it('an analysis alone does not start the work', () => {
    expect(accept(open(), msg('addAnalysis', { author: by, summary: 'looking' }), T0).report.status).toBe('acknowledged');
  });

  it('a three-task plan dispatches in dependency order', () => {
    const plan = threeTaskPlan();
    const { dispatched } = plan;
    let { report } = plan;
    expect(dispatched).toEqual(['diagnose']);
    expect(report.tasks.map((task) => task.status)).toEqual(['dispatched', 'planned', 'planned']);
    report = accept(report, msg('updateTask', { by: 'anna', taskId: 'diagnose', status: 'inProgress' }), T0 + 10 * MINUTE).report;
    const afterDiagnose = accept(
      report,
      msg('updateTask', { by: 'anna', taskId: 'diagnose', status: 'done', note: 'line card' }),
      T0 + 30 * MINUTE,
    );
    expect(ofType(afterDiagnose.effects, 'dispatchTask').map((effect) => effect.taskId)).toEqual(['repair']);
    const afterRepair = accept(
      afterDiagnose.report,
      msg('updateTask', { by: 'field.ops', taskId: 'repair', status: 'done' }),
      T0 + 2 * HOUR,
    );
    expect(ofType(afterRepair.effects, 'dispatchTask').map((effect) => effect.taskId)).toEqual(['verify']);
    expect(afterRepair.report.tasks.find((task) => task.taskId === 'repair')).toMatchObject({
      status: 'done',
      completedAt: iso(T0 + 2 * HOUR),
    });
  });

  it('a task cannot start or finish while it waits on its dependencies', () => {
    const { report } = threeTaskPlan();
    expect(refuse(report, msg('updateTask', { by, taskId: 'repair', status: 'done' }), T0)).toBe(
      'task repair is waiting on task(s) diagnose',
    );
    expect(accept(report, msg('updateTask', { by, taskId: 'repair', status: 'cancelled' }), T0).report.tasks[1].status).toBe('cancelled');
  });

  it('refuses a dependency on an unknown task and a dependency cycle', () => {
    const { report } = threeTaskPlan();
    expect(refuse(report, msg('assign', { by, taskId: 'x', kind: 'repair', assignee: 'y', dependsOn: ['ghost'] }), T0)).toBe(
      'assign.dependsOn: unknown task ghost',
    );
    expect(refuse(report, msg('assign', { by, taskId: 'x', kind: 'repair', assignee: 'y', dependsOn: ['x'] }), T0)).toBe(
      'assign.dependsOn: task x cannot depend on itself',
    );
    expect(refuse(report, msg('assign', { by, taskId: 'repair', kind: 'repair', assignee: 'field.ops', dependsOn: ['verify'] }), T0)).toBe(
      'assign.dependsOn: depending on verify would make a cycle back to task repair',
    );
  });

  it('a reassignment is recorded and re-dispatches a task already under way to its new assignee', () => {
    const { report } = threeTaskPlan();
    const { report: next, effects } = accept(
      report,
      msg('assign', { by, taskId: 'diagnose', kind: 'analysis', assignee: 'carl' }),
      T0 + 5 * MINUTE,
    );
    expect(next.tasks[0]).toMatchObject({ assignee: 'carl', status: 'dispatched', dispatchedAt: iso(T0 + 5 * MINUTE) });
    expect(next.history.at(-1)).toMatchObject({ action: 'taskReassigned', by, detail: 'task diagnose: assignee anna -> carl' });
    expect(effects).toEqual([expect.objectContaining({ type: 'dispatchTask', taskId: 'diagnose', assignee: 'carl' })]);
  });

  it('refuses an assignment that changes nothing, a change of kind, and work on a finished task', () => {
    const { report } = threeTaskPlan();
    expect(refuse(report, msg('assign', { by, taskId: 'diagnose', kind: 'analysis', assignee: 'anna' }), T0)).toBe(
      'task diagnose is already assigned to anna with this plan; nothing to change',
    );
    expect(refuse(report, msg('assign', { by, taskId: 'diagnose', kind: 'repair', assignee: 'anna' }), T0)).toBe(
      'task diagnose is a analysis task; its kind cannot change',
    );
    const done = accept(report, msg('updateTask', { by, taskId: 'diagnose', status: 'done' }), T0).report;
    expect(refuse(done, msg('updateTask', { by, taskId: 'diagnose', status: 'inProgress' }), T0)).toBe('task diagnose is already done');
    expect(refuse(done, msg('assign', { by, taskId: 'diagnose', kind: 'analysis', assignee: 'zed' }), T0)).toBe(
      'task diagnose is already done',
    );
  });

  it('takes a due time as a duration from now or as an ISO date-time', () => {
    const relative = accept(open(), msg('assign', { by, taskId: 't', kind: 'repair', assignee: 'a', due: '2h' }), T0 + MINUTE).report;
    expect(relative.tasks[0].due).toBe(iso(T0 + MINUTE + 2 * HOUR));
    const absolute = accept(
      open(),
      msg('assign', { by, taskId: 't', kind: 'repair', assignee: 'a', due: '2026-11-25T15:00:00+01:00' }),
      T0,
    ).report;
    expect(absolute.tasks[0].due).toBe('2026-11-25T14:00:00.000Z');
  });

  it('an overdue task escalates on its own, once', () => {
    const { report } = threeTaskPlan();
    expect(nextWakeUp(report)).toBe(T0 + HOUR);
    const { report: after, effects } = tickThrough(report, [T0 + HOUR, T0 + HOUR + MINUTE, T0 + 90 * MINUTE]);
    const overdue = ofType(effects, 'notifyEscalation').filter((effect) => effect.reason === 'taskOverdue');
    expect(overdue).toHaveLength(1);
    expect(overdue[0].detail).toContain('task diagnose');
    expect(after.tasks[0].overdueEscalated).toBe(true);
    expect(after.history.some((entry) => entry.action === 'taskOverdue')).toBe(true);
  });

  it('a new due time lets a task escalate again when it is missed again', () => {
    let report = tickThrough(threeTaskPlan().report, [T0 + HOUR]).report;
    report = accept(report, msg('assign', { by, taskId: 'diagnose', kind: 'analysis', assignee: 'anna', due: '30m' }), T0 + HOUR).report;
    expect(report.tasks[0].overdueEscalated).toBe(false);
    const { effects } = tickThrough(report, [T0 + 90 * MINUTE]);
    expect(ofType(effects, 'notifyEscalation').filter((effect) => effect.reason === 'taskOverdue')).toHaveLength(1);
  });

  it('a done task does not escalate when its due time passes', () => {
    let { report } = threeTaskPlan();
    report = accept(report, msg('updateTask', { by, taskId: 'diagnose', status: 'done' }), T0 + 5 * MINUTE).report;
    const { effects } = tickThrough(report, [T0 + HOUR]);
    expect(effects.filter((effect) => effect.type === 'notifyEscalation' && effect.reason === 'taskOverdue')).toEqual([]);
  });

  it('a cleared report takes no new assignments', () => {
    const cleared = accept(open(), msg('clear', { by, resolution: 'ok' }), T0).report;
    expect(refuse(cleared, msg('assign', { by, taskId: 't', kind: 'repair', assignee: 'a' }), T0)).toBe(
      'report is cleared: reopen it with rejectClearance before assigning work',
    );
  });
});
