/**
 * Work done outside: the one trouble report per resource cause (TMF621 trouble ticket at the
 * resource trouble system) and the one partner request per partner-owned cause. Opening them,
 * the shell's facts that they were created, and the status updates that come back.
 */
import {
  changeStatus,
  DELEGATED_TASK_PREFIX,
  escalationEffect,
  iso,
  log,
  NO_CHANGE,
  replacePartnerRequest,
  replaceTask,
  replaceTroubleReport,
  RESOURCE_TROUBLE_ASSIGNEE,
  withoutUndefined,
  type Draft,
  type HandlerResult,
} from './draft';
import { partnerRequestExternalId, troubleTicketExternalId } from './ids';
import type { InternalPayload, MessagePayload, PartnerRequest, Report, TroubleReport } from './schemas';
import { escalateLatePromise } from './partner-clock';
import { dispatchReadyTasks } from './tasks';
import { isOpenTask } from './task-plan';
import { truncate } from './text';

const TERMINAL_RANK = 4;
const TROUBLE_RANK: Readonly<Record<TroubleReport['status'], number>> = {
  requested: 0,
  acknowledged: 1,
  inProgress: 2,
  pending: 2,
  held: 2,
  resolved: 3,
  closed: TERMINAL_RANK,
  cancelled: TERMINAL_RANK,
  rejected: TERMINAL_RANK,
};
const PARTNER_RANK: Readonly<Record<PartnerRequest['status'], number>> = {
  requested: 0,
  acknowledged: 1,
  inProgress: 2,
  resolved: 3,
  rejected: 3,
  cancelled: 3,
};

export function troubleReportIsOpen(troubleReport: TroubleReport): boolean {
  return !['resolved', 'closed', 'cancelled', 'rejected'].includes(troubleReport.status);
}

export function partnerRequestIsWaiting(request: PartnerRequest): boolean {
  return request.status === 'requested' || request.status === 'acknowledged' || request.status === 'inProgress';
}

/** Opens the one trouble report of a resource cause, with the restoration task delegated to it; a known resource adds nothing. */
export function requestTroubleReport(
  d: Draft,
  by: string,
  resourceId: string,
  causeDescription: string | undefined,
  notes: string[],
): void {
  const existing = d.r.troubleReports.find((candidate) => candidate.resourceId === resourceId);
  if (existing) {
    notes.push(`resource ${resourceId} already has trouble report ${existing.key}`);
    return;
  }
  const key = troubleTicketExternalId(d.r.reportId, resourceId);
  const taskId = `${DELEGATED_TASK_PREFIX}${resourceId}`;
  d.r.troubleReports.push({ key, resourceId, status: 'requested', requestedAt: d.at, taskId });
  d.r.tasks.push({
    taskId,
    kind: 'restoration',
    title: `Restore resource ${resourceId}`,
    assignee: RESOURCE_TROUBLE_ASSIGNEE,
    dependsOn: [],
    status: 'dispatched',
    dispatchedAt: d.at,
    overdueEscalated: false,
    troubleReportKey: key,
  });
  const description = `${d.r.description} | suspected cause: resource ${resourceId}${causeDescription ? `: ${causeDescription}` : ''}`;
  d.effects.push({
    type: 'createTroubleReport',
    key,
    reportId: d.r.reportId,
    resourceId,
    severity: d.r.severity,
    description: truncate(description, 4000),
    taskId,
  });
  const detail = `trouble report ${key} requested for resource ${resourceId}; task ${taskId} delegated to ${RESOURCE_TROUBLE_ASSIGNEE}`;
  log(d, { by, action: 'troubleReportRequested', detail });
  // Delegating restoration is an assignment, so it starts the work like the first `assign` does.
  if (d.r.status === 'acknowledged') {
    changeStatus(d, 'inProgress', {
      by,
      action: 'statusChanged',
      reason: `restoration of ${resourceId} delegated to ${RESOURCE_TROUBLE_ASSIGNEE}`,
    });
  }
}

