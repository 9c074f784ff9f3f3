/**
 * The report core: open a report, apply a command (message or shell fact) to it, let time pass
 * (`tick`), and tell when time next matters (`nextWakeUp`). Every function is pure: it takes
 * the report and "now" and returns a new report plus the effects for the shell to run; the
 * input report is never mutated and a rejected command changes nothing.
 */
import { z } from 'zod';
import { formatDuration } from './duration';
import { evaluateJeopardy, nextLadderStepAt, pauseIntervals, pausedMsAt, type StatusChange } from './jeopardy';
import { resolvePolicy, type PolicyDefaults } from './policy';
import {
  InternalPayloadSchemas,
  MessagePayloadSchemas,
  StartInput,
  isMessageName,
  resolveDueTime,
  type Command,
  type Effect,
  type HistoryEntry,
  type Jeopardy,
  type MessageName,
  type MessagePayload,
  type PartnerRequest,
  type Report,
  type ReportStatus,
  type Task,
  type TroubleReport,
} from './schemas';
import { canTransition, isFinal } from './status';
import { partnerRequestExternalId, troubleTicketExternalId } from './ids';
import { blockingDependencies, dependencyProblem, isOpenTask } from './task-plan';

export { isFinal };

/** The assignee of restoration tasks delegated to the resource trouble system. */
export const RESOURCE_TROUBLE_ASSIGNEE = 'resource-trouble-management';
/** Task ids with this prefix belong to restoration tasks delegated through a trouble report. */
export const DELEGATED_TASK_PREFIX = 'rtr-';
/** Who acts when time passes (jeopardy, overdue, acceptance window). */
export const SYSTEM_ACTOR = 'system';
const PAYLOAD_PREVIEW_MAX = 500;

export interface Outcome {
  report: Report;
  effects: Effect[];
}
export type CommandResult = ({ ok: true } & Outcome) | { ok: false; reason: string };

export interface OpenOptions {
  /** Configured jeopardy defaults per severity, merged under the report's own policy. */
  defaults?: PolicyDefaults;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const msOf = (isoText: string): number => Date.parse(isoText);

// ---------------------------------------------------------------- validation

/** One readable line per problem, each naming the message and the field: `addAnalysis.summary: Required`. */
export function formatIssues(prefix: string, error: z.ZodError): string {
  // Bounded: a reason quotes at most a few short field names, never a payload's worth of them.
  const short = (text: string) => truncate(text, 60);
  const lines = error.issues.slice(0, 10).map((issue) => {
    const where = [prefix, ...issue.path.map((p) => short(String(p)))].join('.');
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.slice(0, 5).map((k) => `"${short(k)}"`).join(', ');
      return `${where}: Unrecognized key${issue.keys.length > 1 ? 's' : ''}: ${keys}${issue.keys.length > 5 ? ` and ${issue.keys.length - 5} more` : ''}`;
    }
    return `${where}: ${truncate(issue.message, 300)}`;
  });
  if (error.issues.length > 10) lines.push(`and ${error.issues.length - 10} more problems`);
  return truncate(lines.join('; '), MAX_REASON_LENGTH);
}

const MAX_REASON_LENGTH = 1000;
/** A message's payload larger than this (as JSON) is refused before validation: a report stays far below Temporal's 2 MB limits. */
export const MAX_PAYLOAD_CHARS = 64 * 1024;

const requiredMessage = (issue: { code: string; input?: unknown }): string | undefined =>
  issue.code === 'invalid_type' && issue.input === undefined ? 'Required' : undefined;

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

function parseWith<S extends z.ZodType>(schema: S, prefix: string, payload: unknown): Parsed<z.output<S>> {
  const result = schema.safeParse(payload, { error: requiredMessage });
  return result.success ? { ok: true, value: result.data } : { ok: false, reason: formatIssues(prefix, result.error) };
}

/** Validates a start input; the shell fails the workflow start (non-retryable) with `reason` when it is invalid. */
export function parseStartInput(raw: unknown): Parsed<StartInput> {
  return parseWith(StartInput, 'startInput', raw);
}

/** Validates a message payload alone (no state rules); `applyCommand` does both. */
export function parseMessage<N extends MessageName>(name: N, payload: unknown): Parsed<MessagePayload<N>> {
  const size = payloadSize(payload);
  if (size > MAX_PAYLOAD_CHARS) return { ok: false, reason: `${name}: payload too large (${size} characters as JSON, limit ${MAX_PAYLOAD_CHARS})` };
  return parseWith(MessagePayloadSchemas[name], name, payload) as Parsed<MessagePayload<N>>;
}

// ---------------------------------------------------------------- drafts: copies that handlers may change

interface Draft {
  r: Report;
  effects: Effect[];
  now: number;
  at: string;
}

