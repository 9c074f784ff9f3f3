/**
 * The report core: open a report, apply a command (message or shell fact) to it, let time pass
 * (`tick`, in ./time), and tell when time next matters (`nextWakeUp`). Every function is pure: it
 * takes the report and "now" and returns a new report plus the effects for the shell to run; the
 * input report is never mutated and a rejected command changes nothing.
 *
 * Each message has its own function in the module of its concern (./analysis, ./tasks,
 * ./outside-work, ./clearance); `applyCommand` routes to them with a switch the compiler proves
 * exhaustive.
 */
import { addAnalysis } from './analysis';
import { recordCalendar, type PinnedCalendar } from './business-time';
import { rememberRecipients } from './resolution-notice';
import { hasExtraClocks } from './clocks';
import { cancel, clear, confirmClosure, rejectClearance, setStatus } from './clearance';
import { draftOf, iso, NO_CHANGE, withoutUndefined, type Draft, type HandlerResult, type Outcome } from './draft';
import { formatDuration } from './duration';
import { outsideSystemFailed, partnerRequestCreated, partnerUpdate, resourceTroubleUpdate, troubleReportCreated } from './outside-work';
import { resolvePolicy, type PolicyDefaults } from './policy';
import {
  InternalPayloadSchemas,
  type Command,
  type Effect,
  type InternalCommandName,
  type InternalPayload,
  type MessageName,
  type MessagePayload,
  type Report,
  type StartInput,
} from './schemas';
import { isFinal } from './status';
import { setSeverity, type CommandContext } from './severity';
import { assign, updateTask } from './tasks';
import { correlationConsequences, groupConsequences, group, groupLink, ungroup } from './grouping';
import { maintenanceObserved } from './maintenance-hold';
import { jeopardyAt, tick as timeTick } from './time';
import { parseMessage, parseWith, payloadPreview } from './validation';

export { DELEGATED_TASK_PREFIX, RESOURCE_TROUBLE_ASSIGNEE, SYSTEM_ACTOR, type Outcome } from './draft';
export { nextWakeUp } from './time';

/** Lets time pass (see ./time); a group's parent that closes on its own closes its children too. */
export function tick(report: Report, nowMs: number): Outcome {
  return correlationConsequences(report, groupConsequences(report, timeTick(report, nowMs), nowMs));
}
export { formatIssues, MAX_PAYLOAD_CHARS, parseMessage, parseStartInput, payloadPreview } from './validation';
export { isFinal };
export type { CommandContext } from './severity';

export type CommandResult = ({ ok: true } & Outcome) | { ok: false; reason: string };

export interface OpenOptions {
  /** Configured jeopardy defaults per severity, merged under the report's own policy. */
  defaults?: PolicyDefaults;
  /** The configured business calendars (`SPDR_CALENDARS`), zone offsets pinned by the worker. */
  calendars?: Record<string, PinnedCalendar>;
  /** Remember who was notified, for one resolution notice each on clearance (the workflow sets it behind a patch marker). */
  resolutionNotices?: boolean;
  /** Give each partner request its own obligation clock (the workflow sets it behind a patch marker). */
  partnerObligations?: boolean;
  /** Open without the calendar a policy names when it is not configured (a provisional view only); otherwise that throws. */
  ignoreUnknownCalendar?: boolean;
}

/**
 * A new report in status `acknowledged`; the resolution clock starts now.
 * @throws Error when its policy names a business calendar the configuration does not define.
 */
export function openReport(input: StartInput, nowMs: number, opts: OpenOptions = {}): Outcome {
  const policy = resolvePolicy(input.severity, input.jeopardyPolicy, opts.defaults);
  const recorded = policy.calendar === undefined ? undefined : recordCalendar(policy.calendar, opts.calendars);
  if (recorded && !recorded.ok && !opts.ignoreUnknownCalendar) throw new Error(recorded.reason);
  const calendar = recorded?.ok ? recorded.calendar : undefined;
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
    jeopardy: {
      state: 'onTrack' as const,
      escalationLevel: 0,
      deadline: iso(nowMs + policy.resolutionTarget),
      policy,
      pausedMs: 0,
      ladderStepsTaken: 0,
      ...(calendar ? { calendar } : {}),
      ...(opts.partnerObligations ? { partnerObligations: true as const } : {}),
    },
    history: [
      {
        at,
        by: openedBy,
        action: 'opened' as const,
        toStatus: 'acknowledged' as const,
        detail: `${input.severity} degradation of service ${input.service.id}; resolution target ${formatDuration(policy.resolutionTarget)}${calendar ? ` in the open hours of calendar "${calendar.name}" (${calendar.timezone})` : ''}`,
      },
    ],
    rejectedInputs: [],
    outsideFailures: [],
    resolutionNotices: opts.resolutionNotices ? { assignees: [], levels: [], clears: 0 } : undefined,
    correlationKey: input.correlationKey,
  });
  // Second-edition clocks (and a retroactive start) show from the first moment; older policies keep their exact opening state.
  if (hasExtraClocks(policy) || policy.clockStartsAt !== undefined || calendar !== undefined) report.jeopardy = jeopardyAt(report, nowMs);
  // A correlation key: the key's coordinator makes this report the parent or groups it under the open one.
  const effects: Effect[] = input.correlationKey
    ? [{ type: 'correlate', reportId: input.reportId, key: input.correlationKey, op: 'open' }]
    : [];
  return { report, effects };
}

