/**
 * TMF-shaped records and notifications shared by the clients, the callback listener and the
 * simulators (TMF621 Trouble Ticket; partner performance requests follow the same pattern).
 */
import { z } from 'zod';
import { IsoDateTime, TroubleTicketStatus } from '../domain';
import { ORIGINATING_REPORT_ROLE } from './ids';

/** TMF621 trouble ticket statuses (one schema, the domain's); partner requests use the same set. */
export const troubleTicketStatusSchema = TroubleTicketStatus;
export const TROUBLE_TICKET_STATUSES = TroubleTicketStatus.options;
export type { TroubleTicketStatus };

/** Statuses after which there is nothing left to cancel. */
export const SETTLED_STATUSES: ReadonlySet<TroubleTicketStatus> = new Set(['resolved', 'closed', 'cancelled', 'rejected']);

export const relatedEntitySchema = z.looseObject({
  id: z.string(),
  role: z.string().optional(),
  '@referredType': z.string().optional(),
  name: z.string().optional(),
});
export type RelatedEntity = z.infer<typeof relatedEntitySchema>;

/** The fields this product reads from a TMF621 TroubleTicket; everything else passes through. */
export const troubleTicketSchema = z.looseObject({
  id: z.string().min(1),
  externalId: z.string().optional(),
  status: troubleTicketStatusSchema,
  statusChangeReason: z.string().optional(),
  resolution: z.string().optional(),
  relatedEntity: z.array(relatedEntitySchema).optional(),
});
export type TroubleTicket = z.infer<typeof troubleTicketSchema>;

/** A partner's performance request, as the partner system returns it. */
export const performanceRequestSchema = z.looseObject({
  id: z.string().min(1),
  externalId: z.string().optional(),
  partyId: z.string().optional(),
  status: troubleTicketStatusSchema,
  statusChangeReason: z.string().optional(),
  note: z.string().optional(),
  dueDate: z.string().optional(),
  relatedEntity: z.array(relatedEntitySchema).optional(),
});
export type PerformanceRequest = z.infer<typeof performanceRequestSchema>;

const eventEnvelope = <T extends z.ZodType>(eventType: string, event: T) =>
  z.looseObject({
    eventId: z.string().min(1),
    eventTime: z.string().min(1),
    eventType: z.literal(eventType),
    event,
  });

/** TMF hub notification: a trouble ticket changed status. */
export const troubleTicketStatusChangeEventSchema = eventEnvelope(
  'TroubleTicketStatusChangeEvent',
  z.object({ troubleTicket: troubleTicketSchema.extend({ externalId: z.string().min(1) }) }),
);
export type TroubleTicketStatusChangeEvent = z.infer<typeof troubleTicketStatusChangeEventSchema>;

/**
 * Hub notification from a partner system: a performance request changed status. A promise
 * (`expectedResolutionDate`, as in TMF621) must be an ISO 8601 date-time with offset: anything else
 * is refused (400) before the report hears of it.
 */
export const partnerRequestStatusChangeEventSchema = eventEnvelope(
  'PartnerRequestStatusChangeEvent',
  z.object({
    performanceRequest: performanceRequestSchema.extend({
      externalId: z.string().min(1),
      partyId: z.string().min(1),
      expectedResolutionDate: IsoDateTime.optional(),
    }),
  }),
);
export type PartnerRequestStatusChangeEvent = z.infer<typeof partnerRequestStatusChangeEventSchema>;

/** Related entities that link a ticket or request to its originating report and affected resource. */
export function linkToReport(reportId: string, resourceId: string): RelatedEntity[] {
  return [
    { id: reportId, role: ORIGINATING_REPORT_ROLE, '@referredType': 'ServiceProblem' },
    { id: resourceId, role: 'affectedResource', '@referredType': 'Resource' },
  ];
}

/**
 * Where a hub delivers an event: the registered callback (a listener base such as
 * `http://host:8090/listener`) plus the event type in lower camel case.
 */
export function listenerUrl(callback: string, eventType: string): string {
  return `${callback.replace(/\/+$/, '')}/${eventType.charAt(0).toLowerCase()}${eventType.slice(1)}`;
}
