/** Effects: what the core asks the shell to do; the shell turns each into an activity call. */
import { z } from 'zod';
import { sharedSchema } from './shared-schema';
import { Severity } from './policy';
import { GroupLinkPayload } from './payloads';
import { JeopardyState } from './report-state';
import { IsoDateTime, TaskKind } from './vocabulary';

export const EscalationReason = sharedSchema('effects.EscalationReason', () =>
  z.enum([
    'jeopardy',
    'breach',
    'reEscalation',
    'taskOverdue',
    'partnerLate',
    'outsideSystemFailing',
    // Partner obligation clock (./partner-clock): a step before the due time, a promise after the report's deadline.
    'partnerInJeopardy',
    'partnerPromiseLate',
    // Resolution notice (./resolution-notice): the report was cleared.
    'resolved',
  ]),
);
export type EscalationReason = z.infer<typeof EscalationReason>;

export const Effect = sharedSchema('effects.Effect', () =>
  z.discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('dispatchTask'),
      reportId: z.string(),
      taskId: z.string(),
      assignee: z.string(),
      kind: TaskKind,
      title: z.string().optional(),
      due: IsoDateTime.optional(),
    }),
    z.strictObject({
      type: z.literal('createTroubleReport'),
      key: z.string(),
      reportId: z.string(),
      resourceId: z.string(),
      severity: Severity,
      description: z.string(),
      taskId: z.string(),
    }),
    z.strictObject({
      type: z.literal('cancelTroubleReport'),
      reportId: z.string(),
      key: z.string(),
      ticketId: z.string().optional(),
      reason: z.string(),
    }),
    z.strictObject({
      type: z.literal('createPartnerRequest'),
      key: z.string(),
      reportId: z.string(),
      partyId: z.string(),
      resourceId: z.string(),
      description: z.string(),
      due: IsoDateTime,
    }),
    z.strictObject({
      type: z.literal('cancelPartnerRequest'),
      reportId: z.string(),
      key: z.string(),
      partyId: z.string(),
      requestId: z.string().optional(),
      reason: z.string(),
    }),
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
      /** A group's parent escalates for its children: their report ids. */
      children: z.array(z.string()).optional(),
    }),
    z.strictObject({
      type: z.literal('notifyAssignee'),
      reportId: z.string(),
      /** Assignees of the open tasks; empty when nobody is assigned yet. */
      assignees: z.array(z.string()),
      jeopardyState: JeopardyState,
      deadline: IsoDateTime,
      detail: z.string(),
      children: z.array(z.string()).optional(),
    }),
    z.strictObject({ type: z.literal('informClose'), reportId: z.string(), resolution: z.string(), clearedAt: IsoDateTime }),
    /** To the coordinator of the report's correlation key: opened (join or lead its group), or no longer taking children. */
    z.strictObject({ type: z.literal('correlate'), reportId: z.string(), key: z.string(), op: z.enum(['open', 'ended']) }),
    /** A message from this report's workflow to another report's (group parent <-> child). */
    z.strictObject({ type: z.literal('groupLink'), reportId: z.string(), to: z.string(), link: GroupLinkPayload }),
  ]),
);
export type Effect = z.infer<typeof Effect>;
export type EffectOf<T extends Effect['type']> = Extract<Effect, { type: T }>;