/**
 * Applies a message or a shell fact. Validates the payload (the reason names the field),
 * checks the state rules, and returns the new report with the effects to run, or a rejection.
 * Messages to a closed or cancelled report are rejected; shell facts (activity outcomes) are
 * still recorded there, because the outside world did act.
 */
export function applyCommand(report: Report, command: Command, nowMs: number, context: CommandContext = {}): CommandResult {
  const name = command.name;
  const { payload } = command;
  switch (name) {
    case 'addAnalysis':
      return message(report, name, payload, nowMs, addAnalysis);
    case 'assign':
      return message(report, name, payload, nowMs, assign);
    case 'updateTask':
      return message(report, name, payload, nowMs, updateTask);
    case 'setStatus':
      return message(report, name, payload, nowMs, setStatus);
    case 'cancel':
      return message(report, name, payload, nowMs, cancel);
    case 'clear':
      return message(report, name, payload, nowMs, clear);
    case 'confirmClosure':
      return message(report, name, payload, nowMs, confirmClosure);
    case 'rejectClearance':
      return message(report, name, payload, nowMs, rejectClearance);
    case 'resourceTroubleUpdate':
      return message(report, name, payload, nowMs, resourceTroubleUpdate);
    case 'partnerUpdate':
      return message(report, name, payload, nowMs, partnerUpdate);
    case 'setSeverity':
      return message(report, name, payload, nowMs, (d, p) => setSeverity(d, p, context));
    case 'group':
      return message(report, name, payload, nowMs, group);
    case 'ungroup':
      return message(report, name, payload, nowMs, ungroup);
    case 'groupLink': {
      // A link from another report's workflow: recorded even on a final report (it answers a join with a refusal).
      const parsed = parseWith(InternalPayloadSchemas.groupLink, name, payload);
      if (!parsed.ok) return parsed;
      return run(report, nowMs, (d) => groupLink(d, parsed.value));
    }
    case 'troubleReportCreated':
      return shellFact(report, name, payload, nowMs, troubleReportCreated);
    case 'partnerRequestCreated':
      return shellFact(report, name, payload, nowMs, partnerRequestCreated);
    case 'outsideSystemFailed':
      return shellFact(report, name, payload, nowMs, outsideSystemFailed);
    case 'maintenanceObserved':
      return shellFact(report, name, payload, nowMs, maintenanceObserved);
    default: {
      // Compile time: every command name has its case. Run time: a name from outside may be anything.
      const _exhaustive: never = name;
      return { ok: false, reason: `unknown message "${String(_exhaustive)}"` };
    }
  }
}

function message<N extends MessageName>(
  report: Report,
  name: N,
  payload: unknown,
  nowMs: number,
  handler: (d: Draft, p: MessagePayload<N>) => HandlerResult,
): CommandResult {
  if (isFinal(report.status)) return { ok: false, reason: `report is ${report.status}` };
  const parsed = parseMessage(name, payload);
  if (!parsed.ok) return parsed;
  return withGroup(
    report,
    run(report, nowMs, (d) => handler(d, parsed.value)),
    nowMs,
  );
}

function withGroup(report: Report, result: CommandResult, nowMs: number): CommandResult {
  if (!result.ok) return result;
  return { ok: true, ...correlationConsequences(report, groupConsequences(report, result, nowMs)) };
}

function shellFact<N extends InternalCommandName>(
  report: Report,
  name: N,
  payload: unknown,
  nowMs: number,
  handler: (d: Draft, p: InternalPayload<N>) => HandlerResult,
): CommandResult {
  const parsed = parseWith(InternalPayloadSchemas[name], name, payload);
  if (!parsed.ok) return parsed;
  return withGroup(
    report,
    run(report, nowMs, (d) => handler(d, parsed.value as InternalPayload<N>)),
    nowMs,
  );
}

function run(report: Report, nowMs: number, handler: (d: Draft) => HandlerResult): CommandResult {
  const d = draftOf(report, nowMs);
  const result = handler(d);
  if (typeof result === 'string') return { ok: false, reason: result };
  if (result === NO_CHANGE) return { ok: true, report, effects: [] };
  d.r.jeopardy = jeopardyAt(d.r, nowMs);
  return { ok: true, report: rememberRecipients(d.r, d.effects), effects: d.effects };
}

/** Records a rejected message (and nothing else) so operators can see what was refused and why. */
export function recordRejection(report: Report, messageName: string, payload: unknown, reason: string, nowMs: number): Report {
  return {
    ...report,
    rejectedInputs: [...report.rejectedInputs, { at: iso(nowMs), message: messageName, reason, payloadPreview: payloadPreview(payload) }],
  };
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
