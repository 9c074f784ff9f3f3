/**
 * Escalation and Close SPDR notifications: one JSON webhook call each.
 *
 * Every call carries an `Idempotency-Key` derived from what is being notified, so when an
 * activity retries after a lost answer, a receiver that honours the key records it once.
 */
import { z } from 'zod';
import { escalationUrlForLevel, type IntegrationConfig } from '../config/config';
import { invalidRequest, sendHttp } from './http';
import { reportWorkflowId } from './ids';
import type { CallOptions } from './call-options';

export type { CallOptions } from './call-options';

export const ESCALATION_SYSTEM = 'escalation notification';
export const CLOSE_SYSTEM = 'Close SPDR process';

export const escalationInputSchema = z.object({
  reportId: z.string().min(1),
  /** Escalation level, 1 = first escalation. */
  level: z.number().int().min(0),
  /** Why: e.g. `inJeopardy`, `breached`, `partnerLate:acme-transport`, `outsideSystemFailing`. */
  reason: z.string().min(1),
  jeopardyState: z.enum(['onTrack', 'inJeopardy', 'breached']),
  /** ISO timestamp of the resolution deadline. */
  deadline: z.string().min(1),
  detail: z.string().optional(),
  /** Distinguishes escalations of one level and reason (e.g. the overdue task's id); part of the idempotency key. */
  subject: z.string().optional(),
  /** A group's parent escalates for its children: their report ids. */
  children: z.array(z.string()).optional(),
});
export type EscalationInput = z.infer<typeof escalationInputSchema>;

export const closeInputSchema = z.object({
  reportId: z.string().min(1),
  resolution: z.string().min(1),
  /** ISO timestamp of the clearance; part of the idempotency key, so a re-clearance notifies again. */
  clearedAt: z.string().min(1),
  by: z.string().min(1),
});
export type CloseInput = z.infer<typeof closeInputSchema>;

export interface Delivered {
  idempotencyKey: string;
  httpStatus: number;
}

/** Header values must be visible ASCII; anything else in a key is replaced by "-". */
function headerSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9._:@-]/g, '-');
}

/** Idempotency key of an escalation: `spdr-<reportId>-esc-<level>-<reason>[-<subject>]`. */
export function escalationIdempotencyKey(input: Pick<EscalationInput, 'reportId' | 'level' | 'reason' | 'subject'>): string {
  return headerSafe(`spdr-${input.reportId}-esc-${input.level}-${input.reason}${input.subject ? `-${input.subject}` : ''}`);
}

/** Idempotency key of a close notification: `spdr-<reportId>-close-<clearedAt>`. */
export function closeIdempotencyKey(input: Pick<CloseInput, 'reportId' | 'clearedAt'>): string {
  return headerSafe(`spdr-${input.reportId}-close-${input.clearedAt}`);
}

/** Link to the report in Temporal Web. */
export function reportLink(config: Pick<IntegrationConfig, 'temporalWeb'>, reportId: string): string {
  const { url, namespace } = config.temporalWeb;
  return `${url}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(reportWorkflowId(reportId))}`;
}

function checked<S extends z.ZodType>(schema: S, input: unknown, system: string, operation: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw invalidRequest(system, operation, z.prettifyError(parsed.error).replace(/\n/g, '; '));
  return parsed.data;
}

export class Notifier {
  constructor(private readonly config: Pick<IntegrationConfig, 'escalation' | 'close' | 'temporalWeb' | 'http'>) {}

  /** Sends one escalation to the level's webhook (its override, or the default). */
  async notifyEscalation(input: EscalationInput, options: CallOptions = {}): Promise<Delivered> {
    const escalation = checked(escalationInputSchema, input, ESCALATION_SYSTEM, 'send escalation');
    const idempotencyKey = escalationIdempotencyKey(escalation);
    const answer = await sendHttp({
      system: ESCALATION_SYSTEM,
      operation: `send level ${escalation.level} escalation`,
      method: 'POST',
      url: escalationUrlForLevel(this.config, escalation.level),
      headers: { 'idempotency-key': idempotencyKey },
      timeoutMs: this.config.http.timeoutMs,
      signal: options.signal,
      body: {
        type: 'spdr.escalation',
        reportId: escalation.reportId,
        workflowId: reportWorkflowId(escalation.reportId),
        level: escalation.level,
        reason: escalation.reason,
        jeopardyState: escalation.jeopardyState,
        deadline: escalation.deadline,
        detail: escalation.detail,
        ...(escalation.children ? { children: escalation.children } : {}),
        link: reportLink(this.config, escalation.reportId),
      },
    });
    return { idempotencyKey, httpStatus: answer.status };
  }

  /** Task dispatch and assignee notices: to the level-0 notification webhook, with their idempotency key. */
  async notice(
    operation: string,
    idempotencyKey: string,
    reportId: string,
    options: CallOptions & { body: Record<string, unknown> },
  ): Promise<Delivered> {
    const key = headerSafe(idempotencyKey);
    const answer = await sendHttp({
      system: ESCALATION_SYSTEM,
      operation,
      method: 'POST',
      url: escalationUrlForLevel(this.config, 0),
      headers: { 'idempotency-key': key },
      timeoutMs: this.config.http.timeoutMs,
      signal: options.signal,
      body: { ...options.body, reportId, workflowId: reportWorkflowId(reportId), link: reportLink(this.config, reportId) },
    });
    return { idempotencyKey: key, httpStatus: answer.status };
  }

  /** Informs the Close SPDR process that a report is cleared; it confirms with `confirmClosure`. */
  async informClose(input: CloseInput, options: CallOptions = {}): Promise<Delivered> {
    const close = checked(closeInputSchema, input, CLOSE_SYSTEM, 'inform close');
    const idempotencyKey = closeIdempotencyKey(close);
    const answer = await sendHttp({
      system: CLOSE_SYSTEM,
      operation: 'inform close',
      method: 'POST',
      url: this.config.close.url,
      headers: { 'idempotency-key': idempotencyKey },
      timeoutMs: this.config.http.timeoutMs,
      signal: options.signal,
      body: {
        type: 'spdr.cleared',
        reportId: close.reportId,
        workflowId: reportWorkflowId(close.reportId),
        resolution: close.resolution,
        clearedAt: close.clearedAt,
        by: close.by,
        link: reportLink(this.config, close.reportId),
        confirmWith: { signal: 'confirmClosure', workflowId: reportWorkflowId(close.reportId) },
      },
    });
    return { idempotencyKey, httpStatus: answer.status };
  }
}

/** The escalation / close notifier for a configuration. */
export function notifier(config: IntegrationConfig): Notifier {
  return new Notifier(config);
}
