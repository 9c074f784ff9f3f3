/** One row of `SpdrClient.list`: a report as its search attributes show it, without asking a worker. */
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { reportIdOfWorkflowId } from '../contract';
import type { JeopardyState, ReportStatus, Severity } from '../domain';
import {
  SpdrAssignee,
  SpdrDeadline,
  SpdrEscalationLevel,
  SpdrJeopardy,
  SpdrParentReportId,
  SpdrServiceId,
  SpdrSeverity,
  SpdrStatus,
} from '../search-attributes';

/** One row of `list`, read from the search attributes (no worker needed). */
export interface ReportSummary {
  reportId: string;
  workflowId: string;
  runId: string;
  status?: ReportStatus;
  severity?: Severity;
  jeopardy?: JeopardyState;
  serviceId?: string;
  assignees: string[];
  escalationLevel?: number;
  /** ISO date-time of the jeopardy deadline. */
  deadline?: string;
  /** ISO date-time the workflow started. */
  openedAt: string;
  /** Set on a grouped child: the parent's report id. */
  parentReportId?: string;
  /** Temporal's execution status: RUNNING for an open report, COMPLETED once closed or cancelled. */
  executionStatus: string;
}

export function summaryOf(info: WorkflowExecutionInfo): ReportSummary {
  const sa = info.typedSearchAttributes;
  const deadline = sa.get(SpdrDeadline);
  return {
    reportId: reportIdOfWorkflowId(info.workflowId),
    workflowId: info.workflowId,
    runId: info.runId,
    status: sa.get(SpdrStatus) as ReportStatus | undefined,
    severity: sa.get(SpdrSeverity) as Severity | undefined,
    jeopardy: sa.get(SpdrJeopardy) as JeopardyState | undefined,
    serviceId: sa.get(SpdrServiceId),
    assignees: sa.get(SpdrAssignee) ?? [],
    escalationLevel: sa.get(SpdrEscalationLevel),
    deadline: deadline ? deadline.toISOString() : undefined,
    openedAt: info.startTime.toISOString(),
    executionStatus: info.status.name,
    ...(sa.get(SpdrParentReportId) ? { parentReportId: sa.get(SpdrParentReportId) } : {}),
  };
}