/** Sends the one request per partner-owned resource cause and waits for it (status pending, clock paused). */
export function requestPartner(d: Draft, by: string, partyId: string, resourceId: string, notes: string[]): void {
  const key = partnerRequestExternalId(d.r.reportId, partyId, resourceId);
  if (d.r.partnerRequests.some((candidate) => candidate.key === key)) {
    notes.push(`partner ${partyId} already has request ${key} for resource ${resourceId}`);
    return;
  }
  const due = iso(d.now + d.r.jeopardy.policy.partnerAnswerDue);
  d.r.partnerRequests.push({
    key,
    partyId,
    resourceId,
    status: 'requested',
    requestedAt: d.at,
    due,
    lateEscalated: false,
    ...(d.r.jeopardy.partnerObligations ? { clock: { state: 'onTrack' as const, stepsTaken: 0 } } : {}),
  });
  d.effects.push({
    type: 'createPartnerRequest',
    key,
    reportId: d.r.reportId,
    partyId,
    resourceId,
    description: truncate(d.r.description, 4000),
    due,
  });
  const detail = `partner request ${key} sent to ${partyId} for resource ${resourceId}, answer due ${due}`;
  if (d.r.status === 'acknowledged' || d.r.status === 'inProgress') {
    changeStatus(d, 'pending', { by, action: 'partnerRequestSent', detail, reason: `waiting on partner ${partyId}` });
  } else {
    log(d, { by, action: 'partnerRequestSent', detail });
  }
}

/** The shell's fact: the create-trouble-report activity succeeded. */
export function troubleReportCreated(d: Draft, p: InternalPayload<'troubleReportCreated'>): HandlerResult {
  const current = d.r.troubleReports.find((candidate) => candidate.key === p.key);
  if (!current) return `unknown trouble report ${p.key}`;
  if (current.ticketId === p.ticketId && current.createdAt !== undefined) return NO_CHANGE;
  if (current.ticketId !== undefined && current.ticketId !== p.ticketId)
    return `trouble report ${p.key} already has ticket ${current.ticketId}, not ${p.ticketId}`;
  replaceTroubleReport(d, {
    ...current,
    ticketId: p.ticketId,
    createdAt: d.at,
    status: current.status === 'requested' ? 'acknowledged' : current.status,
  });
  log(d, {
    by: RESOURCE_TROUBLE_ASSIGNEE,
    action: 'troubleReportCreated',
    detail: `trouble report ${p.key} created as ticket ${p.ticketId}`,
  });
}

/** The shell's fact: the create-partner-request activity succeeded. */
export function partnerRequestCreated(d: Draft, p: InternalPayload<'partnerRequestCreated'>): HandlerResult {
  const current = d.r.partnerRequests.find((candidate) => candidate.key === p.key);
  if (!current) return `unknown partner request ${p.key}`;
  if (current.requestId === p.requestId && current.createdAt !== undefined) return NO_CHANGE;
  if (current.requestId !== undefined && current.requestId !== p.requestId) {
    return `partner request ${p.key} already has request id ${current.requestId}, not ${p.requestId}`;
  }
  replacePartnerRequest(d, { ...current, requestId: p.requestId, createdAt: d.at });
  log(d, {
    by: current.partyId,
    action: 'partnerRequestCreated',
    detail: `partner request ${p.key} accepted by ${current.partyId} as ${p.requestId}`,
  });
}

