/**
 * The vocabulary of a service performance degradation report (SPDR): start input, message
 * payloads, the report itself and the effects the core asks the shell to run. Every type is
 * inferred from its schema so validation and type never drift.
 *
 * Every object schema is strict: an unknown field is rejected, naming the field, at start as in
 * signals. Operators type these payloads by hand in Temporal Web, and a silently ignored typo
 * ("resouceId") would be worse than a clear rejection.
 */
import { z } from 'zod';
import { parseDuration, DURATION_FORMATS, MAX_DURATION_MS } from './duration';
import { JeopardyPolicy, JeopardyPolicyOverride, Severity } from './policy';

export { Severity };

const ID_PATTERN = /^[A-Za-z0-9._:-]+$/;
/** Identifiers that end up in keys and workflow ids: 1-64 letters, digits, `.`, `_`, `:` or `-`. */
export const Identifier = z.string().min(1).max(64).regex(ID_PATTERN, 'use only letters, digits and . _ : -');
/** Who did something: a person, a system or a party. */
export const Actor = z.string().trim().min(1).max(200);
export const IsoDateTime = z.iso.datetime({ offset: true });
const Text = (max: number) => z.string().trim().min(1).max(max);

export const ReportStatus = z.enum(['acknowledged', 'inProgress', 'pending', 'held', 'cleared', 'closed', 'cancelled']);
export type ReportStatus = z.infer<typeof ReportStatus>;

export const TaskKind = z.enum(['analysis', 'restoration', 'repair', 'improvement', 'verification']);
export type TaskKind = z.infer<typeof TaskKind>;

/** TMF621 Trouble Ticket statuses, as the resource trouble system reports them. */
export const TroubleTicketStatus = z.enum(['acknowledged', 'inProgress', 'pending', 'held', 'resolved', 'closed', 'cancelled', 'rejected']);
export type TroubleTicketStatus = z.infer<typeof TroubleTicketStatus>;

export const PartnerAnswerStatus = z.enum(['acknowledged', 'inProgress', 'resolved', 'rejected', 'cancelled']);
export type PartnerAnswerStatus = z.infer<typeof PartnerAnswerStatus>;

export const CancelReason = z.enum(['falseServiceFailureEvent', 'duplicate', 'customerRequest', 'other']);
export type CancelReason = z.infer<typeof CancelReason>;

// ---------------------------------------------------------------- start input

export const DegradedKpi = z.strictObject({
  name: Text(200),
  threshold: z.number().optional(),
  observed: z.number().optional(),
  unit: z.string().max(50).optional(),
});
export type DegradedKpi = z.infer<typeof DegradedKpi>;

export const Service = z.strictObject({ id: Identifier, name: z.string().max(200).optional() });
export type Service = z.infer<typeof Service>;

export const Originator = z.strictObject({
  id: z.string().max(200).optional(),
  name: z.string().max(200).optional(),
  system: z.string().max(200).optional(),
});
export type Originator = z.infer<typeof Originator>;

export const StartInput = z.strictObject({
  reportId: Identifier,
  service: Service,
  severity: Severity,
  description: Text(4000),
  /** When the degradation was detected; a caller that does not know (Temporal Web's Start Workflow dialog) leaves it out: the opening time. */
  detectedAt: IsoDateTime.optional(),
  degradedKpis: z.array(DegradedKpi).max(100).default([]),
  /** The report's own policy (customer SLA), merged over the configured default for its severity. */
  jeopardyPolicy: JeopardyPolicyOverride.optional(),
  originator: Originator.optional(),
  /** Resources owned by a supplier/partner: resourceId -> partyId. A cause there becomes a partner request. */
  partnerOwnedResources: z.record(Identifier, Identifier).optional(),
  openedBy: Actor.optional(),
});
/** Start input as sent by a client (durations as text, defaults not applied). */
export type StartInputJson = z.input<typeof StartInput>;
/** Start input after validation. */
export type StartInput = z.output<typeof StartInput>;

// ---------------------------------------------------------------- signal payloads

export const RootCause = z
  .strictObject({
    domain: z.enum(['service', 'resource', 'partner']),
    resourceId: Identifier.optional(),
    partyId: Identifier.optional(),
    description: z.string().max(2000).optional(),
  })
  .superRefine((cause, ctx) => {
    if ((cause.domain === 'resource' || cause.domain === 'partner') && cause.resourceId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['resourceId'], message: `required when domain is "${cause.domain}"` });
    }
    if (cause.domain === 'partner' && cause.partyId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['partyId'], message: 'required when domain is "partner"' });
    }
  });
export type RootCause = z.infer<typeof RootCause>;

export const AddAnalysis = z.strictObject({
  author: Actor,
  summary: Text(4000),
  rootCause: RootCause.optional(),
  /** When the analysis was made, if earlier than its arrival. */
  at: IsoDateTime.optional(),
});

