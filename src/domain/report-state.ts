/** The report itself, as the `report` query returns it and continue-as-new carries it. */
import { z } from 'zod';
import { sharedSchema } from './shared-schema';
import { RecordedCalendar } from './business-time';
import { JeopardyPolicy, Severity } from './policy';
import { DegradedKpi, Originator, OutsideSystem, RootCause, Service } from './payloads';
import { CancelReason, IsoDateTime, ReportStatus, TaskKind, TroubleTicketStatus } from './vocabulary';

export const JeopardyState = sharedSchema('report-state.JeopardyState', () => z.enum(['onTrack', 'inJeopardy', 'breached']));
export type JeopardyState = z.infer<typeof JeopardyState>;

export const AnalysisEntry = sharedSchema('report-state.AnalysisEntry', () =>
  z.strictObject({ author: z.string(), at: IsoDateTime, summary: z.string(), rootCause: RootCause.optional() }),
);
export type AnalysisEntry = z.infer<typeof AnalysisEntry>;

export const TaskStatus = sharedSchema('report-state.TaskStatus', () =>
  z.enum(['planned', 'dispatched', 'inProgress', 'done', 'cancelled']),
);
export type TaskStatus = z.infer<typeof TaskStatus>;

export const Task = sharedSchema('report-state.Task', () =>
  z.strictObject({
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
  }),
);
export type Task = z.infer<typeof Task>;

export const TroubleReport = sharedSchema('report-state.TroubleReport', () =>
  z.strictObject({
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
  }),
);
export type TroubleReport = z.infer<typeof TroubleReport>;

export const PartnerRequest = sharedSchema('report-state.PartnerRequest', () =>
  z.strictObject({
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
    /** The partner obligation clock (its own ladder toward the partner, requested -> due); see ./partner-clock. */
    clock: z.strictObject({ state: JeopardyState, stepsTaken: z.number().int().min(0) }).optional(),
    /** When the partner promises resolution (from `partnerUpdate`); later than the report's deadline puts it in jeopardy. */
    expectedResolutionDate: IsoDateTime.optional(),
  }),
);
export type PartnerRequest = z.infer<typeof PartnerRequest>;

/** One clock of a report as shown in `jeopardy.clocks`. */
export const ClockView = sharedSchema('report-state.ClockView', () =>
  z.strictObject({
    state: JeopardyState,
    deadline: IsoDateTime,
    /** When the clock was last met (response: first reaction; update: last analysis). */
    metAt: IsoDateTime.optional(),
  }),
);
export type ClockView = z.infer<typeof ClockView>;

export const Jeopardy = sharedSchema('report-state.Jeopardy', () =>
  z.strictObject({
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
    /** All clocks; present only when the policy sets a response target or an update cadence. */
    clocks: z.strictObject({ response: ClockView.optional(), update: ClockView.optional(), resolution: ClockView }).optional(),
    /** Ladder steps taken on the response clock and on the current update gap (which starts at `updateGapFrom`). */
    clockSteps: z
      .strictObject({ response: z.number().int().min(0), update: z.number().int().min(0), updateGapFrom: IsoDateTime })
      .optional(),
    /** The business calendar the clocks count in (the policy's `calendar`), zone offsets pinned; absent: 24x7. */
    calendar: RecordedCalendar.optional(),
    /** Set on reports opened with partner obligation clocks (each partner request gets its own ladder). */
    partnerObligations: z.literal(true).optional(),
  }),
);
export type Jeopardy = z.infer<typeof Jeopardy>;

export const HistoryAction = sharedSchema('report-state.HistoryAction', () =>
  z.enum([
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
    'severityChanged',
    'maintenanceHeld',
    'maintenanceReleased',
    /** Parent: children invited, joined, refused (see rejectedInputs) or left. */
    'grouped',
    'ungrouped',
    /** Child: joined a parent's group (clocks pause) / left it (clocks resume). */
    'joinedGroup',
    'leftGroup',
  ]),
);
export type HistoryAction = z.infer<typeof HistoryAction>;

export const HistoryEntry = sharedSchema('report-state.HistoryEntry', () =>
  z.strictObject({
    at: IsoDateTime,
    by: z.string(),
    action: HistoryAction,
    detail: z.string().optional(),
    /** Present, with `toStatus`, on every entry that changed the report status. */
    fromStatus: ReportStatus.optional(),
    toStatus: ReportStatus.optional(),
    reason: z.string().optional(),
  }),
);
export type HistoryEntry = z.infer<typeof HistoryEntry>;

export const RejectedInput = sharedSchema('report-state.RejectedInput', () =>
  z.strictObject({
    at: IsoDateTime,
    /** The message name. */
    message: z.string(),
    reason: z.string(),
    /** The payload as JSON, cut to at most 500 characters. */
    payloadPreview: z.string().max(500),
  }),
);
export type RejectedInput = z.infer<typeof RejectedInput>;

export const OutsideFailure = sharedSchema('report-state.OutsideFailure', () =>
  z.strictObject({
    at: IsoDateTime,
    system: OutsideSystem,
    operation: z.string(),
    message: z.string(),
    key: z.string().optional(),
  }),
);
export type OutsideFailure = z.infer<typeof OutsideFailure>;

export const Report = sharedSchema('report-state.Report', () =>
  z.strictObject({
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
    closure: z
      .strictObject({ by: z.string(), at: IsoDateTime, how: z.enum(['confirmed', 'acceptanceWindowExpired']), note: z.string().optional() })
      .optional(),
    outsideFailures: z.array(OutsideFailure),
    /** The maintenance window holding the report (second edition), present only while one does. */
    maintenanceWindowId: z.string().optional(),
    /** The status the report returns to when the window ends (see domain/maintenance-hold.ts). */
    statusBeforeMaintenance: ReportStatus.optional(),
    /** Who was notified or escalated to (assignees, escalation levels) and how often the report was cleared; see ./resolution-notice. */
    resolutionNotices: z
      .strictObject({ assignees: z.array(z.string()), levels: z.array(z.number().int().min(0)), clears: z.number().int().min(0) })
      .optional(),
    /** The key the report was opened with: open reports that share it are grouped. */
    correlationKey: z.string().optional(),
    /** Set while the report is a child of a group: the parent's report id. Its clocks stand still. */
    parentReportId: z.string().optional(),
    /** Set on a parent: the children that joined its group. */
    children: z.array(z.string()).optional(),
    /** Set on a parent: children asked to join that have not answered yet. */
    invitedChildren: z.array(z.string()).optional(),
    /** Entries dropped from the long lists, per list (the most recent are kept; see domain/bounds.ts). */
    trimmed: z
      .strictObject({ analysis: z.number(), history: z.number(), rejectedInputs: z.number(), outsideFailures: z.number() })
      .partial()
      .optional(),
  }),
);
export type Report = z.infer<typeof Report>;
