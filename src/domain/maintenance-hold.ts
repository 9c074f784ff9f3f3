/**
 * A report held by a maintenance window (contract, second edition). The report's shell asks the
 * windows which one holds it (at open, and whenever a window tells it to look again) and feeds the
 * answer in as the shell fact `maintenanceObserved`; the window's word alone never holds a report,
 * so a forged message changes nothing.
 *
 * Held: status `held` with reason `maintenance <windowId>`, `maintenanceWindowId` set, every clock
 * paused (./pauses, through the history entries below). Released: the status the report had comes
 * back, unless an operator changed the status during the window: then the operator's status stays.
 */
import { changeStatus, log, NO_CHANGE, type Draft, type HandlerResult } from './draft';
import { maintenanceReason, windowIdOfWorkflowId, windowWorkflowId, type ScopeFacts } from './maintenance';
import type { Report } from './schemas';
import { isFinal } from './status';

/** History actions of the hold; their `by` is the window's workflow id (`mw-<windowId>`). */
export const MAINTENANCE_HELD = 'maintenanceHeld';
export const MAINTENANCE_RELEASED = 'maintenanceReleased';

/** What decides whether a report is in a window's scope: its service and its root-cause resources. */
export function scopeFactsOf(report: Report): ScopeFacts {
  const resourceIds = new Set<string>();
  for (const entry of report.analysis) if (entry.rootCause?.resourceId !== undefined) resourceIds.add(entry.rootCause.resourceId);
  // Older analysis may be trimmed from the log; its trouble reports remain.
  for (const troubleReport of report.troubleReports) resourceIds.add(troubleReport.resourceId);
  return { serviceId: report.service.id, resourceIds: [...resourceIds].sort() };
}

/** The window id a maintenance history entry names (its author is the window's workflow). */
export function maintenanceWindowOfEntry(entry: { action: string; by: string }): string | undefined {
  return entry.action === MAINTENANCE_HELD ? (windowIdOfWorkflowId(entry.by) ?? entry.by) : undefined;
}

/** `maintenanceObserved`: `windowId` is the window that holds the report now, absent when none does. */
export function maintenanceObserved(d: Draft, payload: { windowId?: string }): HandlerResult {
  const current = d.r.maintenanceWindowId;
  const next = payload.windowId;
  if (current === next) return NO_CHANGE;
  if (isFinal(d.r.status)) return NO_CHANGE;
  if (next === undefined) return release(d, current!);
  // A cleared report waits for its closure; maintenance does not reopen or hold it.
  if (current === undefined && d.r.status === 'cleared') return NO_CHANGE;
  if (current === undefined) {
    d.r.statusBeforeMaintenance = d.r.status;
    d.r.maintenanceWindowId = next;
    if (d.r.status === 'held') log(d, { by: windowWorkflowId(next), action: MAINTENANCE_HELD, reason: maintenanceReason(next) });
    else changeStatus(d, 'held', { by: windowWorkflowId(next), action: MAINTENANCE_HELD, reason: maintenanceReason(next) });
    return;
  }
  // Another window holds it now (overlapping windows): still held, under the new name.
  d.r.maintenanceWindowId = next;
  log(d, { by: windowWorkflowId(next), action: MAINTENANCE_HELD, reason: maintenanceReason(next), detail: `after window ${current}` });
}

function release(d: Draft, windowId: string): HandlerResult {
  const before = d.r.statusBeforeMaintenance;
  delete d.r.maintenanceWindowId;
  delete d.r.statusBeforeMaintenance;
  const entry = { by: windowWorkflowId(windowId), action: MAINTENANCE_RELEASED, reason: `${maintenanceReason(windowId)} ended` } as const;
  // Still `held`: back to the status it had. An operator's own status change during the window stands.
  if (d.r.status === 'held' && before !== undefined && before !== 'held') changeStatus(d, before, entry);
  else log(d, { ...entry, detail: `status ${d.r.status} kept` });
}
