/**
 * Custom search attributes that make reports findable in Temporal Web
 * (e.g. `SpdrSeverity = "critical" AND SpdrJeopardy != "onTrack"`).
 * Shared by the workflow (which keeps them current) and by every server set-up that registers them.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const SpdrStatus = defineSearchAttributeKey('SpdrStatus', SearchAttributeType.KEYWORD);
export const SpdrSeverity = defineSearchAttributeKey('SpdrSeverity', SearchAttributeType.KEYWORD);
export const SpdrJeopardy = defineSearchAttributeKey('SpdrJeopardy', SearchAttributeType.KEYWORD);
export const SpdrServiceId = defineSearchAttributeKey('SpdrServiceId', SearchAttributeType.KEYWORD);
export const SpdrAssignee = defineSearchAttributeKey('SpdrAssignee', SearchAttributeType.KEYWORD_LIST);
export const SpdrEscalationLevel = defineSearchAttributeKey('SpdrEscalationLevel', SearchAttributeType.INT);
export const SpdrDeadline = defineSearchAttributeKey('SpdrDeadline', SearchAttributeType.DATETIME);
/** State of the response clock (`SpdrResponseState = "breached"`: response overdue); set only on reports that have the clock. */
export const SpdrResponseState = defineSearchAttributeKey('SpdrResponseState', SearchAttributeType.KEYWORD);
/** State of the update-cadence clock; set only on reports that have the clock. */
export const SpdrUpdateState = defineSearchAttributeKey('SpdrUpdateState', SearchAttributeType.KEYWORD);

/** Resources named as root cause in a report's analysis; set only on reports that name one (maintenance windows find them by it). */
export const SpdrRootCauseResourceIds = defineSearchAttributeKey('SpdrRootCauseResourceIds', SearchAttributeType.KEYWORD_LIST);
/** A maintenance window's phase: `scheduled`, `active`, `ended` or `cancelled`. */
export const SpdrWindowState = defineSearchAttributeKey('SpdrWindowState', SearchAttributeType.KEYWORD);
/** A maintenance window's scope: `service:<id>` and `resource:<id>` (`SpdrWindowScope = "service:svc-volte-fra1"`). */
export const SpdrWindowScope = defineSearchAttributeKey('SpdrWindowScope', SearchAttributeType.KEYWORD_LIST);
/** The parent of a grouped report (`SpdrParentReportId = "R-1001"`: the group's children); set only while grouped. */
export const SpdrParentReportId = defineSearchAttributeKey('SpdrParentReportId', SearchAttributeType.KEYWORD);

export const ALL_SEARCH_ATTRIBUTES = [
  SpdrStatus,
  SpdrSeverity,
  SpdrJeopardy,
  SpdrServiceId,
  SpdrAssignee,
  SpdrEscalationLevel,
  SpdrDeadline,
  SpdrResponseState,
  SpdrUpdateState,
  SpdrRootCauseResourceIds,
  SpdrWindowState,
  SpdrWindowScope,
  SpdrParentReportId,
] as const;