const isIsoDateTime = (value: string): boolean => IsoDateTime.safeParse(value).success;

/** A due time: an ISO date-time, or a duration from now ("2h", "PT30M", or milliseconds). */
export const DueTime = z.union([z.string(), z.number()]).superRefine((value, ctx) => {
  const withinRange = (ms: number | undefined) => ms !== undefined && Number.isFinite(ms) && ms > 0 && ms <= MAX_DURATION_MS;
  const ok = typeof value === 'number' ? withinRange(value) : (isIsoDateTime(value) && Math.abs(Date.parse(value)) < 8.64e15) || withinRange(parseDuration(value));
  if (!ok) ctx.addIssue({ code: 'custom', message: `expected an ISO date-time or a duration from now of at most 366 days (${DURATION_FORMATS})` });
});

/** Wall-clock ms of a due time given relative to `nowMs` or absolutely. */
export function resolveDueTime(due: string | number, nowMs: number): number {
  if (typeof due === 'number') return nowMs + Math.round(due);
  if (isIsoDateTime(due)) return Date.parse(due);
  return nowMs + (parseDuration(due) ?? 0);
}

export const Assign = z.strictObject({
  by: Actor,
  taskId: Identifier,
  kind: TaskKind,
  assignee: Actor,
  title: z.string().max(200).optional(),
  due: DueTime.optional(),
  dependsOn: z.array(Identifier).max(50).optional(),
});

export const UpdateTask = z.strictObject({
  by: Actor,
  taskId: Identifier,
  status: z.enum(['inProgress', 'done', 'cancelled']),
  note: z.string().max(2000).optional(),
});

export const SetStatus = z.strictObject({
  by: Actor,
  status: z.enum(['inProgress', 'pending', 'held']),
  reason: Text(2000),
});

export const Cancel = z.strictObject({ by: Actor, reason: CancelReason, note: z.string().max(2000).optional() });

export const Clear = z.strictObject({ by: Actor, resolution: Text(4000) });

export const ConfirmClosure = z.strictObject({ by: Actor, note: z.string().max(2000).optional() });

export const RejectClearance = z.strictObject({ by: Actor, reason: Text(2000) });

export const ResourceTroubleUpdate = z
  .strictObject({
    /** Our key for the trouble report (sent as external id when it was created). */
    externalId: z.string().min(1).max(200).optional(),
    ticketId: z.string().min(1).max(200).optional(),
    status: TroubleTicketStatus,
    statusChangeReason: z.string().max(2000).optional(),
    resolution: z.string().max(4000).optional(),
    by: Actor.optional(),
  })
  .refine((update) => update.externalId !== undefined || update.ticketId !== undefined, {
    message: 'one of externalId or ticketId is required',
    path: ['externalId'],
  });

export const PartnerUpdate = z
  .strictObject({
    /** Our key for the partner request (sent as external id when it was created). */
    externalId: z.string().min(1).max(200).optional(),
    requestId: z.string().min(1).max(200).optional(),
    partyId: Identifier.optional(),
    status: PartnerAnswerStatus,
    note: z.string().max(2000).optional(),
    by: Actor.optional(),
  })
  .refine((update) => update.externalId !== undefined || update.requestId !== undefined, {
    message: 'one of externalId or requestId is required',
    path: ['externalId'],
  });

/** Every message an integration or an operator can send, by its name in the operator contract. */
export const MessagePayloadSchemas = {
  addAnalysis: AddAnalysis,
  assign: Assign,
  updateTask: UpdateTask,
  setStatus: SetStatus,
  cancel: Cancel,
  clear: Clear,
  confirmClosure: ConfirmClosure,
  rejectClearance: RejectClearance,
  resourceTroubleUpdate: ResourceTroubleUpdate,
  partnerUpdate: PartnerUpdate,
} as const;
export type MessageName = keyof typeof MessagePayloadSchemas;
export const MESSAGE_NAMES = Object.keys(MessagePayloadSchemas) as MessageName[];
/** The validated payload of a message. */
export type MessagePayload<N extends MessageName> = z.output<(typeof MessagePayloadSchemas)[N]>;
/** A payload as a client sends it. */
export type MessagePayloadJson<N extends MessageName> = z.input<(typeof MessagePayloadSchemas)[N]>;

export function isMessageName(name: string): name is MessageName {
  return Object.prototype.hasOwnProperty.call(MessagePayloadSchemas, name);
}

// ---------------------------------------------------------------- internal commands (from the workflow shell)

export const OutsideSystem = z.enum(['resourceTroubleManagement', 'partnerPerformanceManagement', 'escalationNotification', 'closeProcess']);
export type OutsideSystem = z.infer<typeof OutsideSystem>;

