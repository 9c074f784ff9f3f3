/**
 * Resource trouble management client, in the shape of TMF621 Trouble Ticket.
 *
 * A retried create never makes a second ticket: see {@link TmfResourceApi} for how the external
 * id keeps it to exactly one.
 */
import { z } from 'zod';
import type { IntegrationConfig } from '../config/config';
import type { Secret } from '../config/secret';
import { invalidRequest } from './http';
import { linkToReport, troubleTicketSchema, type TroubleTicketStatus } from './tmf';
import { TmfResourceApi, type CallOptions } from './tmfResource';

export type { CallOptions } from './tmfResource';

export const RESOURCE_TROUBLE_SYSTEM = 'resource trouble management';

export const createTroubleTicketInputSchema = z.object({
  /** Idempotency key; see `troubleTicketExternalId` in ./ids. */
  externalId: z.string().min(1),
  reportId: z.string().min(1),
  resourceId: z.string().min(1),
  severity: z.string().min(1),
  description: z.string().min(1),
});
export type CreateTroubleTicketInput = z.infer<typeof createTroubleTicketInputSchema>;

export const cancelTroubleTicketInputSchema = z.object({
  ticketId: z.string().min(1).optional(),
  externalId: z.string().min(1),
  reason: z.string().min(1),
});
export type CancelTroubleTicketInput = z.infer<typeof cancelTroubleTicketInputSchema>;

/** Plain data about a ticket, safe to return from an activity. */
export interface TroubleTicketRef {
  ticketId: string;
  status: TroubleTicketStatus;
  externalId: string;
}

export interface CreatedTroubleTicket extends TroubleTicketRef {
  /** False when an existing ticket with this external id was found and returned instead. */
  created: boolean;
}

export interface CancelledTroubleTicket {
  externalId: string;
  /** Undefined when no ticket with this external id exists (so there was nothing to cancel). */
  ticketId?: string;
  status?: TroubleTicketStatus;
  /** `cancelled` by this call, `alreadySettled` (resolved/closed/cancelled/rejected), or `notFound`. */
  outcome: 'cancelled' | 'alreadySettled' | 'notFound';
}

export interface TroubleTicketClientOptions {
  /** TMF621 API base URL; tickets live at `${baseUrl}/troubleTicket`, the hub at `${baseUrl}/hub`. */
  baseUrl: string;
  token?: Secret;
  timeoutMs: number;
  /**
   * Look the external id up before creating (default true). The lookup keeps creates idempotent
   * against servers that do not enforce unique external ids; set false to save a round trip when
   * the server does.
   */
  lookupBeforeCreate?: boolean;
}

function checked<S extends z.ZodType>(schema: S, input: unknown, operation: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw invalidRequest(RESOURCE_TROUBLE_SYSTEM, operation, z.prettifyError(parsed.error).replace(/\n/g, '; '));
  }
  return parsed.data;
}

export class TroubleTicketClient {
  private readonly api: TmfResourceApi<typeof troubleTicketSchema>;

  constructor(options: TroubleTicketClientOptions) {
    this.api = new TmfResourceApi({
      system: RESOURCE_TROUBLE_SYSTEM,
      noun: 'trouble ticket',
      collectionUrl: `${options.baseUrl}/troubleTicket`,
      hubUrl: `${options.baseUrl}/hub`,
      eventType: 'TroubleTicketStatusChangeEvent',
      schema: troubleTicketSchema,
      auth: options.token ? { kind: 'bearer', token: options.token } : undefined,
      timeoutMs: options.timeoutMs,
      lookupBeforeCreate: options.lookupBeforeCreate ?? true,
    });
  }

  /** Creates the ticket for `externalId`, or returns the one that already exists. */
  async createTroubleTicket(input: CreateTroubleTicketInput, options: CallOptions = {}): Promise<CreatedTroubleTicket> {
    const { externalId, reportId, resourceId, severity, description } = checked(
      createTroubleTicketInputSchema,
      input,
      'create trouble ticket',
    );
    const { id, status, created } = await this.api.create(
      externalId,
      {
        name: `Resource trouble on ${resourceId} (report ${reportId})`,
        description,
        severity,
        ticketType: 'resourceTrouble',
        relatedEntity: linkToReport(reportId, resourceId),
        '@type': 'TroubleTicket',
      },
      options,
    );
    return { ticketId: id, status, externalId, created };
  }

  async getTroubleTicket(ticketId: string, options: CallOptions = {}): Promise<TroubleTicketRef> {
    const ticket = await this.api.get(ticketId, options);
    return { ticketId: ticket.id, status: ticket.status, externalId: ticket.externalId ?? '' };
  }

  /** The ticket with this external id, if any. */
  async findTroubleTicket(externalId: string, options: CallOptions = {}): Promise<TroubleTicketRef | undefined> {
    const found = await this.api.findByExternalId(externalId, options);
    return found && { ticketId: found.id, status: found.status, externalId: found.externalId };
  }

  /** Cancels a ticket; an already settled or never created ticket is a successful no-op. */
  async cancelTroubleTicket(input: CancelTroubleTicketInput, options: CallOptions = {}): Promise<CancelledTroubleTicket> {
    const { ticketId, externalId, reason } = checked(cancelTroubleTicketInputSchema, input, 'cancel trouble ticket');
    const { id, ...outcome } = await this.api.cancel({ id: ticketId, externalId, reason }, options);
    return { ...outcome, ticketId: id };
  }

  /** Registers a TMF hub listener (e.g. `http://worker:8090/listener`) for ticket status changes. */
  registerListener(callback: string, options: CallOptions = {}): Promise<{ hubId: string }> {
    return this.api.registerListener(callback, options);
  }

  /** Deletes the hub listener registered as `hubId` (at graceful shutdown). */
  unregisterListener(hubId: string, options: CallOptions = {}): Promise<void> {
    return this.api.unregisterListener(hubId, options);
  }
}

/** The trouble ticket client for a configuration. */
export function troubleTicketClient(
  config: IntegrationConfig,
  options: Pick<TroubleTicketClientOptions, 'lookupBeforeCreate'> & { timeoutMs?: number } = {},
): TroubleTicketClient {
  return new TroubleTicketClient({
    baseUrl: config.troubleTicket.baseUrl,
    token: config.troubleTicket.token,
    timeoutMs: options.timeoutMs ?? config.http.timeoutMs,
    lookupBeforeCreate: options.lookupBeforeCreate,
  });
}
