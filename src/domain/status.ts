/**
 * The report status machine of the product brief:
 * acknowledged -> inProgress <-> pending / held -> cleared -> closed; cleared -> inProgress
 * (rejected clearance or recurrence); cancelled from every open status; closed and cancelled are final.
 */
import type { ReportStatus } from './schemas';

const TRANSITIONS: Readonly<Record<ReportStatus, readonly ReportStatus[]>> = {
  acknowledged: ['inProgress', 'pending', 'held', 'cleared', 'cancelled'],
  inProgress: ['pending', 'held', 'cleared', 'cancelled'],
  pending: ['inProgress', 'cleared', 'cancelled'],
  held: ['inProgress', 'cleared', 'cancelled'],
  cleared: ['inProgress', 'closed', 'cancelled'],
  closed: [],
  cancelled: [],
};

export function isFinal(status: ReportStatus): boolean {
  return status === 'closed' || status === 'cancelled';
}

export function canTransition(from: ReportStatus, to: ReportStatus): boolean {
  return TRANSITIONS[from].includes(to);
}
