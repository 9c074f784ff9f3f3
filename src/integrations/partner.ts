/**
 * Supplier/partner (S/P) performance management client.
 *
 * Each party is configured with its own endpoint, auth header and answer due time. A request
 * carries the originating report id (top level and as a related entity) so the party's answer can
 * be linked back; create and cancel are idempotent by external id like trouble tickets.
 */
import { z } from 'zod';
import type { IntegrationConfig, PartnerConfig } from '../config/config';
import { invalidRequest } from './http';
import { linkToReport, performanceRequestSchema, type TroubleTicketStatus } from './tmf';
import { TmfResourceApi, type CallOptions } from './tmfResource';

export type { CallOptions } from './tmfResource';

export const PARTNER_SYSTEM = 'partner performance management';

export const createPartnerRequestInputSchema = z.object({
  /** Idempotency key; see `partnerRequestExternalId` in ./ids. */
  externalId: z.string().min(1),
  reportId: z.string().min(1),
  partyId: z.string().min(1),
  resourceId: z.string().min(1),
  description: z.string().min(1),
  /** ISO timestamp by which the party should answer; defaults to now + the party's `answerDue`. */
  due: z.iso.datetime({ offset: true }).optional(),
});
export type CreatePartnerRequestInput = z.infer<typeof createPartnerRequestInputSchema>;

export const cancelPartnerRequestInputSchema = z.object({
  partyId: z.string().min(1),
  requestId: z.string().min(1).optional(),
  externalId: z.string().min(1),
  reason: z.string().min(1),
});
export type CancelPartnerRequestInput = z.infer<typeof cancelPartnerRequestInputSchema>;

/** Plain data about a partner request, safe to return from an activity. */
export interface PartnerRequestRef {
  requestId: string;
  partyId: string;
  status: TroubleTicketStatus;
  externalId: string;
}

export interface CreatedPartnerRequest extends PartnerRequestRef {
  /** The due time sent to the party. */
  due: string;
  /** False when an existing request with this external id was found and returned instead. */
  created: boolean;
}

export interface CancelledPartnerRequest {
  partyId: string;
  externalId: string;
  /** Undefined when no request with this external id exists (so there was nothing to cancel). */
  requestId?: string;
  status?: TroubleTicketStatus;
  outcome: 'cancelled' | 'alreadySettled' | 'notFound';
}

/** What the rest of the product may know about a configured party (no secrets). */
export interface PartyInfo {
  partyId: string;
  answerDue: string;
  answerDueMs: number;
}

function checked<S extends z.ZodType>(schema: S, input: unknown, operation: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw invalidRequest(PARTNER_SYSTEM, operation, z.prettifyError(parsed.error).replace(/\n/g, '; '));
  }
  return parsed.data;
}

export class PartnerClient {
  private readonly parties: ReadonlyMap<string, { config: PartnerConfig; api: TmfResourceApi<typeof performanceRequestSchema> }>;

  constructor(partners: readonly PartnerConfig[], options: { timeoutMs: number; lookupBeforeCreate?: boolean }) {
    this.parties = new Map(
      partners.map((config) => [
        config.partyId,
        {
          config,
          api: new TmfResourceApi({
            system: `${PARTNER_SYSTEM} of ${config.partyId}`,
            noun: 'partner request',
            collectionUrl: `${config.baseUrl}/performanceRequest`,
            hubUrl: `${config.baseUrl}/hub`,
            eventType: 'PartnerRequestStatusChangeEvent',
            schema: performanceRequestSchema,
            auth: config.authHeader ? { kind: 'header', name: config.authHeaderName, value: config.authHeader } : undefined,
            timeoutMs: options.timeoutMs,
            lookupBeforeCreate: options.lookupBeforeCreate ?? true,
          }),
        },
      ]),
    );
  }

  /** Configured parties and their answer due times. */
  listParties(): PartyInfo[] {
    return [...this.parties.values()].map(({ config }) => ({
      partyId: config.partyId,
      answerDue: config.answerDue,
      answerDueMs: config.answerDueMs,
    }));
  }

  private party(partyId: string, operation: string) {
    const party = this.parties.get(partyId);
    if (!party) {
      const known = [...this.parties.keys()];
      throw invalidRequest(
        PARTNER_SYSTEM,
        operation,
        `party "${partyId}" is not configured (known parties: ${known.length ? known.join(', ') : 'none'}; see SPDR_PARTNERS)`,
      );
    }
    return party;
  }

  /** Sends the request to the party, or returns the one already sent for this external id. */
  async createPartnerRequest(input: CreatePartnerRequestInput, options: CallOptions = {}): Promise<CreatedPartnerRequest> {
    const { externalId, reportId, partyId, resourceId, description, due } = checked(
      createPartnerRequestInputSchema,
      input,
      'create partner request',
    );
    const party = this.party(partyId, 'create partner request');
    const dueDate = due ?? new Date(Date.now() + party.config.answerDueMs).toISOString();
    const { id, status, created } = await party.api.create(
      externalId,
      {
        partyId,
        originatingReportId: reportId,
        resourceId,
        description,
        dueDate,
        relatedEntity: linkToReport(reportId, resourceId),
        '@type': 'PerformanceRequest',
      },
      options,
    );
    return { requestId: id, partyId, status, externalId, due: dueDate, created };
  }

  async getPartnerRequest(partyId: string, requestId: string, options: CallOptions = {}): Promise<PartnerRequestRef> {
    const request = await this.party(partyId, 'read partner request').api.get(requestId, options);
    return { requestId: request.id, partyId, status: request.status, externalId: request.externalId ?? '' };
  }

  /** Cancels a partner request; an already settled or never created request is a successful no-op. */
  async cancelPartnerRequest(input: CancelPartnerRequestInput, options: CallOptions = {}): Promise<CancelledPartnerRequest> {
    const { partyId, requestId, externalId, reason } = checked(cancelPartnerRequestInputSchema, input, 'cancel partner request');
    const { id, ...outcome } = await this.party(partyId, 'cancel partner request').api.cancel(
      { id: requestId, externalId, reason },
      options,
    );
    return { ...outcome, partyId, requestId: id };
  }

  /** Registers a hub listener (e.g. `http://worker:8090/listener`) with one party. */
  registerListener(partyId: string, callback: string, options: CallOptions = {}): Promise<{ hubId: string }> {
    return this.party(partyId, 'register status listener').api.registerListener(callback, options);
  }

  /** Deletes the hub listener registered with one party as `hubId` (at graceful shutdown). */
  unregisterListener(partyId: string, hubId: string, options: CallOptions = {}): Promise<void> {
    return this.party(partyId, 'delete status listener').api.unregisterListener(hubId, options);
  }
}

/** The partner client for a configuration. */
export function partnerClient(
  config: IntegrationConfig,
  options: { timeoutMs?: number; lookupBeforeCreate?: boolean } = {},
): PartnerClient {
  return new PartnerClient(config.partners, {
    timeoutMs: options.timeoutMs ?? config.http.timeoutMs,
    lookupBeforeCreate: options.lookupBeforeCreate,
  });
}
