/**
 * The report's own status messages: `setStatus` (within the status machine), `cancel`, and the
 * clearance cycle `clear` -> `confirmClosure` or `rejectClearance`.
 */
import { changeStatus, withoutUndefined, type Draft, type HandlerResult } from './draft';
import { partnerRequestIsWaiting, troubleReportIsOpen } from './outside-work';
import { sendResolutionNotices } from './resolution-notice';
import type { MessagePayload } from './schemas';
import { canTransition } from './status';
import { isOpenTask } from './task-plan';
import { truncate } from './text';

export function setStatus(d: Draft, p: MessagePayload<'setStatus'>): HandlerResult {
  const from = d.r.status;
  if (from === p.status) return `report is already ${from}`;
  if (!canTransition(from, p.status)) return `illegal transition ${from} -> ${p.status}`;
  if (from === 'cleared') {
    // A recurrence reopens a cleared report, like a rejected clearance.
    d.r.clearance = undefined;
    d.r = withoutUndefined(d.r);
  }
  changeStatus(d, p.status, { by: p.by, action: 'statusChanged', reason: p.reason });
}

/** Cancels the report with its open tasks, and asks the outside systems to cancel the work still open there. */
export function cancel(d: Draft, p: MessagePayload<'cancel'>): HandlerResult {
  const reason = `report cancelled: ${p.reason}`;
  const reportId = d.r.reportId;
  for (const troubleReport of d.r.troubleReports) {
    if (troubleReportIsOpen(troubleReport)) {
      d.effects.push(
        withoutUndefined({
          type: 'cancelTroubleReport' as const,
          reportId,
          key: troubleReport.key,
          ticketId: troubleReport.ticketId,
          reason,
        }),
      );
    }
  }
  for (const request of d.r.partnerRequests) {
    if (partnerRequestIsWaiting(request)) {
      d.effects.push(
        withoutUndefined({
          type: 'cancelPartnerRequest' as const,
          reportId,
          key: request.key,
          partyId: request.partyId,
          requestId: request.requestId,
          reason,
        }),
      );
    }
  }
  d.r.tasks = d.r.tasks.map((task) => (isOpenTask(task) ? { ...task, status: 'cancelled' as const, completedAt: d.at } : task));
  d.r.cancellation = withoutUndefined({ by: p.by, at: d.at, reason: p.reason, note: p.note });
  changeStatus(d, 'cancelled', { by: p.by, action: 'cancelled', reason: p.reason, detail: p.note });
}

export function clear(d: Draft, p: MessagePayload<'clear'>): HandlerResult {
  if (d.r.status === 'cleared') return 'report is already cleared';
  d.r.clearance = { by: p.by, at: d.at, resolution: p.resolution };
  changeStatus(d, 'cleared', { by: p.by, action: 'cleared', reason: p.resolution });
  d.effects.push({ type: 'informClose', reportId: d.r.reportId, resolution: p.resolution, clearedAt: d.at });
  sendResolutionNotices(d, p.resolution);
}

export function confirmClosure(d: Draft, p: MessagePayload<'confirmClosure'>): HandlerResult {
  if (d.r.status !== 'cleared') return `only a cleared report can be closed (report is ${d.r.status})`;
  d.r.closure = withoutUndefined({ by: p.by, at: d.at, how: 'confirmed' as const, note: p.note });
  changeStatus(d, 'closed', { by: p.by, action: 'closed', reason: 'closure confirmed', detail: p.note });
}

export function rejectClearance(d: Draft, p: MessagePayload<'rejectClearance'>): HandlerResult {
  if (d.r.status !== 'cleared') return `only a cleared report's clearance can be rejected (report is ${d.r.status})`;
  const previous = d.r.clearance;
  d.r.clearance = undefined;
  d.r = withoutUndefined(d.r);
  const detail = previous ? `rejected resolution: ${truncate(previous.resolution, 200)}` : undefined;
  changeStatus(d, 'inProgress', { by: p.by, action: 'clearanceRejected', reason: p.reason, detail });
}
