/**
 * What comes in: the start input, the payload of every message an integration or an operator
 * sends, and the facts the workflow shell reports back (activity outcomes).
 */
import { z } from 'zod';
import { sharedSchema } from './shared-schema';
import { DURATION_FORMATS, MAX_DURATION_MS, parseDuration } from './duration';
import { JeopardyPolicyOverride, Severity } from './policy';
import {
  Actor,
  CancelReason,
  Identifier,
  IsoDateTime,
  PartnerAnswerStatus,
  TaskKind,
  RequiredText,
  TroubleTicketStatus,
} from './vocabulary';

// ---------------------------------------------------------------- start input

export const DegradedKpi = sharedSchema('payloads.DegradedKpi', () =>
  z.strictObject({
    name: RequiredText(200),
    threshold: z.number().optional(),
    observed: z.number().optional(),
    unit: z.string().max(50).optional(),
  }),
);
export type DegradedKpi = z.infer<typeof DegradedKpi>;

export const Service = sharedSchema('payloads.Service', () => z.strictObject({ id: Identifier, name: z.string().max(200).optional() }));
export type Service = z.infer<typeof Service>;

export const Originator = sharedSchema('payloads.Originator', () =>
  z.strictObject({
    id: z.string().max(200).optional(),
    name: z.string().max(200).optional(),
    system: z.string().max(200).optional(),
  }),
);
export type Originator = z.infer<typeof Originator>;

export const StartInput = sharedSchema('payloads.StartInput', () =>
  z.strictObject({
    reportId: Identifier,
    service: Service,
    severity: Severity,
    description: RequiredText(4000),
    /** When the degradation was detected; a caller that does not know (Temporal Web's Start Workflow dialog) leaves it out: the opening time. */
    detectedAt: IsoDateTime.optional(),
    degradedKpis: z.array(DegradedKpi).max(100).default([]),
    /** The report's own policy (customer SLA), merged over the configured default for its severity. */
    jeopardyPolicy: JeopardyPolicyOverride.optional(),
    originator: Originator.optional(),
    /** Resources owned by a supplier/partner: resourceId -> partyId. A cause there becomes a partner request. */
    partnerOwnedResources: z.record(Identifier, Identifier).optional(),
    openedBy: Actor.optional(),
    /** Reports that share this key while open are grouped: the first open one is the parent (see ./grouping.ts). */
    correlationKey: Identifier.optional(),
  }),
);
/** Start input as sent by a client (durations as text, defaults not applied). */
export type StartInputJson = z.input<typeof StartInput>;
/** Start input after validation. */
export type StartInput = z.output<typeof StartInput>;

// ---------------------------------------------------------------- signal payloads

export const RootCause = sharedSchema('payloads.RootCause', () =>
  z
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
    }),
);
export type RootCause = z.infer<typeof RootCause>;

export const AddAnalysis = sharedSchema('payloads.AddAnalysis', () =>
  z.strictObject({
    author: Actor,
    summary: RequiredText(4000),
    rootCause: RootCause.optional(),
    /** When the analysis was made, if earlier than its arrival. */
    at: IsoDateTime.optional(),
  }),
);

const isIsoDateTime = (value: string): boolean => IsoDateTime.safeParse(value).success;

/** A due time: an ISO date-time, or a duration from now ("2h", "PT30M", or milliseconds). */
export const DueTime = sharedSchema('payloads.DueTime', () =>
  z.union([z.string(), z.number()]).superRefine((value, ctx) => {
    const withinRange = (ms: number | undefined) => ms !== undefined && Number.isFinite(ms) && ms > 0 && ms <= MAX_DURATION_MS;
    const ok =
      typeof value === 'number'
        ? withinRange(value)
        : (isIsoDateTime(value) && Math.abs(Date.parse(value)) < 8.64e15) || withinRange(parseDuration(value));
    if (!ok)
      ctx.addIssue({
        code: 'custom',
        message: `expected an ISO date-time or a duration from now of at most 366 days (${DURATION_FORMATS})`,
      });
  }),
);

/** Wall-clock ms of a due time given relative to `nowMs` or absolutely. */
export function resolveDueTime(due: string | number, nowMs: number): number {
  if (typeof due === 'number') return nowMs + Math.round(due);
  if (isIsoDateTime(due)) return Date.parse(due);
  return nowMs + (parseDuration(due) ?? 0);
}

export const Assign = sharedSchema('payloads.Assign', () =>
  z.strictObject({
    by: Actor,
    taskId: Identifier,
    kind: TaskKind,
    assignee: Actor,
    title: z.string().max(200).optional(),
    due: DueTime.optional(),
    dependsOn: z.array(Identifier).max(50).optional(),
  }),
);

export const UpdateTask = sharedSchema('payloads.UpdateTask', () =>
  z.strictObject({
    by: Actor,
    taskId: Identifier,
    status: z.enum(['inProgress', 'done', 'cancelled']),
    note: z.string().max(2000).optional(),
  }),
);

export const SetStatus = sharedSchema('payloads.SetStatus', () =>
  z.strictObject({
    by: Actor,
    status: z.enum(['inProgress', 'pending', 'held']),
    reason: RequiredText(2000),
  }),
);

/** Re-prioritising: the new severity's policy applies from the clock's start. */
export const SetSeverity = sharedSchema('payloads.SetSeverity', () =>
  z.strictObject({ by: Actor, severity: Severity, reason: RequiredText(2000) }),
);