export const InternalPayloadSchemas = {
  /** The create-trouble-report activity succeeded. */
  troubleReportCreated: z.strictObject({ key: z.string().min(1), ticketId: z.string().min(1) }),
  /** The create-partner-request activity succeeded. */
  partnerRequestCreated: z.strictObject({ key: z.string().min(1), requestId: z.string().min(1) }),
  /** An activity gave up (retries exhausted or a non-retryable answer). */
  outsideSystemFailed: z.strictObject({
    system: OutsideSystem,
    operation: z.string().min(1).max(200),
    message: z.string().max(2000),
    key: z.string().max(200).optional(),
  }),
} as const;
export type InternalCommandName = keyof typeof InternalPayloadSchemas;

/** What `applyCommand` accepts: a message with an unvalidated payload, or an internal command from the shell. */
export type Command =
  | { name: MessageName; payload: unknown }
  | { name: 'troubleReportCreated'; payload: z.input<(typeof InternalPayloadSchemas)['troubleReportCreated']> }
  | { name: 'partnerRequestCreated'; payload: z.input<(typeof InternalPayloadSchemas)['partnerRequestCreated']> }
  | { name: 'outsideSystemFailed'; payload: z.input<(typeof InternalPayloadSchemas)['outsideSystemFailed']> };

// ---------------------------------------------------------------- the report

export const JeopardyState = z.enum(['onTrack', 'inJeopardy', 'breached']);
export type JeopardyState = z.infer<typeof JeopardyState>;

export const AnalysisEntry = z.strictObject({ author: z.string(), at: IsoDateTime, summary: z.string(), rootCause: RootCause.optional() });
export type AnalysisEntry = z.infer<typeof AnalysisEntry>;

export const TaskStatus = z.enum(['planned', 'dispatched', 'inProgress', 'done', 'cancelled']);
export type TaskStatus = z.infer<typeof TaskStatus>;

export const Task = z.strictObject({
  taskId: z.string(),
  kind: TaskKind,
  title: z.string().optional(),
  assignee: z.string(),
  due: IsoDateTime.optional(),
  dependsOn: z.array(z.string()),
  status: TaskStatus,
  dispatchedAt: IsoDateTime.optional(),
  completedAt: IsoDateTime.optional(),
  overdueEscalated: z.boolean(),
  /** Set when the task is delegated to resource trouble management through this trouble report. */
  troubleReportKey: z.string().optional(),
});
export type Task = z.infer<typeof Task>;

export const TroubleReport = z.strictObject({
  /** Idempotency key, sent as the TMF621 external id: `spdr-<reportId>-rtr-<resourceId>`. */
  key: z.string(),
  resourceId: z.string(),
  ticketId: z.string().optional(),
  status: z.union([z.literal('requested'), TroubleTicketStatus]),
  requestedAt: IsoDateTime,
  createdAt: IsoDateTime.optional(),
  lastUpdateAt: IsoDateTime.optional(),
  statusChangeReason: z.string().optional(),
  resolution: z.string().optional(),
  taskId: z.string(),
});
export type TroubleReport = z.infer<typeof TroubleReport>;

export const PartnerRequest = z.strictObject({
  /** Idempotency key, sent as external id: `spdr-<reportId>-pr-<partyId>-<resourceId>`. */
  key: z.string(),
  partyId: z.string(),
  resourceId: z.string(),
  requestId: z.string().optional(),
  status: z.enum(['requested', 'acknowledged', 'inProgress', 'resolved', 'rejected', 'cancelled']),
  requestedAt: IsoDateTime,
  createdAt: IsoDateTime.optional(),
  due: IsoDateTime,
  lateEscalated: z.boolean(),
  lastUpdateAt: IsoDateTime.optional(),
  note: z.string().optional(),
});
export type PartnerRequest = z.infer<typeof PartnerRequest>;

export const Jeopardy = z.strictObject({
  state: JeopardyState,
  /** The highest escalation level sent so far (0: none). */
  escalationLevel: z.number().int().min(0),
  /** openedAt + resolution target + paused time, as of the last evaluation. */
  deadline: IsoDateTime,
  policy: JeopardyPolicy,
  pausedMs: z.number().int().min(0),
  /** Set while the clock stands still (pending, cleared, or held when the policy says so). */
  pausedSince: IsoDateTime.optional(),
  /** How many steps of the escalation ladder (notifications and escalations) have been taken. */
  ladderStepsTaken: z.number().int().min(0),
});
export type Jeopardy = z.infer<typeof Jeopardy>;

export const HistoryAction = z.enum([
  'opened',
  'analysisAdded',
  'taskAssigned',
  'taskReassigned',
  'taskDispatched',
  'taskUpdated',
  'taskOverdue',
  'statusChanged',
  'troubleReportRequested',
  'troubleReportCreated',
  'troubleReportUpdated',
  'partnerRequestSent',
  'partnerRequestCreated',
  'partnerUpdated',
  'partnerLate',
  'assigneesNotified',
  'escalated',
  'cleared',
  'clearanceRejected',
  'closed',
  'cancelled',
  'outsideSystemFailed',
]);
export type HistoryAction = z.infer<typeof HistoryAction>;