export function resourceTroubleUpdate(d: Draft, p: MessagePayload<'resourceTroubleUpdate'>): HandlerResult {
  const current = findTroubleReport(d.r, p.externalId, p.ticketId);
  if (typeof current === 'string') return current;
  if (TROUBLE_RANK[current.status] === TERMINAL_RANK) return `trouble report ${current.key} is already ${current.status}`;
  if (TROUBLE_RANK[p.status] < TROUBLE_RANK[current.status]) {
    return `out-of-order update: trouble report ${current.key} is already ${current.status}, cannot go back to ${p.status}`;
  }
  const updated: TroubleReport = withoutUndefined({
    ...current,
    status: p.status,
    // Adopted only from our own create (troubleReportCreated), never from a callback.
    ticketId: current.ticketId,
    statusChangeReason: p.statusChangeReason ?? current.statusChangeReason,
    resolution: p.resolution ?? current.resolution,
  });
  if (JSON.stringify(updated) === JSON.stringify(current)) return NO_CHANGE;
  const by = p.by ?? RESOURCE_TROUBLE_ASSIGNEE;
  replaceTroubleReport(d, { ...updated, lastUpdateAt: d.at });
  const ticket = updated.ticketId ? ` (ticket ${updated.ticketId})` : '';
  log(d, {
    by,
    action: 'troubleReportUpdated',
    detail: `trouble report ${current.key}${ticket}: ${current.status} -> ${p.status}`,
    reason: p.statusChangeReason ?? p.resolution,
  });
  if (p.status !== current.status) moveDelegatedTask(d, by, current, p.status);
}

/** A trouble report that resolves completes its restoration task; one that is refused leaves the task open for another way. */
function moveDelegatedTask(d: Draft, by: string, troubleReport: TroubleReport, status: TroubleReport['status']): void {
  const task = d.r.tasks.find((candidate) => candidate.taskId === troubleReport.taskId);
  if (!task || !isOpenTask(task)) return;
  if (status === 'resolved' || status === 'closed') {
    replaceTask(d, { ...task, status: 'done', completedAt: d.at });
    log(d, { by, action: 'taskUpdated', detail: `task ${task.taskId}: ${task.status} -> done (trouble report ${status})` });
    dispatchReadyTasks(d, by);
  } else if (status === 'rejected' || status === 'cancelled') {
    const detail = `task ${task.taskId} stays ${task.status}: its trouble report was ${status}; reassign it to restore resource ${troubleReport.resourceId} another way`;
    log(d, { by, action: 'taskUpdated', detail });
  }
}

export function partnerUpdate(d: Draft, p: MessagePayload<'partnerUpdate'>): HandlerResult {
  const current = findPartnerRequest(d.r, p.externalId, p.requestId);
  if (typeof current === 'string') return current;
  if (p.partyId !== undefined && p.partyId !== current.partyId)
    return `partner request ${current.key} belongs to party ${current.partyId}, not ${p.partyId}`;
  if (!partnerRequestIsWaiting(current)) return `partner request ${current.key} is already ${current.status}`;
  if (PARTNER_RANK[p.status] < PARTNER_RANK[current.status]) {
    return `out-of-order update: partner request ${current.key} is already ${current.status}, cannot go back to ${p.status}`;
  }
  const updated: PartnerRequest = withoutUndefined({
    ...current,
    status: p.status,
    requestId: current.requestId /* only from our own create, never from a callback */,
    note: p.note ?? current.note,
    expectedResolutionDate: p.expectedResolutionDate ?? current.expectedResolutionDate,
  });
  if (JSON.stringify(updated) === JSON.stringify(current)) return NO_CHANGE;
  const by = p.by ?? current.partyId;
  replacePartnerRequest(d, { ...updated, lastUpdateAt: d.at });
  const promise = p.expectedResolutionDate !== undefined && p.expectedResolutionDate !== current.expectedResolutionDate;
  const promised = promise ? `; resolution promised for ${p.expectedResolutionDate}` : '';
  log(d, {
    by,
    action: 'partnerUpdated',
    detail: `partner request ${current.key}: ${current.status} -> ${p.status}${promised}`,
    reason: p.note,
  });
  if (promise && partnerRequestIsWaiting(updated)) escalateLatePromise(d, updated, p.expectedResolutionDate!);
  const answered = !partnerRequestIsWaiting(updated) && !d.r.partnerRequests.some(partnerRequestIsWaiting);
  if (answered && d.r.status === 'pending' && waitingOnPartners(d.r)) {
    changeStatus(d, 'inProgress', { by, action: 'statusChanged', reason: `partner ${current.partyId} answered: ${p.status}` });
  }
}

