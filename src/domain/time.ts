/**
 * Time in a report: the jeopardy view as of "now" (state, deadline moved by every pause), letting
 * time pass (`tick`: ladder steps, overdue tasks, late partners, the acceptance window) and
 * telling when time next matters (`nextWakeUp`).
 */
import { clockTimeOf } from './business-time';
import { clockStartMs, clocksAt, nextClockStepAt, takeClockSteps } from './clocks';
import { formatDuration } from './duration';
import {
  changeStatus,
  draftOf,
  escalationEffect,
  iso,
  log,
  msOf,
  replacePartnerRequest,
  replaceTask,
  SYSTEM_ACTOR,
  withChildren,
  withoutUndefined,
  type Draft,
  type Outcome,
} from './draft';
import { evaluateJeopardy, nextLadderStepAt, pauseIntervals, pausedMsAt, type StatusChange } from './jeopardy';
import { MAINTENANCE_HELD, MAINTENANCE_RELEASED, maintenanceWindowOfEntry } from './maintenance-hold';
import { partnerRequestIsWaiting, waitingOnPartners } from './outside-work';
import { rememberRecipients } from './resolution-notice';
import { nextPartnerStepAt, takePartnerSteps, withPromiseJeopardy } from './partner-clock';
import type { HistoryEntry, Jeopardy, Report } from './schemas';
import { isFinal } from './status';
import { isOpenTask } from './task-plan';

/**
 * The status changes in the audit trail, in order. A full scan each time, no memo: only status
 * entries parse a date, so a 10,000-entry history costs 0.46 ms with 1,000 status changes, and in
 * the benchmark's domain profile (10,000 entries) receive() stays at ~130 us, tick() ~80 us and
 * nextWakeUp() ~20-40 us (was ~2 us with the former module-level memo, not worth mutable state).
 */
export function statusChanges(report: Report): StatusChange[] {
  const changes: StatusChange[] = [];
  // A maintenance hold and its release, and joining or leaving a group (./grouping), are changes
  // too: they change no status but start or end a pause.
  let maintenanceWindowId: string | undefined;
  let grouped = false;
  let status: string = report.status;
  for (const entry of report.history) {
    const maintenance = entry.action === MAINTENANCE_HELD || entry.action === MAINTENANCE_RELEASED;
    const group = isGroupEntry(entry);
    if (entry.toStatus === undefined && !maintenance && !group) continue;
    if (maintenance) maintenanceWindowId = maintenanceWindowOfEntry(entry);
    if (group) grouped = entry.action === 'joinedGroup';
    status = entry.toStatus ?? status;
    const change: StatusChange = { at: msOf(entry.at), status };
    if (maintenanceWindowId !== undefined) change.maintenanceWindowId = maintenanceWindowId;
    if (grouped) change.grouped = true;
    changes.push(change);
  }
  return changes;
}

/** The history entries a child's grouped pause is derived from; kept by trimming like status changes. */
export function isGroupEntry(entry: HistoryEntry): boolean {
  return entry.action === 'joinedGroup' || entry.action === 'leftGroup';
}

function evaluate(report: Report, now: number, changes: StatusChange[]) {
  const policy = report.jeopardy.policy;
  const pauses = pauseIntervals(changes, policy.pauseWhenHeld);
  const evaluation = evaluateJeopardy({
    policy,
    openedAt: clockStartMs(report),
    pauses,
    now,
    stepsTaken: report.jeopardy.ladderStepsTaken,
    time: clockTimeOf(report.jeopardy),
  });
  return { pauses, evaluation };
}

/** The jeopardy fields as of `now`: state, deadline moved by every pause so far, and whether the clock stands still. */
export function jeopardyAt(report: Report, now: number, changes: StatusChange[] = statusChanges(report)): Jeopardy {
  const { pauses, evaluation } = evaluate(report, now, changes);
  const ongoing = pauses[pauses.length - 1];
  const deadline = iso(evaluation.deadline);
  return withoutUndefined({
    ...report.jeopardy,
    state: withPromiseJeopardy(report, evaluation.state),
    deadline,
    pausedMs: evaluation.pausedMs,
    pausedSince: evaluation.paused && !isFinal(report.status) && ongoing ? iso(ongoing.from) : undefined,
    clocks: clocksAt(report, now, pauses, { state: evaluation.state, deadline }),
  });
}

