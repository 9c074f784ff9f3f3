/**
 * What an update answers: a small summary of the report after the change, never the whole report
 * (an update result is stored in history with every update; the whole report is the `report`
 * query). `SpdrClient.update` and the CLI read the report with the query after the update.
 */
import type { JeopardyState, Report, ReportStatus } from '../../domain';

export interface UpdateResult {
  reportId: string;
  status: ReportStatus;
  jeopardy: JeopardyState;
  deadline: string;
  escalationLevel: number;
  /** Entries in the audit trail, the trimmed ones included: a change counter the caller can compare. */
  historyEntries: number;
}

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
