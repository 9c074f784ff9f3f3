/**
 * Names that link outside-system records back to a report.
 *
 * Pure and dependency-free, so workflow code may import it too. An external id always starts with
 * `spdr-<reportId>-`, followed by a marker (`rtr` for a resource trouble report, `pr` for a partner
 * request), so a status notification can be routed to its report even when the outside system
 * drops the related entities.
 *
 * One name per concept: a *trouble report* is this product's record of the work delegated to
 * resource trouble management (`Report.troubleReports`, history actions `troubleReport*`); the
 * *trouble ticket* is the TMF621 resource that record is kept as at the outside system (its
 * `ticketId`, the integration client's names); `rtr` ("resource trouble report") is only the
 * marker inside ids and task ids. External ids, idempotency keys and message names never change.
 */

/** Workflow id of a report: `spdr-<reportId>`. */
export function reportWorkflowId(reportId: string): string {
  return `spdr-${reportId}`;
}

/** The report id of a report's workflow id (`spdr-<reportId>` -> `<reportId>`); other ids are returned unchanged. */
export function reportIdOfWorkflowId(workflowId: string): string {
  return workflowId.replace(/^spdr-/, '');
}

/** External id of the one resource trouble report per (report, resource cause). */
export function troubleTicketExternalId(reportId: string, resourceId: string): string {
  return `spdr-${reportId}-rtr-${resourceId}`;
}

/** External id of the one partner request per (report, party, resource). */
export function partnerRequestExternalId(reportId: string, partyId: string, resourceId: string): string {
  return `spdr-${reportId}-pr-${partyId}-${resourceId}`;
}

/**
 * The report id inside an external id made by the functions above; undefined if it is not one.
 * The first `-rtr-`/`-pr-` marker wins, so report ids must not contain those markers.
 */
export function reportIdFromExternalId(externalId: string): string | undefined {
  const match = /^spdr-(.+?)-(?:rtr|pr)-./.exec(externalId);
  return match?.[1];
}

/** Role of the related entity that points from an outside record back to its report. */
export const ORIGINATING_REPORT_ROLE = 'originatingServicePerformanceDegradationReport';