/** A shallow copy whose arrays may be pushed to and whose elements may be replaced (never edited in place). */
function draftOf(report: Report, now: number): Draft {
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
function log(d: Draft, entry: Omit<HistoryEntry, 'at'>): HistoryEntry {
  const recorded = withoutUndefined({ at: d.at, ...entry });
  d.r.history.push(recorded);
  return recorded;
}

/** Changes the status and records who, what and why in one history entry. */
function changeStatus(d: Draft, to: ReportStatus, entry: Omit<HistoryEntry, 'at' | 'fromStatus' | 'toStatus'>): void {
  log(d, { ...entry, fromStatus: d.r.status, toStatus: to });
  d.r.status = to;
}

function replaceTask(d: Draft, task: Task): void {
  d.r.tasks = d.r.tasks.map((candidate) => (candidate.taskId === task.taskId ? task : candidate));
}

function replaceTroubleReport(d: Draft, troubleReport: TroubleReport): void {
  d.r.troubleReports = d.r.troubleReports.map((candidate) => (candidate.key === troubleReport.key ? troubleReport : candidate));
}

function replacePartnerRequest(d: Draft, request: PartnerRequest): void {
  d.r.partnerRequests = d.r.partnerRequests.map((candidate) => (candidate.key === request.key ? request : candidate));
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

// ---------------------------------------------------------------- jeopardy view

/**
 * The status changes in the audit trail. History only grows and drafts copy it shallowly (the
 * entries keep their identity), so the last answer is extended by the new entries instead of
 * re-scanning thousands of them on every message: a pure memo, same answer as a full scan.
 */
let statusChangeMemo: { lastEntry: HistoryEntry | undefined; length: number; changes: StatusChange[] } = { lastEntry: undefined, length: 0, changes: [] };
function statusChanges(report: Report): StatusChange[] {
  const history = report.history;
  const memo = statusChangeMemo;
  const extendsMemo = memo.length > 0 && history.length >= memo.length && history[memo.length - 1] === memo.lastEntry;
  const from = extendsMemo ? memo.length : 0;
  if (extendsMemo && from === history.length) return memo.changes;
  const changes = extendsMemo ? memo.changes.slice() : [];
  for (let i = from; i < history.length; i++) {
    const entry = history[i];
    if (entry.toStatus !== undefined) changes.push({ at: msOf(entry.at), status: entry.toStatus });
  }
  statusChangeMemo = { lastEntry: history[history.length - 1], length: history.length, changes };
  return changes;
}

function evaluate(report: Report, now: number) {
  const policy = report.jeopardy.policy;
  const pauses = pauseIntervals(statusChanges(report), policy.pauseWhenHeld);
  return { pauses, evaluation: evaluateJeopardy({ policy, openedAt: msOf(report.openedAt), pauses, now, stepsTaken: report.jeopardy.ladderStepsTaken }) };
}

/** The jeopardy fields as of `now`: state, deadline moved by every pause so far, and whether the clock stands still. */
function jeopardyAt(report: Report, now: number): Jeopardy {
  const { pauses, evaluation } = evaluate(report, now);
  const ongoing = pauses[pauses.length - 1];
  return withoutUndefined({
    ...report.jeopardy,
    state: evaluation.state,
    deadline: iso(evaluation.deadline),
    pausedMs: evaluation.pausedMs,
    pausedSince: evaluation.paused && !isFinal(report.status) && ongoing ? iso(ongoing.from) : undefined,
  });
}

function sameJeopardy(a: Jeopardy, b: Jeopardy): boolean {
  return a.state === b.state && a.deadline === b.deadline && a.pausedMs === b.pausedMs && a.pausedSince === b.pausedSince && a.escalationLevel === b.escalationLevel && a.ladderStepsTaken === b.ladderStepsTaken;
}

// ---------------------------------------------------------------- open

/** A new report in status `acknowledged`; the resolution clock starts now. */
export function openReport(input: StartInput, nowMs: number, opts: OpenOptions = {}): Outcome {
  const policy = resolvePolicy(input.severity, input.jeopardyPolicy, opts.defaults);
  const openedBy = input.openedBy ?? input.originator?.id ?? input.originator?.system ?? 'unspecified';
  const at = iso(nowMs);
  const report: Report = withoutUndefined({
    reportId: input.reportId,
    status: 'acknowledged' as const,
    severity: input.severity,
    service: input.service,
    description: input.description,
    detectedAt: input.detectedAt ?? at,
    openedAt: at,
    openedBy,
    originator: input.originator,
    degradedKpis: input.degradedKpis,
    partnerOwnedResources: input.partnerOwnedResources ?? {},
    analysis: [],
    tasks: [],
    troubleReports: [],
    partnerRequests: [],
    jeopardy: { state: 'onTrack' as const, escalationLevel: 0, deadline: iso(nowMs + policy.resolutionTarget), policy, pausedMs: 0, ladderStepsTaken: 0 },
    history: [
      {
        at,
        by: openedBy,
        action: 'opened' as const,
        toStatus: 'acknowledged' as const,
        detail: `${input.severity} degradation of service ${input.service.id}; resolution target ${formatDuration(policy.resolutionTarget)}`,
      },
    ],
    rejectedInputs: [],
    outsideFailures: [],
  });
  return { report, effects: [] };
}

// ---------------------------------------------------------------- commands

/**
 * Applies a message or a shell fact. Validates the payload (the reason names the field),
 * checks the state rules, and returns the new report with the effects to run, or a rejection.
 * Messages to a closed or cancelled report are rejected; shell facts (activity outcomes) are
 * still recorded there, because the outside world did act.
 */
export function applyCommand(report: Report, command: Command, nowMs: number): CommandResult {
  const name: string = command.name;
  if (isMessageName(name)) {
    if (isFinal(report.status)) return { ok: false, reason: `report is ${report.status}` };
    const parsed = parseMessage(name, command.payload);
    if (!parsed.ok) return parsed;
    return run(report, nowMs, (d) => MESSAGE_HANDLERS[name](d, parsed.value as never));
  }
  if (name in InternalPayloadSchemas) {
    const internal = name as keyof typeof InternalPayloadSchemas;
    const parsed = parseWith(InternalPayloadSchemas[internal], internal, command.payload);
    if (!parsed.ok) return parsed;
    return run(report, nowMs, (d) => INTERNAL_HANDLERS[internal](d, parsed.value as never));
  }
  return { ok: false, reason: `unknown message "${name}"` };
}

/** Handlers return a rejection reason, `NO_CHANGE` for an accepted repeat, or nothing when the draft holds the new state. */
const NO_CHANGE = Symbol('no change');
type HandlerResult = string | typeof NO_CHANGE | void;

function run(report: Report, nowMs: number, handler: (d: Draft) => HandlerResult): CommandResult {
  const d = draftOf(report, nowMs);
  const result = handler(d);
  if (typeof result === 'string') return { ok: false, reason: result };
  if (result === NO_CHANGE) return { ok: true, report, effects: [] };
  d.r.jeopardy = jeopardyAt(d.r, nowMs);
  return { ok: true, report: d.r, effects: d.effects };
}

/** Records a rejected message (and nothing else) so operators can see what was refused and why. */
export function recordRejection(report: Report, messageName: string, payload: unknown, reason: string, nowMs: number): Report {
  return {
    ...report,
    rejectedInputs: [...report.rejectedInputs, { at: iso(nowMs), message: messageName, reason, payloadPreview: payloadPreview(payload) }],
  };
}

function payloadSize(payload: unknown): number {
  try {
    return (JSON.stringify(payload) ?? '').length;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** The payload as JSON, cut to 500 characters; never throws (cycles, BigInt). */
export function payloadPreview(payload: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(payload) ?? String(payload);
  } catch {
    text = '[payload not serialisable as JSON]';
  }
  return truncate(text, PAYLOAD_PREVIEW_MAX);
}

/**
 * What a signal handler does with any message: apply it, or record its rejection.
 * `rejection` is set when the command was refused.
 */
export function receive(report: Report, command: Command, nowMs: number): Outcome & { rejection?: string } {
  const result = applyCommand(report, command, nowMs);
  if (result.ok) return { report: result.report, effects: result.effects };
  return { report: recordRejection(report, command.name, command.payload, result.reason, nowMs), effects: [], rejection: result.reason };
}

// ---------------------------------------------------------------- message handlers

type Handlers = { [N in MessageName]: (d: Draft, payload: MessagePayload<N>) => HandlerResult };

const MESSAGE_HANDLERS: Handlers = {
  addAnalysis(d, p) {
    const cause = p.rootCause;
    if (d.r.status === 'cleared' && cause && cause.domain !== 'service') {
      return 'report is cleared: reopen it with rejectClearance before naming a resource or partner cause';
    }
    d.r.analysis.push(withoutUndefined({ author: p.author, at: p.at ?? d.at, summary: p.summary, rootCause: cause }));
    const notes: string[] = [];
    const entry = log(d, { by: p.author, action: 'analysisAdded', detail: truncate(p.summary, 200) });
    if (cause?.domain === 'resource' && cause.resourceId !== undefined) {
      const owner = d.r.partnerOwnedResources[cause.resourceId];
      if (owner !== undefined) requestPartner(d, p.author, owner, cause.resourceId, notes);
      else requestTroubleReport(d, p.author, cause.resourceId, cause.description, notes);
    } else if (cause?.domain === 'partner' && cause.partyId !== undefined && cause.resourceId !== undefined) {
      requestPartner(d, p.author, cause.partyId, cause.resourceId, notes);
    }
    // The entry was created by this command, so completing it is not a change to recorded history.
    if (notes.length > 0) entry.detail = `${entry.detail} (${notes.join('; ')})`;
  },

  assign(d, p) {
    if (d.r.status === 'cleared') return 'report is cleared: reopen it with rejectClearance before assigning work';
    const existing = d.r.tasks.find((task) => task.taskId === p.taskId);
    const due = p.due === undefined ? undefined : iso(resolveDueTime(p.due, d.now));
    const dependsOn = p.dependsOn === undefined ? undefined : [...new Set(p.dependsOn)];
    if (dependsOn) {
      const problem = dependencyProblem(d.r.tasks, p.taskId, dependsOn);
      if (problem) return `assign.dependsOn: ${problem}`;
    }
    if (!existing) {
      if (p.taskId.startsWith(DELEGATED_TASK_PREFIX)) return `task ids starting with "${DELEGATED_TASK_PREFIX}" are reserved for restoration delegated to resource trouble management`;
      const task: Task = withoutUndefined({ taskId: p.taskId, kind: p.kind, title: p.title, assignee: p.assignee, due, dependsOn: dependsOn ?? [], status: 'planned' as const, overdueEscalated: false });
      d.r.tasks.push(task);
      const waitingOn = task.dependsOn.length > 0 ? `, after ${task.dependsOn.join(', ')}` : '';
      log(d, { by: p.by, action: 'taskAssigned', detail: `${p.kind} task ${p.taskId} assigned to ${p.assignee}${due ? `, due ${due}` : ''}${waitingOn}` });
      dispatchReadyTasks(d, p.by);
    } else {
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
      task = withoutUndefined({ ...task, assignee: p.assignee, title: p.title ?? existing.title, due: due ?? existing.due, overdueEscalated: due !== undefined && due !== existing.due ? false : existing.overdueEscalated });
      const reassigned = p.assignee !== existing.assignee;
      if (reassigned && (task.status === 'dispatched' || task.status === 'inProgress')) {
        task.dispatchedAt = d.at;
        d.effects.push(dispatchEffect(d.r.reportId, task));
      }
      replaceTask(d, task);
      log(d, { by: p.by, action: reassigned ? 'taskReassigned' : 'taskUpdated', detail: `task ${task.taskId}: ${changes.join(', ')}` });
      dispatchReadyTasks(d, p.by);
    }
    if (d.r.status === 'acknowledged') changeStatus(d, 'inProgress', { by: p.by, action: 'statusChanged', reason: 'first assignment' });
  },

  updateTask(d, p) {
    const task = d.r.tasks.find((candidate) => candidate.taskId === p.taskId);
    if (!task) return `unknown task ${p.taskId}`;
    const delegation = delegatedTroubleReport(d.r, task);
    if (delegation) return `task ${task.taskId} is delegated to resource trouble management; trouble report ${delegation.key} moves it`;
    if (!isOpenTask(task)) return `task ${task.taskId} is already ${task.status}`;
    if (task.status === p.status) return `task ${task.taskId} is already ${task.status}`;
    const blocking = blockingDependencies(d.r.tasks, task);
    if (p.status !== 'cancelled' && blocking.length > 0) return `task ${task.taskId} is waiting on task(s) ${blocking.join(', ')}`;
    const finished = p.status === 'done' || p.status === 'cancelled';
    replaceTask(d, withoutUndefined({ ...task, status: p.status, completedAt: finished ? d.at : undefined }));
    log(d, { by: p.by, action: 'taskUpdated', detail: `task ${task.taskId}: ${task.status} -> ${p.status}`, reason: p.note });
    if (p.status === 'done') dispatchReadyTasks(d, p.by);
  },

  setStatus(d, p) {
    const from = d.r.status;
    if (from === p.status) return `report is already ${from}`;
    if (!canTransition(from, p.status)) return `illegal transition ${from} -> ${p.status}`;
    if (from === 'cleared') {
      // A recurrence reopens a cleared report, like a rejected clearance.
      d.r.clearance = undefined;
      d.r = withoutUndefined(d.r);
    }
    changeStatus(d, p.status, { by: p.by, action: 'statusChanged', reason: p.reason });
  },

  cancel(d, p) {
    const reason = `report cancelled: ${p.reason}`;
    for (const troubleReport of d.r.troubleReports) {
      if (troubleReportIsOpen(troubleReport)) {
        d.effects.push(withoutUndefined({ type: 'cancelTroubleReport' as const, reportId: d.r.reportId, key: troubleReport.key, ticketId: troubleReport.ticketId, reason }));
      }
    }
    for (const request of d.r.partnerRequests) {
      if (partnerRequestIsWaiting(request)) {
        d.effects.push(withoutUndefined({ type: 'cancelPartnerRequest' as const, reportId: d.r.reportId, key: request.key, partyId: request.partyId, requestId: request.requestId, reason }));
      }
    }
    d.r.tasks = d.r.tasks.map((task) => (isOpenTask(task) ? { ...task, status: 'cancelled' as const, completedAt: d.at } : task));
    d.r.cancellation = withoutUndefined({ by: p.by, at: d.at, reason: p.reason, note: p.note });
    changeStatus(d, 'cancelled', { by: p.by, action: 'cancelled', reason: p.reason, detail: p.note });
  },

  clear(d, p) {
    if (d.r.status === 'cleared') return 'report is already cleared';
    d.r.clearance = { by: p.by, at: d.at, resolution: p.resolution };
    changeStatus(d, 'cleared', { by: p.by, action: 'cleared', reason: p.resolution });
    d.effects.push({ type: 'informClose', reportId: d.r.reportId, resolution: p.resolution, clearedAt: d.at });
  },

  confirmClosure(d, p) {
    if (d.r.status !== 'cleared') return `only a cleared report can be closed (report is ${d.r.status})`;
    d.r.closure = withoutUndefined({ by: p.by, at: d.at, how: 'confirmed' as const, note: p.note });
    changeStatus(d, 'closed', { by: p.by, action: 'closed', reason: 'closure confirmed', detail: p.note });
  },

  rejectClearance(d, p) {
    if (d.r.status !== 'cleared') return `only a cleared report's clearance can be rejected (report is ${d.r.status})`;
    const previous = d.r.clearance;
    d.r.clearance = undefined;
    d.r = withoutUndefined(d.r);
    changeStatus(d, 'inProgress', { by: p.by, action: 'clearanceRejected', reason: p.reason, detail: previous ? `rejected resolution: ${truncate(previous.resolution, 200)}` : undefined });
  },

  resourceTroubleUpdate(d, p) {
    const found = findTroubleReport(d.r, p.externalId, p.ticketId);
    if (typeof found === 'string') return found;
    const current = found;
    if (TROUBLE_RANK[current.status] === TERMINAL_RANK) return `trouble report ${current.key} is already ${current.status}`;
    if (TROUBLE_RANK[p.status] < TROUBLE_RANK[current.status]) {
      return `out-of-order update: trouble report ${current.key} is already ${current.status}, cannot go back to ${p.status}`;
    }
    const updated: TroubleReport = withoutUndefined({
      ...current,
      status: p.status,
      ticketId: current.ticketId ?? p.ticketId,
      statusChangeReason: p.statusChangeReason ?? current.statusChangeReason,
      resolution: p.resolution ?? current.resolution,
    });
    if (JSON.stringify(updated) === JSON.stringify(current)) return NO_CHANGE;
    const by = p.by ?? RESOURCE_TROUBLE_ASSIGNEE;
    replaceTroubleReport(d, { ...updated, lastUpdateAt: d.at });
    log(d, { by, action: 'troubleReportUpdated', detail: `trouble report ${current.key}${updated.ticketId ? ` (ticket ${updated.ticketId})` : ''}: ${current.status} -> ${p.status}`, reason: p.statusChangeReason ?? p.resolution });
    const task = d.r.tasks.find((candidate) => candidate.taskId === current.taskId);
    if (!task || !isOpenTask(task) || p.status === current.status) return;
    if (p.status === 'resolved' || p.status === 'closed') {
      replaceTask(d, { ...task, status: 'done', completedAt: d.at });
      log(d, { by, action: 'taskUpdated', detail: `task ${task.taskId}: ${task.status} -> done (trouble report ${p.status})` });
      dispatchReadyTasks(d, by);
    } else if (p.status === 'rejected' || p.status === 'cancelled') {
      log(d, { by, action: 'taskUpdated', detail: `task ${task.taskId} stays ${task.status}: its trouble report was ${p.status}; reassign it to restore resource ${current.resourceId} another way` });
    }
  },

  partnerUpdate(d, p) {
    const found = findPartnerRequest(d.r, p.externalId, p.requestId);
    if (typeof found === 'string') return found;
    const current = found;
    if (p.partyId !== undefined && p.partyId !== current.partyId) return `partner request ${current.key} belongs to party ${current.partyId}, not ${p.partyId}`;
    if (!partnerRequestIsWaiting(current)) return `partner request ${current.key} is already ${current.status}`;
    if (PARTNER_RANK[p.status] < PARTNER_RANK[current.status]) {
      return `out-of-order update: partner request ${current.key} is already ${current.status}, cannot go back to ${p.status}`;
    }
    const updated: PartnerRequest = withoutUndefined({ ...current, status: p.status, requestId: current.requestId ?? p.requestId, note: p.note ?? current.note });
    if (JSON.stringify(updated) === JSON.stringify(current)) return NO_CHANGE;
    const by = p.by ?? current.partyId;
    replacePartnerRequest(d, { ...updated, lastUpdateAt: d.at });
    log(d, { by, action: 'partnerUpdated', detail: `partner request ${current.key}: ${current.status} -> ${p.status}`, reason: p.note });
    if (!partnerRequestIsWaiting(updated) && d.r.status === 'pending' && waitingOnPartners(d.r) && !d.r.partnerRequests.some(partnerRequestIsWaiting)) {
      changeStatus(d, 'inProgress', { by, action: 'statusChanged', reason: `partner ${current.partyId} answered: ${p.status}` });
    }
  },
};

const INTERNAL_HANDLERS: { [N in keyof typeof InternalPayloadSchemas]: (d: Draft, payload: z.output<(typeof InternalPayloadSchemas)[N]>) => HandlerResult } = {
  troubleReportCreated(d, p) {
    const current = d.r.troubleReports.find((candidate) => candidate.key === p.key);
    if (!current) return `unknown trouble report ${p.key}`;
    if (current.ticketId === p.ticketId && current.createdAt !== undefined) return NO_CHANGE;
    if (current.ticketId !== undefined && current.ticketId !== p.ticketId) return `trouble report ${p.key} already has ticket ${current.ticketId}, not ${p.ticketId}`;
    replaceTroubleReport(d, { ...current, ticketId: p.ticketId, createdAt: d.at, status: current.status === 'requested' ? 'acknowledged' : current.status });
    log(d, { by: RESOURCE_TROUBLE_ASSIGNEE, action: 'troubleReportCreated', detail: `trouble report ${p.key} created as ticket ${p.ticketId}` });
  },

  partnerRequestCreated(d, p) {
    const current = d.r.partnerRequests.find((candidate) => candidate.key === p.key);
    if (!current) return `unknown partner request ${p.key}`;
    if (current.requestId === p.requestId && current.createdAt !== undefined) return NO_CHANGE;
    if (current.requestId !== undefined && current.requestId !== p.requestId) return `partner request ${p.key} already has request id ${current.requestId}, not ${p.requestId}`;
    replacePartnerRequest(d, { ...current, requestId: p.requestId, createdAt: d.at });
    log(d, { by: current.partyId, action: 'partnerRequestCreated', detail: `partner request ${p.key} accepted by ${current.partyId} as ${p.requestId}` });
  },

  outsideSystemFailed(d, p) {
    d.r.outsideFailures.push(withoutUndefined({ at: d.at, system: p.system, operation: p.operation, message: p.message, key: p.key }));
    const detail = `${p.system} ${p.operation}${p.key ? ` (${p.key})` : ''} failed: ${truncate(p.message, 300)}`;
    log(d, { by: p.system, action: 'outsideSystemFailed', detail });
    // A failing notification webhook is recorded but not notified through itself.
    if (p.system !== 'escalationNotification') d.effects.push(escalationEffect(d, d.r.jeopardy.escalationLevel, 'outsideSystemFailing', detail));
  },
};

// ---------------------------------------------------------------- handler helpers

function reassignProblem(d: Draft, task: Task, kind: Task['kind']): string | undefined {
  const delegation = delegatedTroubleReport(d.r, task);
  if (delegation) return `task ${task.taskId} is delegated to resource trouble management; trouble report ${delegation.key} moves it`;
  if (!isOpenTask(task)) return `task ${task.taskId} is already ${task.status}`;
  if (task.kind !== kind) return `task ${task.taskId} is a ${task.kind} task; its kind cannot change`;
  return undefined;
}

function dispatchEffect(reportId: string, task: Task): Effect {
  return withoutUndefined({ type: 'dispatchTask' as const, reportId, taskId: task.taskId, assignee: task.assignee, kind: task.kind, title: task.title, due: task.due });
}

/** Dispatches every planned task whose dependencies are all done. */
function dispatchReadyTasks(d: Draft, by: string): void {
  for (const task of d.r.tasks) {
    if (task.status !== 'planned' || blockingDependencies(d.r.tasks, task).length > 0) continue;
    const dispatched: Task = { ...task, status: 'dispatched', dispatchedAt: d.at };
    replaceTask(d, dispatched);
    d.effects.push(dispatchEffect(d.r.reportId, dispatched));
    log(d, { by, action: 'taskDispatched', detail: `task ${task.taskId} dispatched to ${task.assignee}` });
  }
}

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

function troubleReportIsOpen(troubleReport: TroubleReport): boolean {
  return !['resolved', 'closed', 'cancelled', 'rejected'].includes(troubleReport.status);
}

function partnerRequestIsWaiting(request: PartnerRequest): boolean {
  return request.status === 'requested' || request.status === 'acknowledged' || request.status === 'inProgress';
}

/** The trouble report a task is delegated to, while that trouble report can still complete it. */
function delegatedTroubleReport(report: Report, task: Task): TroubleReport | undefined {
  if (task.troubleReportKey === undefined) return undefined;
  const troubleReport = report.troubleReports.find((candidate) => candidate.key === task.troubleReportKey);
  return troubleReport && troubleReport.status !== 'rejected' && troubleReport.status !== 'cancelled' ? troubleReport : undefined;
}

/** Whether the report's current `pending` was entered to wait on a partner (not set by an operator). */
function waitingOnPartners(report: Report): boolean {
  for (let i = report.history.length - 1; i >= 0; i--) {
    const entry = report.history[i];
    if (entry.toStatus !== undefined) return entry.toStatus === 'pending' && entry.action === 'partnerRequestSent';
  }
  return false;
}

function findTroubleReport(report: Report, externalId: string | undefined, ticketId: string | undefined): TroubleReport | string {
  const byKey = externalId === undefined ? undefined : report.troubleReports.find((candidate) => candidate.key === externalId);
  const byTicket = ticketId === undefined ? undefined : report.troubleReports.find((candidate) => candidate.ticketId === ticketId);
  const found = byKey ?? byTicket;
  if (!found || (externalId !== undefined && !byKey)) {
    return `unknown trouble report (${[externalId && `externalId ${externalId}`, ticketId && `ticketId ${ticketId}`].filter(Boolean).join(', ')})`;
  }
  if (ticketId !== undefined && found.ticketId !== undefined && found.ticketId !== ticketId) return `trouble report ${found.key} is ticket ${found.ticketId}, not ${ticketId}`;
  if (ticketId !== undefined && byTicket && byTicket !== found) return `ticket ${ticketId} belongs to trouble report ${byTicket.key}, not ${found.key}`;
  return found;
}

function findPartnerRequest(report: Report, externalId: string | undefined, requestId: string | undefined): PartnerRequest | string {
  const byKey = externalId === undefined ? undefined : report.partnerRequests.find((candidate) => candidate.key === externalId);
  const byRequest = requestId === undefined ? undefined : report.partnerRequests.find((candidate) => candidate.requestId === requestId);
  const found = byKey ?? byRequest;
  if (!found || (externalId !== undefined && !byKey)) {
    return `unknown partner request (${[externalId && `externalId ${externalId}`, requestId && `requestId ${requestId}`].filter(Boolean).join(', ')})`;
  }
  if (requestId !== undefined && found.requestId !== undefined && found.requestId !== requestId) return `partner request ${found.key} is request ${found.requestId}, not ${requestId}`;
  if (requestId !== undefined && byRequest && byRequest !== found) return `request ${requestId} belongs to partner request ${byRequest.key}, not ${found.key}`;
  return found;
}

/** Opens the one trouble report of a resource cause, with the restoration task delegated to it; a known resource adds nothing. */
function requestTroubleReport(d: Draft, by: string, resourceId: string, causeDescription: string | undefined, notes: string[]): void {
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
  d.effects.push({ type: 'createTroubleReport', key, reportId: d.r.reportId, resourceId, severity: d.r.severity, description: truncate(description, 4000), taskId });
  log(d, { by, action: 'troubleReportRequested', detail: `trouble report ${key} requested for resource ${resourceId}; task ${taskId} delegated to ${RESOURCE_TROUBLE_ASSIGNEE}` });
  // Delegating restoration is an assignment, so it starts the work like the first `assign` does.
  if (d.r.status === 'acknowledged') changeStatus(d, 'inProgress', { by, action: 'statusChanged', reason: `restoration of ${resourceId} delegated to ${RESOURCE_TROUBLE_ASSIGNEE}` });
}

/** Sends the one request per partner-owned resource cause and waits for it (status pending, clock paused). */
function requestPartner(d: Draft, by: string, partyId: string, resourceId: string, notes: string[]): void {
  const key = partnerRequestExternalId(d.r.reportId, partyId, resourceId);
  if (d.r.partnerRequests.some((candidate) => candidate.key === key)) {
    notes.push(`partner ${partyId} already has request ${key} for resource ${resourceId}`);
    return;
  }
  const due = iso(d.now + d.r.jeopardy.policy.partnerAnswerDue);
  d.r.partnerRequests.push({ key, partyId, resourceId, status: 'requested', requestedAt: d.at, due, lateEscalated: false });
  d.effects.push({ type: 'createPartnerRequest', key, reportId: d.r.reportId, partyId, resourceId, description: truncate(d.r.description, 4000), due });
  const detail = `partner request ${key} sent to ${partyId} for resource ${resourceId}, answer due ${due}`;
  if (d.r.status === 'acknowledged' || d.r.status === 'inProgress') {
    changeStatus(d, 'pending', { by, action: 'partnerRequestSent', detail, reason: `waiting on partner ${partyId}` });
  } else {
    log(d, { by, action: 'partnerRequestSent', detail });
  }
}

/** `subject` tells apart escalations of the same level and reason (two overdue tasks), so their idempotency keys differ. */
function escalationEffect(d: Draft, level: number, reason: Extract<Effect, { type: 'notifyEscalation' }>['reason'], detail: string, subject?: string): Effect {
  return withoutUndefined({ type: 'notifyEscalation' as const, reportId: d.r.reportId, level, reason, jeopardyState: d.r.jeopardy.state, deadline: d.r.jeopardy.deadline, detail, subject });
}

// ---------------------------------------------------------------- time

/**
 * Lets time pass up to `nowMs`: takes the jeopardy ladder steps that fell due, escalates overdue
 * tasks and late partners once each, and closes a cleared report whose acceptance window expired.
 * Returns the same report object when nothing changed.
 */
export function tick(report: Report, nowMs: number): Outcome {
  if (isFinal(report.status)) return { report, effects: [] };
  const d = draftOf(report, nowMs);
  if (d.r.status === 'cleared') {
    const windowEnd = acceptanceWindowEnd(d.r);
    if (windowEnd !== undefined && nowMs >= windowEnd) {
      d.r.closure = { by: SYSTEM_ACTOR, at: d.at, how: 'acceptanceWindowExpired' };
      changeStatus(d, 'closed', { by: SYSTEM_ACTOR, action: 'closed', reason: `acceptance window of ${formatDuration(d.r.jeopardy.policy.acceptanceWindow)} expired without rejection` });
    }
  } else {
    // Escalations carry the jeopardy state and deadline as of now.
    d.r.jeopardy = jeopardyAt(d.r, nowMs);
    takeLadderSteps(d);
    escalateOverdueTasks(d);
    escalateLatePartners(d);
  }
  d.r.jeopardy = jeopardyAt(d.r, nowMs);
  if (d.effects.length === 0 && d.r.history.length === report.history.length && sameJeopardy(d.r.jeopardy, report.jeopardy)) return { report, effects: [] };
  return { report: d.r, effects: d.effects };
}

function takeLadderSteps(d: Draft): void {
  const { evaluation } = evaluate(d.r, d.now);
  const deadline = iso(evaluation.deadline);
  for (const step of evaluation.due) {
    const detail = `${step.state} at ${Math.round((step.activeMs / d.r.jeopardy.policy.resolutionTarget) * 100)}% of the ${formatDuration(d.r.jeopardy.policy.resolutionTarget)} resolution target; deadline ${deadline}`;
    d.r.jeopardy = { ...d.r.jeopardy, ladderStepsTaken: d.r.jeopardy.ladderStepsTaken + 1 };
    if (step.action === 'notifyAssignee') {
      const assignees = [...new Set(d.r.tasks.filter(isOpenTask).map((task) => task.assignee))];
      d.effects.push({ type: 'notifyAssignee', reportId: d.r.reportId, assignees, jeopardyState: step.state, deadline, detail });
      log(d, { by: SYSTEM_ACTOR, action: 'assigneesNotified', detail: `${assignees.length > 0 ? assignees.join(', ') : 'no assignee yet'}: ${detail}` });
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
    d.effects.push(escalationEffect(d, d.r.jeopardy.escalationLevel, 'taskOverdue', detail, task.taskId));
    log(d, { by: SYSTEM_ACTOR, action: 'taskOverdue', detail });
  }
}

function escalateLatePartners(d: Draft): void {
  for (const request of d.r.partnerRequests) {
    if (!partnerRequestIsWaiting(request) || request.lateEscalated || msOf(request.due) > d.now) continue;
    replacePartnerRequest(d, { ...request, lateEscalated: true });
    const detail = `partner ${request.partyId} has not answered request ${request.key} (resource ${request.resourceId}) due ${request.due}`;
    d.effects.push(escalationEffect(d, d.r.jeopardy.escalationLevel, 'partnerLate', detail, request.key));
    log(d, { by: SYSTEM_ACTOR, action: 'partnerLate', detail });
  }
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
  const pausedBefore = pausedMsAt(pauses, ongoing ? ongoing.from : Number.MAX_SAFE_INTEGER);
  const step = nextLadderStepAt(policy, msOf(report.openedAt), pausedBefore, report.jeopardy.ladderStepsTaken);
  // While the clock stands still only a step that fell due before the pause (and is not taken yet) matters.
  if (step !== undefined && (!ongoing || step <= ongoing.from)) candidates.push(step);
  for (const task of report.tasks) if (isOpenTask(task) && !task.overdueEscalated && task.due !== undefined) candidates.push(msOf(task.due));
  for (const request of report.partnerRequests) if (partnerRequestIsWaiting(request) && !request.lateEscalated) candidates.push(msOf(request.due));
  return candidates.length > 0 ? Math.min(...candidates) : undefined;
}
