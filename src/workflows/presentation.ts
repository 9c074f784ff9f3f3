/**
 * How a report shows in Temporal Web: search attributes for the list filters, the markdown
 * "current details" on the workflow page, and one-line summaries on timers.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import {
  SpdrAssignee,
  SpdrDeadline,
  SpdrEscalationLevel,
  SpdrJeopardy,
  SpdrParentReportId,
  SpdrResponseState,
  SpdrServiceId,
  SpdrSeverity,
  SpdrStatus,
  SpdrUpdateState,
  SpdrRootCauseResourceIds,
} from '../search-attributes';
import { scopeFactsOf } from '../domain/maintenance-hold';
import { isOpenTask, markdownCell, type Report } from '../domain';

/** Bullets in Temporal Web's current details stay short. */
const DETAILS_CELL_MAX = 120;
/** Long lists (a storm's children) show their first entries; the `report` query has them all. */
const DETAILS_LIST_MAX = 50;

export function searchAttributesOf(report: Report): SearchAttributeUpdatePair[] {
  const assignees = [...new Set(report.tasks.filter(isOpenTask).map((t) => t.assignee))].sort();
  // Only reports with the second-edition clocks carry their states, so older reports upsert exactly as before.
  const clocks = report.jeopardy.clocks;
  const clockPairs: SearchAttributeUpdatePair[] = [
    ...(clocks?.response ? [{ key: SpdrResponseState, value: clocks.response.state }] : []),
    ...(clocks?.update ? [{ key: SpdrUpdateState, value: clocks.update.state }] : []),
  ];
  // Only reports that name a root-cause resource carry it (maintenance windows find them by it).
  const resourceIds = scopeFactsOf(report).resourceIds;
  if (resourceIds.length > 0) clockPairs.push({ key: SpdrRootCauseResourceIds, value: [...resourceIds] });
  return [
    { key: SpdrStatus, value: report.status },
    { key: SpdrSeverity, value: report.severity },
    { key: SpdrJeopardy, value: report.jeopardy.state },
    { key: SpdrServiceId, value: report.service.id },
    { key: SpdrAssignee, value: assignees },
    { key: SpdrEscalationLevel, value: report.jeopardy.escalationLevel },
    { key: SpdrDeadline, value: new Date(report.jeopardy.deadline) },
    ...clockPairs,
    ...groupPairs(report),
  ];
}

/** Only reports that were ever grouped carry the attribute (an ungrouped child has it removed), so others upsert as before. */
function groupPairs(report: Report): SearchAttributeUpdatePair[] {
  if (report.parentReportId !== undefined) return [{ key: SpdrParentReportId, value: report.parentReportId }];
  const wasGrouped = report.history.some((entry) => entry.action === 'leftGroup');
  return wasGrouped ? [{ key: SpdrParentReportId, value: null }] : [];
}

function cell(text: string | undefined): string {
  return markdownCell(text, DETAILS_CELL_MAX);
}

/** Markdown for Temporal Web's "current details". */
export function renderDetails(report: Report): string {
  const j = report.jeopardy;
  const lines = [
    `**${report.status}** · ${report.severity} · jeopardy **${j.state}** (escalation level ${j.escalationLevel}) · deadline ${j.deadline}${j.pausedSince ? ' · clock paused' : ''}`,
    '',
    `Service **${cell(report.service.name ?? report.service.id)}** (${cell(report.service.id)}): ${cell(report.description)}`,
  ];
  if (j.clocks) {
    lines.push('', '**Clocks**');
    for (const name of ['response', 'update', 'resolution'] as const) {
      const clock = j.clocks[name];
      if (clock) lines.push(`- ${name}: ${clock.state}, deadline ${clock.deadline}${clock.metAt ? `, met ${clock.metAt}` : ''}`);
    }
  }
  if (report.maintenanceWindowId !== undefined)
    lines.push('', `Held by maintenance window **${cell(report.maintenanceWindowId)}**: clocks paused until the window ends`);
  if (report.parentReportId !== undefined)
    lines.push('', `Grouped under **${cell(report.parentReportId)}**: clocks paused, the parent escalates for the group`);
  const children = report.children ?? [];
  if (children.length > 0 || (report.invitedChildren ?? []).length > 0) {
    lines.push('', `**Children** (${children.length}): this report escalates for them`);
    for (const child of children.slice(0, DETAILS_LIST_MAX)) lines.push(`- ${cell(child)}`);
    if (children.length > DETAILS_LIST_MAX) lines.push(`- … and ${children.length - DETAILS_LIST_MAX} more (see the \`report\` query)`);
    for (const child of (report.invitedChildren ?? []).slice(0, DETAILS_LIST_MAX)) lines.push(`- ${cell(child)} (asked to join)`);
  }
  // Bullet lists rather than tables: Temporal Web's markdown view renders narrow tables cramped.
  const openTasks = report.tasks.filter(isOpenTask);
  if (openTasks.length > 0) {
    lines.push('', '**Open tasks**');
    for (const t of openTasks)
      lines.push(`- ${cell(t.taskId)} (${t.kind}) → ${cell(t.assignee)}: ${t.status}${t.due ? `, due ${t.due}` : ''}`);
  }
  if (report.troubleReports.length > 0) {
    lines.push('', '**Trouble reports**');
    for (const r of report.troubleReports)
      lines.push(`- ${cell(r.resourceId)}: ticket ${cell(r.ticketId) || '(being created)'}, ${r.status}`);
  }
  if (report.partnerRequests.length > 0) {
    lines.push('', '**Partner requests**');
    for (const r of report.partnerRequests) {
      const clock = r.clock ? `, obligation ${r.clock.state}` : '';
      const promise = r.expectedResolutionDate ? `, promised ${r.expectedResolutionDate}` : '';
      lines.push(`- ${cell(r.partyId)} for ${cell(r.resourceId)}: ${r.status}, answer due ${r.due}${clock}${promise}`);
    }
  }
  const last = report.analysis[report.analysis.length - 1];
  if (last) lines.push('', `Last analysis (${cell(last.author)}, ${last.at}): ${cell(last.summary)}`);
  if (report.rejectedInputs.length > 0) lines.push('', `${report.rejectedInputs.length} rejected input(s); see the \`report\` query.`);
  return lines.join('\n');
}

/** The summary shown on the one timer a report waits on. */
export function wakeUpSummary(report: Report, wakeMs: number): string {
  const at = new Date(wakeMs).toISOString();
  if (report.status === 'cleared') return `acceptance window ends ${at}`;
  return `next deadline ${at} (jeopardy ${report.jeopardy.state}, level ${report.jeopardy.escalationLevel})`;
}
