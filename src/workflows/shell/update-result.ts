/**
 * What an update answers: a small summary of the report after the change, never the whole report
 * (an update result is stored in history with every update; the whole report is the `report`
 * query). `SpdrClient.update` and the CLI read the report with the query after the update.
 */
import type { UpdateResult } from '../../contract';
import type { Report } from '../../domain';

export type { UpdateResult };

export function updateResultOf(report: Report): UpdateResult {
  return {
    reportId: report.reportId,
    status: report.status,
    jeopardy: report.jeopardy.state,
    deadline: report.jeopardy.deadline,
    escalationLevel: report.jeopardy.escalationLevel,
    historyEntries: report.history.length + (report.trimmed?.history ?? 0),
  };
}
