/** The shapes the typed client takes and returns: its options, an opened report, send modes, watch options. */
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { Report } from '../domain';
import type { degradationReport } from '../workflows';

export type ReportHandle = WorkflowHandle<typeof degradationReport>;

export interface OpenResult {
  handle: WorkflowHandleWithFirstExecutionRunId<typeof degradationReport>;
  reportId: string;
  workflowId: string;
  /** True when the report was already open: the existing report is returned and the new input is NOT applied. */
  alreadyOpen: boolean;
}

/** `update` (default) waits for the report's answer and returns the new report; `signal` is fire-and-forget. */
export type SendMode = 'signal' | 'update';
export interface SendOptions<M extends SendMode = SendMode> {
  mode?: M;
}
/** What a send returns: the report after the change for an update, nothing for a signal. */
export type SendResult<M extends SendMode> = M extends 'signal' ? void : Report;

export interface SpdrClientOptions {
  /** Task queue of the report worker; default `service-quality`. */
  taskQueue?: string;
  /** How long `get` waits for a worker to answer the `report` query; default 15 s. */
  queryTimeoutMs?: number;
  /** Shown in "cannot reach" messages; `connect` fills it in from the connection settings. */
  address?: string;
}

export interface WatchOptions {
  /** Poll interval; default 2 s. */
  intervalMs?: number;
  /** Stops watching (e.g. on Ctrl-C); `watch` then resolves with the last report seen. */
  signal?: AbortSignal;
}
