/**
 * The task plan's messages: `assign` (a new task, or a changed plan for an open one) and
 * `updateTask`, plus dispatching every planned task whose dependencies are done.
 */
import { changeStatus, DELEGATED_TASK_PREFIX, iso, log, replaceTask, withoutUndefined, type Draft, type HandlerResult } from './draft';
import { resolveDueTime, type Effect, type MessagePayload, type Report, type Task, type TroubleReport } from './schemas';
import { blockingDependencies, dependencyProblem, isOpenTask } from './task-plan';

type Assign = MessagePayload<'assign'>;

export function assign(d: Draft, p: Assign): HandlerResult {
  if (d.r.status === 'cleared') return 'report is cleared: reopen it with rejectClearance before assigning work';
  const existing = d.r.tasks.find((task) => task.taskId === p.taskId);
  const due = p.due === undefined ? undefined : iso(resolveDueTime(p.due, d.now));
  const dependsOn = p.dependsOn === undefined ? undefined : [...new Set(p.dependsOn)];
  if (dependsOn) {
    const problem = dependencyProblem(d.r.tasks, p.taskId, dependsOn);
    if (problem) return `assign.dependsOn: ${problem}`;
  }
  const problem = existing ? changePlan(d, existing, p, due, dependsOn) : addTask(d, p, due, dependsOn);
  if (problem) return problem;
  dispatchReadyTasks(d, p.by);
  if (d.r.status === 'acknowledged') changeStatus(d, 'inProgress', { by: p.by, action: 'statusChanged', reason: 'first assignment' });
}

function addTask(d: Draft, p: Assign, due: string | undefined, dependsOn: string[] | undefined): string | undefined {
  if (p.taskId.startsWith(DELEGATED_TASK_PREFIX)) {
    return `task ids starting with "${DELEGATED_TASK_PREFIX}" are reserved for restoration delegated to resource trouble management`;
  }
  const task: Task = withoutUndefined({
    taskId: p.taskId,
    kind: p.kind,
    title: p.title,
    assignee: p.assignee,
    due,
    dependsOn: dependsOn ?? [],
    status: 'planned' as const,
    overdueEscalated: false,
  });
  d.r.tasks.push(task);
  const waitingOn = task.dependsOn.length > 0 ? `, after ${task.dependsOn.join(', ')}` : '';
  log(d, {
    by: p.by,
    action: 'taskAssigned',
    detail: `${p.kind} task ${p.taskId} assigned to ${p.assignee}${due ? `, due ${due}` : ''}${waitingOn}`,
  });
  return undefined;
}

function changePlan(d: Draft, existing: Task, p: Assign, due: string | undefined, dependsOn: string[] | undefined): string | undefined {
  const problem = reassignProblem(d, existing, p.kind);
  if (problem) return problem;
  const changes: string[] = [];
  let task: Task = { ...existing };
  if (p.assignee !== existing.assignee) changes.push(`assignee ${existing.assignee} -> ${p.assignee}`);
  if (due !== undefined && due !== existing.due) changes.push(`due ${existing.due ?? 'none'} -> ${due}`);
  if (p.title !== undefined && p.title !== existing.title) changes.push('title changed');
  if (dependsOn && dependsOn.join() !== existing.dependsOn.join()) {
    if (existing.status !== 'planned') return `task ${existing.taskId} is already ${existing.status}; its dependencies cannot change`;
    changes.push(`dependsOn [${existing.dependsOn.join(', ')}] -> [${dependsOn.join(', ')}]`);
    task.dependsOn = dependsOn;
  }
  if (changes.length === 0) return `task ${existing.taskId} is already assigned to ${existing.assignee} with this plan; nothing to change`;
  const newDue = due !== undefined && due !== existing.due;
  task = withoutUndefined({
    ...task,
    assignee: p.assignee,
    title: p.title ?? existing.title,
    due: due ?? existing.due,
    overdueEscalated: newDue ? false : existing.overdueEscalated,
  });
  const reassigned = p.assignee !== existing.assignee;
  if (reassigned && (task.status === 'dispatched' || task.status === 'inProgress')) {
    // A new dispatch: the new assignee's overdue escalation is its own (keyed by this dispatch).
    task.dispatchedAt = d.at;
    task.overdueEscalated = false;
    d.effects.push(dispatchEffect(d.r.reportId, task));
  }
  replaceTask(d, task);
  log(d, { by: p.by, action: reassigned ? 'taskReassigned' : 'taskUpdated', detail: `task ${task.taskId}: ${changes.join(', ')}` });
  return undefined;
}

export function updateTask(d: Draft, p: MessagePayload<'updateTask'>): HandlerResult {
  const task = d.r.tasks.find((candidate) => candidate.taskId === p.taskId);
  if (!task) return `unknown task ${p.taskId}`;
  const delegation = delegatedTroubleReport(d.r, task);
  if (delegation) return delegatedReason(task, delegation);
  if (!isOpenTask(task)) return `task ${task.taskId} is already ${task.status}`;
  if (task.status === p.status) return `task ${task.taskId} is already ${task.status}`;
  const blocking = blockingDependencies(d.r.tasks, task);
  if (p.status !== 'cancelled' && blocking.length > 0) return `task ${task.taskId} is waiting on task(s) ${blocking.join(', ')}`;
  const finished = p.status === 'done' || p.status === 'cancelled';
  replaceTask(d, withoutUndefined({ ...task, status: p.status, completedAt: finished ? d.at : undefined }));
  log(d, { by: p.by, action: 'taskUpdated', detail: `task ${task.taskId}: ${task.status} -> ${p.status}`, reason: p.note });
  if (p.status === 'done') dispatchReadyTasks(d, p.by);
}

function reassignProblem(d: Draft, task: Task, kind: Task['kind']): string | undefined {
  const delegation = delegatedTroubleReport(d.r, task);
  if (delegation) return delegatedReason(task, delegation);
  if (!isOpenTask(task)) return `task ${task.taskId} is already ${task.status}`;
  if (task.kind !== kind) return `task ${task.taskId} is a ${task.kind} task; its kind cannot change`;
  return undefined;
}

function dispatchEffect(reportId: string, task: Task): Effect {
  return withoutUndefined({
    type: 'dispatchTask' as const,
    reportId,
    taskId: task.taskId,
    assignee: task.assignee,
    kind: task.kind,
    title: task.title,
    due: task.due,
  });
}

/** Dispatches every planned task whose dependencies are all done. */
export function dispatchReadyTasks(d: Draft, by: string): void {
  for (const task of d.r.tasks) {
    if (task.status !== 'planned' || blockingDependencies(d.r.tasks, task).length > 0) continue;
    const dispatched: Task = { ...task, status: 'dispatched', dispatchedAt: d.at };
    replaceTask(d, dispatched);
    d.effects.push(dispatchEffect(d.r.reportId, dispatched));
    log(d, { by, action: 'taskDispatched', detail: `task ${task.taskId} dispatched to ${task.assignee}` });
  }
}

function delegatedReason(task: Task, delegation: TroubleReport): string {
  return `task ${task.taskId} is delegated to resource trouble management; trouble report ${delegation.key} moves it`;
}

/** The trouble report a task is delegated to, while that trouble report can still complete it. */
function delegatedTroubleReport(report: Report, task: Task): TroubleReport | undefined {
  if (task.troubleReportKey === undefined) return undefined;
  const troubleReport = report.troubleReports.find((candidate) => candidate.key === task.troubleReportKey);
  return troubleReport && troubleReport.status !== 'rejected' && troubleReport.status !== 'cancelled' ? troubleReport : undefined;
}
