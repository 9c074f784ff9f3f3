/** The words every schema is built from: identifiers, actors, date-times and the status enums. */
import { z } from 'zod';

const ID_PATTERN = /^[A-Za-z0-9._:-]+$/;
/** Identifiers that end up in keys and workflow ids: 1-64 letters, digits, `.`, `_`, `:` or `-`. */
export const Identifier = z.string().min(1).max(64).regex(ID_PATTERN, 'use only letters, digits and . _ : -');
/** Who did something: a person, a system or a party. */
export const Actor = z.string().trim().min(1).max(200);
export const IsoDateTime = z.iso.datetime({ offset: true });
/** Text that must say something: trimmed, 1 to `max` characters. */
export const RequiredText = (max: number) => z.string().trim().min(1).max(max);

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
