/**
 * The typed client for integrations: open a report (idempotent by report id), send every command
 * as signal or update, read a report, list and watch reports.
 *
 * ```ts
 * import { SpdrClient } from 'spdr-orchestrator/src/client';
 * const spdr = await SpdrClient.connect(); // TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, ... and SPDR_TASK_QUEUE
 * const { reportId, alreadyOpen } = await spdr.open(input);
 * const report = await spdr.addAnalysis(reportId, { author: 'noc.anna', summary: 'Packet loss on PE-7 uplink' });
 * ```
 */
export {
  DEFAULT_TASK_QUEUE,
  SpdrClient,
  validateMessage,
  validateReportId,
  validateStartInput,
  type OpenResult,
  type ReportHandle,
  type ReportSummary,
  type SendMode,
  type SendOptions,
  type SendResult,
  type SpdrClientOptions,
  type WatchOptions,
} from './spdr-client';
export { REPORT_WORKFLOW_TYPE, buildListQuery, type ReportFilter } from './list-query';
export { SpdrError, SpdrInvalidInputError, SpdrNotFoundError, SpdrRejectedError, SpdrUnreachableError } from './errors';
export { initialSearchAttributesOf, staticDetailsOf, staticSummaryOf } from './start-options';
export { renderReport, renderReportList, describeChanges } from './render';
export type { MessageName, MessagePayloadJson, Report, StartInputJson } from '../domain';