export const Cancel = sharedSchema('payloads.Cancel', () =>
  z.strictObject({ by: Actor, reason: CancelReason, note: z.string().max(2000).optional() }),
);

export const Clear = sharedSchema('payloads.Clear', () => z.strictObject({ by: Actor, resolution: RequiredText(4000) }));

export const ConfirmClosure = sharedSchema('payloads.ConfirmClosure', () =>
  z.strictObject({ by: Actor, note: z.string().max(2000).optional() }),
);

export const RejectClearance = sharedSchema('payloads.RejectClearance', () => z.strictObject({ by: Actor, reason: RequiredText(2000) }));

export const ResourceTroubleUpdate = sharedSchema('payloads.ResourceTroubleUpdate', () =>
  z
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
    }),
);

/** The children of a group (sent to the parent): report ids, each once, at most 1,000 in one message. */
const GroupChildren = sharedSchema('payloads.GroupChildren', () =>
  z
    .array(Identifier)
    .min(1)
    .max(1000)
    .refine((ids) => new Set(ids).size === ids.length, { message: 'each child at most once' }),
);

/** `group` (TMF656 problemGroup), sent to the parent: the children join it. */
export const Group = sharedSchema('payloads.Group', () =>
  z.strictObject({ by: Actor, children: GroupChildren, reason: RequiredText(2000) }),
);

/** `ungroup` (TMF656 problemUngroup), sent to the parent: the children leave it; their clocks resume. */
export const Ungroup = sharedSchema('payloads.Ungroup', () =>
  z.strictObject({ by: Actor, children: GroupChildren, reason: RequiredText(2000) }),
);

export const PartnerUpdate = sharedSchema('payloads.PartnerUpdate', () =>
  z
    .strictObject({
      /** Our key for the partner request (sent as external id when it was created). */
      externalId: z.string().min(1).max(200).optional(),
      requestId: z.string().min(1).max(200).optional(),
      partyId: Identifier.optional(),
      status: PartnerAnswerStatus,
      /** When the partner promises resolution; later than the report's resolution deadline puts the report in jeopardy at once. */
      expectedResolutionDate: IsoDateTime.optional(),
      note: z.string().max(2000).optional(),
      by: Actor.optional(),
    })
    .refine((update) => update.externalId !== undefined || update.requestId !== undefined, {
      message: 'one of externalId or requestId is required',
      path: ['externalId'],
    }),
);

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
  setSeverity: SetSeverity,
  group: Group,
  ungroup: Ungroup,
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

export const OutsideSystem = sharedSchema('payloads.OutsideSystem', () =>
  z.enum(['resourceTroubleManagement', 'partnerPerformanceManagement', 'escalationNotification', 'closeProcess']),
);
export type OutsideSystem = z.infer<typeof OutsideSystem>;

/**
 * Parent to child: `join`, `release`, `clear`, `close`, `reopen`. Child to parent: `joined`, `refused`, `left`.
 * Each side accepts a link only from the report it is linked to (see ./grouping.ts).
 */
export const GroupLinkOp = sharedSchema('payloads.GroupLinkOp', () =>
  z.enum(['join', 'release', 'clear', 'close', 'reopen', 'joined', 'refused', 'left']),
);
export type GroupLinkOp = z.infer<typeof GroupLinkOp>;

export const GroupLinkPayload = sharedSchema('payloads.GroupLinkPayload', () =>
  z.strictObject({
    from: Identifier,
    op: GroupLinkOp,
    by: Actor.optional(),
    reason: z.string().max(2000).optional(),
    resolution: z.string().max(4000).optional(),
  }),
);
export type GroupLinkPayload = z.infer<typeof GroupLinkPayload>;

export const InternalPayloadSchemas = sharedSchema(
  'payloads.InternalPayloadSchemas',
  () =>
    ({
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
      /** What the maintenance windows answered: the one holding the report now, none when absent (domain/maintenance-hold.ts). */
      maintenanceObserved: z.strictObject({ windowId: Identifier.optional() }),
      /** Workflow to workflow between a group's parent and a child (see ./grouping.ts); `from` is the sender's report id. */
      groupLink: GroupLinkPayload,
    }) as const,
);
export type InternalCommandName = keyof typeof InternalPayloadSchemas;
/** The validated payload of an internal command. */
export type InternalPayload<N extends InternalCommandName> = z.output<(typeof InternalPayloadSchemas)[N]>;

/** What `applyCommand` accepts: a message with an unvalidated payload, or an internal command from the shell. */
export type Command =
  | { name: MessageName; payload: unknown }
  | { name: 'troubleReportCreated'; payload: z.input<(typeof InternalPayloadSchemas)['troubleReportCreated']> }
  | { name: 'partnerRequestCreated'; payload: z.input<(typeof InternalPayloadSchemas)['partnerRequestCreated']> }
  | { name: 'outsideSystemFailed'; payload: z.input<(typeof InternalPayloadSchemas)['outsideSystemFailed']> }
  | { name: 'maintenanceObserved'; payload: z.input<(typeof InternalPayloadSchemas)['maintenanceObserved']> }
  | { name: 'groupLink'; payload: z.input<(typeof InternalPayloadSchemas)['groupLink']> };
