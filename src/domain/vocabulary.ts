/** The words every schema is built from: identifiers, actors, date-times and the status enums. */
import { z } from 'zod';
import { sharedSchema } from './shared-schema';

const ID_PATTERN = /^[A-Za-z0-9._:-]+$/;
/** Identifiers that end up in keys and workflow ids: 1-64 letters, digits, `.`, `_`, `:` or `-`. */
export const Identifier = sharedSchema('vocabulary.Identifier', () =>
  z.string().min(1).max(64).regex(ID_PATTERN, 'use only letters, digits and . _ : -'),
);
/** Who did something: a person, a system or a party. */
export const Actor = sharedSchema('vocabulary.Actor', () => z.string().trim().min(1).max(200));
export const IsoDateTime = sharedSchema('vocabulary.IsoDateTime', () => z.iso.datetime({ offset: true }));
/** Text that must say something: trimmed, 1 to `max` characters. */
export const RequiredText = (max: number) => z.string().trim().min(1).max(max);

export const ReportStatus = sharedSchema('vocabulary.ReportStatus', () =>
  z.enum(['acknowledged', 'inProgress', 'pending', 'held', 'cleared', 'closed', 'cancelled']),
);
export type ReportStatus = z.infer<typeof ReportStatus>;

export const TaskKind = sharedSchema('vocabulary.TaskKind', () =>
  z.enum(['analysis', 'restoration', 'repair', 'improvement', 'verification']),
);
export type TaskKind = z.infer<typeof TaskKind>;

/** TMF621 Trouble Ticket statuses, as the resource trouble system reports them. */
export const TroubleTicketStatus = sharedSchema('vocabulary.TroubleTicketStatus', () =>
  z.enum(['acknowledged', 'inProgress', 'pending', 'held', 'resolved', 'closed', 'cancelled', 'rejected']),
);
export type TroubleTicketStatus = z.infer<typeof TroubleTicketStatus>;

export const PartnerAnswerStatus = sharedSchema('vocabulary.PartnerAnswerStatus', () =>
  z.enum(['acknowledged', 'inProgress', 'resolved', 'rejected', 'cancelled']),
);
export type PartnerAnswerStatus = z.infer<typeof PartnerAnswerStatus>;

export const CancelReason = sharedSchema('vocabulary.CancelReason', () =>
  z.enum(['falseServiceFailureEvent', 'duplicate', 'customerRequest', 'other']),
);
export type CancelReason = z.infer<typeof CancelReason>;
