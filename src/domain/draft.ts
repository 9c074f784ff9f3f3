/**
 * The working copy a command changes: a shallow copy of the report whose arrays may be pushed to
 * and whose elements may be replaced (never edited in place), the effects it asks for, and "now".
 * Shared by every message module; nothing here knows a message.
 */
import type { Effect, EffectOf, HistoryEntry, PartnerRequest, Report, ReportStatus, Task, TroubleReport } from './schemas';

/** The assignee of restoration tasks delegated to the resource trouble system. */
export const RESOURCE_TROUBLE_ASSIGNEE = 'resource-trouble-management';
/** Task ids with this prefix belong to restoration tasks delegated through a trouble report. */
export const DELEGATED_TASK_PREFIX = 'rtr-';
/** Who acts when time passes (jeopardy, overdue, acceptance window). */
export const SYSTEM_ACTOR = 'system';

export const iso = (ms: number): string => new Date(ms).toISOString();
export const msOf = (isoText: string): number => Date.parse(isoText);

/** A report and the effects the shell is to run for it. */
export interface Outcome {
  report: Report;
  effects: Effect[];
}

export interface Draft {
  r: Report;
  effects: Effect[];
  now: number;
  at: string;
}

/** Handlers return a rejection reason, `NO_CHANGE` for an accepted repeat, or nothing when the draft holds the new state. */
export const NO_CHANGE = Symbol('no change');
export type HandlerResult = string | typeof NO_CHANGE | void;

export function draftOf(report: Report, now: number): Draft {
  return {
    r: {
      ...report,
      analysis: [...report.analysis],
      tasks: [...report.tasks],
      troubleReports: [...report.troubleReports],
      partnerRequests: [...report.partnerRequests],
      history: [...report.history],
      rejectedInputs: [...report.rejectedInputs],
      outsideFailures: [...report.outsideFailures],
      jeopardy: { ...report.jeopardy },
    },
    effects: [],
    now,
    at: iso(now),
  };
}

/** Appends a history entry (absent optional fields left out) and returns it, so its author may add notes. */
export function log(d: Draft, entry: Omit<HistoryEntry, 'at'>): HistoryEntry {
  const recorded = withoutUndefined({ at: d.at, ...entry });
  d.r.history.push(recorded);
  return recorded;
}

/** Changes the status and records who, what and why in one history entry. */
export function changeStatus(d: Draft, to: ReportStatus, entry: Omit<HistoryEntry, 'at' | 'fromStatus' | 'toStatus'>): void {
  log(d, { ...entry, fromStatus: d.r.status, toStatus: to });
  d.r.status = to;
}

export function replaceTask(d: Draft, task: Task): void {
  d.r.tasks = d.r.tasks.map((candidate) => (candidate.taskId === task.taskId ? task : candidate));
}

export function replaceTroubleReport(d: Draft, troubleReport: TroubleReport): void {
  d.r.troubleReports = d.r.troubleReports.map((candidate) => (candidate.key === troubleReport.key ? troubleReport : candidate));
}

export function replacePartnerRequest(d: Draft, request: PartnerRequest): void {
  d.r.partnerRequests = d.r.partnerRequests.map((candidate) => (candidate.key === request.key ? request : candidate));
}

export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** `subject` tells apart escalations of the same level and reason (two overdue tasks), so their idempotency keys differ. */
export function escalationEffect(
  d: Draft,
  level: number,
  reason: EffectOf<'notifyEscalation'>['reason'],
  detail: string,
  subject?: string,
): Effect {
  return withoutUndefined({
    type: 'notifyEscalation' as const,
    reportId: d.r.reportId,
    level,
    reason,
    jeopardyState: d.r.jeopardy.state,
    deadline: d.r.jeopardy.deadline,
    detail: withChildren(d.r, detail),
    subject,
    children: d.r.children && d.r.children.length > 0 ? [...d.r.children] : undefined,
  });
}

/** A group's parent escalates for its children: its notices name them. */
export function withChildren(report: Report, detail: string): string {
  const children = report.children ?? [];
  return children.length > 0 ? `${detail}; for the group of ${report.reportId} with ${children.join(', ')}` : detail;
}