function sameJeopardy(a: Jeopardy, b: Jeopardy): boolean {
  return (
    a.state === b.state &&
    a.deadline === b.deadline &&
    a.pausedMs === b.pausedMs &&
    a.pausedSince === b.pausedSince &&
    a.escalationLevel === b.escalationLevel &&
    a.ladderStepsTaken === b.ladderStepsTaken &&
    JSON.stringify(a.clocks) === JSON.stringify(b.clocks) &&
    JSON.stringify(a.clockSteps) === JSON.stringify(b.clockSteps)
  );
}

/**
 * Lets time pass up to `nowMs`: takes the jeopardy ladder steps that fell due, escalates overdue
 * tasks and late partners once each, and closes a cleared report whose acceptance window expired.
 * Returns the same report object when nothing changed.
 */
export function tick(report: Report, nowMs: number): Outcome {
  if (isFinal(report.status)) return { report, effects: [] };
  const d = draftOf(report, nowMs);
  if (d.r.status === 'cleared') {
    closeAfterAcceptanceWindow(d);
    d.r.jeopardy = jeopardyAt(d.r, nowMs);
  } else {
    // Escalating changes no status, so one scan of the status changes serves all three evaluations.
    const changes = statusChanges(d.r);
    // Escalations carry the jeopardy state and deadline as of now.
    d.r.jeopardy = jeopardyAt(d.r, nowMs, changes);
    takeLadderSteps(d, changes);
    takeClockSteps(d, pauseIntervals(changes, d.r.jeopardy.policy.pauseWhenHeld));
    // A grouped child sends no escalation of its own: the parent escalates for the group.
    if (d.r.parentReportId === undefined) {
      escalateOverdueTasks(d);
      escalateLatePartners(d);
    }
    takePartnerSteps(d);
    d.r.jeopardy = jeopardyAt(d.r, nowMs, changes);
  }
  if (d.effects.length === 0 && d.r.history.length === report.history.length && sameJeopardy(d.r.jeopardy, report.jeopardy))
    return { report, effects: [] };
  return { report: rememberRecipients(d.r, d.effects), effects: d.effects };
}

function closeAfterAcceptanceWindow(d: Draft): void {
  const windowEnd = acceptanceWindowEnd(d.r);
  if (windowEnd === undefined || d.now < windowEnd) return;
  d.r.closure = { by: SYSTEM_ACTOR, at: d.at, how: 'acceptanceWindowExpired' };
  const reason = `acceptance window of ${formatDuration(d.r.jeopardy.policy.acceptanceWindow)} expired without rejection`;
  changeStatus(d, 'closed', { by: SYSTEM_ACTOR, action: 'closed', reason });
}

function takeLadderSteps(d: Draft, changes: StatusChange[]): void {
  const { evaluation } = evaluate(d.r, d.now, changes);
  const deadline = iso(evaluation.deadline);
  const target = d.r.jeopardy.policy.resolutionTarget;
  for (const step of evaluation.due) {
    const detail = `${step.state} at ${Math.round((step.activeMs / target) * 100)}% of the ${formatDuration(target)} resolution target; deadline ${deadline}`;
    d.r.jeopardy = { ...d.r.jeopardy, ladderStepsTaken: d.r.jeopardy.ladderStepsTaken + 1 };
    if (step.action === 'notifyAssignee') {
      const assignees = [...new Set(d.r.tasks.filter(isOpenTask).map((task) => task.assignee))];
      const children = d.r.children && d.r.children.length > 0 ? { children: [...d.r.children] } : {};
      const notice = { type: 'notifyAssignee' as const, reportId: d.r.reportId, assignees, jeopardyState: step.state, deadline };
      d.effects.push({ ...notice, detail: withChildren(d.r, detail), ...children });
      log(d, {
        by: SYSTEM_ACTOR,
        action: 'assigneesNotified',
        detail: `${assignees.length > 0 ? assignees.join(', ') : 'no assignee yet'}: ${detail}`,
      });
    } else {
      d.r.jeopardy.escalationLevel = Math.max(d.r.jeopardy.escalationLevel, step.level);
      d.effects.push(escalationEffect(d, step.level, step.reason, detail));
      log(d, { by: SYSTEM_ACTOR, action: 'escalated', detail: `level ${step.level} (${step.reason}): ${detail}` });
    }
  }
}