/** Whether the report's current `pending` was entered to wait on a partner (not set by an operator). */
export function waitingOnPartners(report: Report): boolean {
  for (let i = report.history.length - 1; i >= 0; i--) {
    const entry = report.history[i];
    if (entry.toStatus !== undefined) return entry.toStatus === 'pending' && entry.action === 'partnerRequestSent';
  }
  return false;
}

interface RecordNames<T> {
  /** "trouble report", "partner request" */
  record: string;
  /** The outside system's id field ("ticketId") and its noun ("ticket"). */
  idField: string;
  idNoun: string;
  idOf(record: T): string | undefined;
}

/**
 * The record an update names by our key (externalId) and/or the outside system's id. Both given:
 * they must name the same record, and the id must match the one already known.
 */
function findRecord<T extends { key: string }>(
  records: readonly T[],
  externalId: string | undefined,
  id: string | undefined,
  names: RecordNames<T>,
): T | string {
  const byKey = externalId === undefined ? undefined : records.find((candidate) => candidate.key === externalId);
  const byId = id === undefined ? undefined : records.find((candidate) => names.idOf(candidate) === id);
  const found = byKey ?? byId;
  if (!found || (externalId !== undefined && !byKey)) {
    return `unknown ${names.record} (${[externalId && `externalId ${externalId}`, id && `${names.idField} ${id}`].filter(Boolean).join(', ')})`;
  }
  const knownId = names.idOf(found);
  if (id !== undefined && knownId !== undefined && knownId !== id)
    return `${names.record} ${found.key} is ${names.idNoun} ${knownId}, not ${id}`;
  if (id !== undefined && byId && byId !== found) return `${names.idNoun} ${id} belongs to ${names.record} ${byId.key}, not ${found.key}`;
  return found;
}

const TROUBLE_REPORT_NAMES: RecordNames<TroubleReport> = {
  record: 'trouble report',
  idField: 'ticketId',
  idNoun: 'ticket',
  idOf: (r) => r.ticketId,
};
const PARTNER_REQUEST_NAMES: RecordNames<PartnerRequest> = {
  record: 'partner request',
  idField: 'requestId',
  idNoun: 'request',
  idOf: (r) => r.requestId,
};

function findTroubleReport(report: Report, externalId: string | undefined, ticketId: string | undefined): TroubleReport | string {
  return findRecord(report.troubleReports, externalId, ticketId, TROUBLE_REPORT_NAMES);
}

function findPartnerRequest(report: Report, externalId: string | undefined, requestId: string | undefined): PartnerRequest | string {
  return findRecord(report.partnerRequests, externalId, requestId, PARTNER_REQUEST_NAMES);
}

/** The shell's fact: an activity gave up. Recorded, and escalated unless the notification webhook itself is failing. */
export function outsideSystemFailed(d: Draft, p: InternalPayload<'outsideSystemFailed'>): HandlerResult {
  d.r.outsideFailures.push(withoutUndefined({ at: d.at, system: p.system, operation: p.operation, message: p.message, key: p.key }));
  const detail = `${p.system} ${p.operation}${p.key ? ` (${p.key})` : ''} failed: ${truncate(p.message, 300)}`;
  log(d, { by: p.system, action: 'outsideSystemFailed', detail });
  // A failing notification webhook is recorded but not notified through itself.
  // Subject: system, operation and failure number, so each escalation has its own idempotency key.
  const subject = `${p.system}-${p.operation.replace(/[^A-Za-z0-9]+/g, '-')}-${d.r.outsideFailures.length + (d.r.trimmed?.outsideFailures ?? 0)}`;
  if (p.system !== 'escalationNotification')
    d.effects.push(escalationEffect(d, d.r.jeopardy.escalationLevel, 'outsideSystemFailing', detail, subject));
}