export const HistoryEntry = z.strictObject({
  at: IsoDateTime,
  by: z.string(),
  action: HistoryAction,
  detail: z.string().optional(),
  /** Present, with `toStatus`, on every entry that changed the report status. */
  fromStatus: ReportStatus.optional(),
  toStatus: ReportStatus.optional(),
  reason: z.string().optional(),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

export const RejectedInput = z.strictObject({
  at: IsoDateTime,
  /** The message name. */
  message: z.string(),
  reason: z.string(),
  /** The payload as JSON, cut to at most 500 characters. */
  payloadPreview: z.string().max(500),
});
export type RejectedInput = z.infer<typeof RejectedInput>;

export const OutsideFailure = z.strictObject({
  at: IsoDateTime,
  system: OutsideSystem,
  operation: z.string(),
  message: z.string(),
  key: z.string().optional(),
});
export type OutsideFailure = z.infer<typeof OutsideFailure>;

export const Report = z.strictObject({
  reportId: z.string(),
  status: ReportStatus,
  severity: Severity,
  service: Service,
  description: z.string(),
  detectedAt: IsoDateTime,
  openedAt: IsoDateTime,
  openedBy: z.string(),
  originator: Originator.optional(),
  degradedKpis: z.array(DegradedKpi),
  partnerOwnedResources: z.record(z.string(), z.string()),
  analysis: z.array(AnalysisEntry),
  tasks: z.array(Task),
  troubleReports: z.array(TroubleReport),
  partnerRequests: z.array(PartnerRequest),
  jeopardy: Jeopardy,
  history: z.array(HistoryEntry),
  rejectedInputs: z.array(RejectedInput),
  clearance: z.strictObject({ by: z.string(), at: IsoDateTime, resolution: z.string() }).optional(),
  cancellation: z.strictObject({ by: z.string(), at: IsoDateTime, reason: CancelReason, note: z.string().optional() }).optional(),
  closure: z.strictObject({ by: z.string(), at: IsoDateTime, how: z.enum(['confirmed', 'acceptanceWindowExpired']), note: z.string().optional() }).optional(),
  outsideFailures: z.array(OutsideFailure),
});
export type Report = z.infer<typeof Report>;

// ---------------------------------------------------------------- effects (the shell turns them into activity calls)

export const EscalationReason = z.enum(['jeopardy', 'breach', 'reEscalation', 'taskOverdue', 'partnerLate', 'outsideSystemFailing']);
export type EscalationReason = z.infer<typeof EscalationReason>;

export const Effect = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('dispatchTask'), reportId: z.string(), taskId: z.string(), assignee: z.string(), kind: TaskKind, title: z.string().optional(), due: IsoDateTime.optional() }),
  z.strictObject({
    type: z.literal('createTroubleReport'),
    key: z.string(),
    reportId: z.string(),
    resourceId: z.string(),
    severity: Severity,
    description: z.string(),
    taskId: z.string(),
  }),
  z.strictObject({ type: z.literal('cancelTroubleReport'), reportId: z.string(), key: z.string(), ticketId: z.string().optional(), reason: z.string() }),
  z.strictObject({
    type: z.literal('createPartnerRequest'),
    key: z.string(),
    reportId: z.string(),
    partyId: z.string(),
    resourceId: z.string(),
    description: z.string(),
    due: IsoDateTime,
  }),
  z.strictObject({ type: z.literal('cancelPartnerRequest'), reportId: z.string(), key: z.string(), partyId: z.string(), requestId: z.string().optional(), reason: z.string() }),
  z.strictObject({
    type: z.literal('notifyEscalation'),
    reportId: z.string(),
    level: z.number().int().min(0),
    reason: EscalationReason,
    jeopardyState: JeopardyState,
    deadline: IsoDateTime,
    detail: z.string(),
    /** What the escalation is about when level and reason do not tell (the overdue task, the late request). */
    subject: z.string().optional(),
  }),
  z.strictObject({
    type: z.literal('notifyAssignee'),
    reportId: z.string(),
    /** Assignees of the open tasks; empty when nobody is assigned yet. */
    assignees: z.array(z.string()),
    jeopardyState: JeopardyState,
    deadline: IsoDateTime,
    detail: z.string(),
  }),
  z.strictObject({ type: z.literal('informClose'), reportId: z.string(), resolution: z.string(), clearedAt: IsoDateTime }),
]);
export type Effect = z.infer<typeof Effect>;
export type EffectOf<T extends Effect['type']> = Extract<Effect, { type: T }>;