function escalateOverdueTasks(d: Draft): void {
  for (const task of d.r.tasks) {
    if (!isOpenTask(task) || task.overdueEscalated || task.due === undefined || msOf(task.due) > d.now) continue;
    replaceTask(d, { ...task, overdueEscalated: true });
    const detail = `task ${task.taskId} (${task.kind}, ${task.assignee}) was due ${task.due} and is ${task.status}`;
    // Keyed by the dispatch: a task re-dispatched (reassigned) that goes overdue again escalates again.
    const subject = `${task.taskId}-${task.dispatchedAt ?? 'undispatched'}`;
    d.effects.push(escalationEffect(d, d.r.jeopardy.escalationLevel, 'taskOverdue', detail, subject));
    log(d, { by: SYSTEM_ACTOR, action: 'taskOverdue', detail });
  }
}

function escalateLatePartners(d: Draft): void {
  for (const request of d.r.partnerRequests) {
    // A request with its own obligation clock climbs its ladder instead (./partner-clock).
    if (request.clock || !partnerRequestIsWaiting(request) || request.lateEscalated || msOf(request.due) > d.now) continue;
    replacePartnerRequest(d, { ...request, lateEscalated: true });
    const detail = `partner ${request.partyId} has not answered request ${request.key} (resource ${request.resourceId}) due ${request.due}`;
    d.effects.push(escalationEffect(d, d.r.jeopardy.escalationLevel, 'partnerLate', detail, request.key));
    log(d, { by: SYSTEM_ACTOR, action: 'partnerLate', detail });
  }
  resumeIfNoPartnerHasTheRequest(d);
}

/**
 * A request its partner never accepted (its system down past the answer's due time) cannot be
 * answered: a report pending only on such requests runs its clock again instead of waiting forever.
 */
function resumeIfNoPartnerHasTheRequest(d: Draft): void {
  if (d.r.status !== 'pending' || !waitingOnPartners(d.r)) return;
  const waiting = d.r.partnerRequests.filter(partnerRequestIsWaiting);
  // Late: escalated as late, or (a request with its own obligation clock, ./partner-clock) past its due time.
  const unsent = waiting.filter((request) => request.requestId === undefined && (request.lateEscalated || msOf(request.due) <= d.now));
  if (unsent.length === 0 || unsent.length < waiting.length) return;
  changeStatus(d, 'inProgress', {
    by: SYSTEM_ACTOR,
    action: 'statusChanged',
    reason: `partner request(s) ${unsent.map((request) => request.key).join(', ')} could not be sent by the answer's due time; the clock runs again`,
  });
}

function acceptanceWindowEnd(report: Report): number | undefined {
  return report.clearance ? msOf(report.clearance.at) + report.jeopardy.policy.acceptanceWindow : undefined;
}

/**
 * The next wall-clock ms at which `tick` has something to do: the next jeopardy step (unless the
 * clock is paused), the earliest task or partner due time not yet escalated, or the end of the
 * acceptance window of a cleared report. May lie in the past ("tick now"); undefined when final
 * or when nothing is pending.
 */
export function nextWakeUp(report: Report): number | undefined {
  if (isFinal(report.status)) return undefined;
  if (report.status === 'cleared') return acceptanceWindowEnd(report);
  const candidates: number[] = [];
  const policy = report.jeopardy.policy;
  const pauses = pauseIntervals(statusChanges(report), policy.pauseWhenHeld);
  const ongoing = pauses.find((pause) => pause.to === undefined);
  const time = clockTimeOf(report.jeopardy);
  const pausedBefore = pausedMsAt(pauses, ongoing ? ongoing.from : Number.MAX_SAFE_INTEGER, time);
  const step = nextLadderStepAt(policy, clockStartMs(report), pausedBefore, report.jeopardy.ladderStepsTaken, time);
  // While the clock stands still only a step that fell due before the pause (and is not taken yet) matters.
  if (step !== undefined && (!ongoing || step <= ongoing.from)) candidates.push(step);
  const clockStep = nextClockStepAt(report, pauses);
  if (clockStep !== undefined) candidates.push(clockStep);
  if (report.parentReportId !== undefined) return candidates.length > 0 ? Math.min(...candidates) : undefined;
  for (const task of report.tasks)
    if (isOpenTask(task) && !task.overdueEscalated && task.due !== undefined) candidates.push(msOf(task.due));
  for (const request of report.partnerRequests)
    if (!request.clock && partnerRequestIsWaiting(request) && !request.lateEscalated) candidates.push(msOf(request.due));
  const partnerStep = nextPartnerStepAt(report);
  if (partnerStep !== undefined) candidates.push(partnerStep);
  return candidates.length > 0 ? Math.min(...candidates) : undefined;
}
