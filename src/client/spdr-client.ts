/**
 * `SpdrClient`: the typed way for integrations (service-quality monitoring, customer care, NOC
 * tooling) to open and steer reports. Everything is validated with the domain's zod schemas before
 * anything is sent, so a bad field is named here instead of landing in `rejectedInputs`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Client,
  QueryNotRegisteredError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  type WorkflowStartOptions,
} from '@temporalio/client';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { isFinal, type MessageName, type MessagePayloadJson, type Report, type StartInputJson } from '../domain';
import { connectClient, loadTemporalTarget } from '../infra/connection';
import type { degradationReport } from '../workflows';
import { DEFAULT_TASK_QUEUE, MESSAGES, reportQuery, reportWorkflowId } from '../contract';
import type { OpenResult, ReportHandle, SendMode, SendOptions, SendResult, SpdrClientOptions, WatchOptions } from './client-options';
import { SpdrError, SpdrInvalidInputError, SpdrRejectedError, SpdrUnreachableError } from './errors';
import { GRPC_DEADLINE_EXCEEDED, endedAs, isGrpcCode, translateError, translateMessageError } from './failures';
import { REPORT_WORKFLOW_TYPE, buildListQuery, type ReportFilter } from './list-query';
import { summaryOf, type ReportSummary } from './summary';
import { validateMessage, validateReportId, validateStartInput } from './validation';
import { initialSearchAttributesOf, staticDetailsOf, staticSummaryOf } from './start-options';

export { DEFAULT_TASK_QUEUE } from '../contract';
export type { ReportSummary } from './summary';
export type { OpenResult, ReportHandle, SendMode, SendOptions, SendResult, SpdrClientOptions, WatchOptions } from './client-options';
export { validateMessage, validateReportId, validateStartInput } from './validation';
const DEFAULT_QUERY_TIMEOUT_MS = 15_000;
const DEFAULT_CONNECT_TIMEOUT = '5s';
const DEFAULT_LIST_LIMIT = 50;
/** Query attempts, 250 ms apart, while a report that was just opened has no state yet. */
const OPENING_QUERY_ATTEMPTS = 20;

export class SpdrClient {
  readonly taskQueue: string;
  readonly address: string;
  private readonly queryTimeoutMs: number;

  constructor(
    readonly client: Client,
    options: SpdrClientOptions = {},
  ) {
    this.taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
    this.queryTimeoutMs = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
    this.address = options.address ?? 'the configured Temporal address';
  }

  /**
   * Connects with the same settings as the worker (`@temporalio/envconfig`: TEMPORAL_ADDRESS,
   * TEMPORAL_NAMESPACE, TLS, API key, profiles) and the task queue from SPDR_TASK_QUEUE.
   * Throws `SpdrUnreachableError` when the frontend cannot be reached within the connect timeout (5 s unless configured).
   */
  static async connect(env: NodeJS.ProcessEnv = process.env, options: Omit<SpdrClientOptions, 'address'> = {}): Promise<SpdrClient> {
    const target = loadTemporalTarget(env);
    const connectionOptions: NativeConnectionOptions & { connectTimeout?: string | number } = {
      connectTimeout: DEFAULT_CONNECT_TIMEOUT,
      ...target.config.connectionOptions,
    };
    const address = connectionOptions.address ?? 'localhost:7233';
    let client: Client;
    try {
      client = await connectClient({ ...target, config: { ...target.config, connectionOptions } });
    } catch (err) {
      throw new SpdrUnreachableError(address, err);
    }
    return new SpdrClient(client, {
      taskQueue: options.taskQueue ?? (env.SPDR_TASK_QUEUE || DEFAULT_TASK_QUEUE),
      queryTimeoutMs: options.queryTimeoutMs,
      address,
    });
  }

  /** Closes the connection (the client made by `connect`, or the one passed in). */
  async close(): Promise<void> {
    await this.client.connection.close();
  }

  /** The workflow of a report (`spdr-<reportId>`), latest run. */
  handle(reportId: string): ReportHandle {
    validateReportId(reportId);
    return this.client.workflow.getHandle<typeof degradationReport>(reportWorkflowId(reportId));
  }

  /**
   * Opens a report. Idempotent by report id: a duplicate open returns the existing report; the new
   * input is not applied (`alreadyOpen: true`, same run id). A report that has ended (closed or
   * cancelled) is not reopened: that throws `SpdrRejectedError`; open a new report id instead.
   * The input is validated first (`SpdrInvalidInputError` naming the field); nothing is sent if it is invalid.
   */
  async open(input: StartInputJson): Promise<OpenResult> {
    const valid = validateStartInput(input);
    const reportId = valid.reportId;
    const workflowId = reportWorkflowId(reportId);
    const options: WorkflowStartOptions<typeof degradationReport> = {
      taskQueue: this.taskQueue,
      workflowId,
      args: [input],
      // A report that failed or was terminated may be opened again; one that ended normally may not.
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      staticSummary: staticSummaryOf(valid),
      staticDetails: staticDetailsOf(valid),
      typedSearchAttributes: initialSearchAttributesOf(valid),
    };
    // FAIL first tells "created now" from "already there" for certain; USE_EXISTING then returns the running report.
    try {
      const handle = await this.client.workflow.start<typeof degradationReport>(REPORT_WORKFLOW_TYPE, {
        ...options,
        workflowIdConflictPolicy: 'FAIL',
      });
      return { handle, reportId, workflowId, alreadyOpen: false };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw translateError(err, reportId, this.address);
    }
    try {
      const handle = await this.client.workflow.start<typeof degradationReport>(REPORT_WORKFLOW_TYPE, {
        ...options,
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
      return { handle, reportId, workflowId, alreadyOpen: true };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        throw new SpdrRejectedError(
          reportId,
          `${await endedAs(this, reportId)}; an ended report is not reopened, open a new report id`,
          'open',
        );
      }
      throw translateError(err, reportId, this.address);
    }
  }

  /** Sends a message as a signal (fire-and-forget; a refusal lands in `rejectedInputs`). The payload is validated first. */
  async signal<N extends MessageName>(reportId: string, name: N, payload: MessagePayloadJson<N>): Promise<void> {
    validateReportId(reportId);
    validateMessage(name, payload);
    try {
      await this.handle(reportId).signal(MESSAGES[name].signal, payload);
    } catch (err) {
      throw await translateMessageError(this, err, reportId, name);
    }
  }

  /**
   * Sends a message as an update and returns the report after it. The payload is validated first;
   * a refusal by the report (illegal transition, ...) throws `SpdrRejectedError` with its reason and changes nothing.
   */
  async update<N extends MessageName>(reportId: string, name: N, payload: MessagePayloadJson<N>): Promise<Report> {
    validateReportId(reportId);
    validateMessage(name, payload);
    try {
      // The update answers with a small summary; the report after it is read with the query.
      const handle = this.handle(reportId);
      await handle.executeUpdate(MESSAGES[name].update, { args: [payload] });
      return await handle.query(reportQuery);
    } catch (err) {
      throw await translateMessageError(this, err, reportId, name);
    }
  }

  /** Sends a message as an update (default; returns the new report) or as a signal (`{ mode: 'signal' }`). */
  async send<N extends MessageName, M extends SendMode = 'update'>(
    reportId: string,
    name: N,
    payload: MessagePayloadJson<N>,
    options: SendOptions<M> = {},
  ): Promise<SendResult<M>> {
    if (options.mode === 'signal') return (await this.signal(reportId, name, payload)) as SendResult<M>;
    return (await this.update(reportId, name, payload)) as SendResult<M>;
  }

  /** Adds first-in or ongoing analysis, optionally with a suspected root cause. */
  addAnalysis<M extends SendMode = 'update'>(
    reportId: string,
    payload: MessagePayloadJson<'addAnalysis'>,
    options?: SendOptions<M>,
  ): Promise<SendResult<M>> {
    return this.send(reportId, 'addAnalysis', payload, options);
  }
  /** Plans or reassigns a task. */
  assign<M extends SendMode = 'update'>(
    reportId: string,
    payload: MessagePayloadJson<'assign'>,
    options?: SendOptions<M>,
  ): Promise<SendResult<M>> {
    return this.send(reportId, 'assign', payload, options);
  }
  /** Moves a task on (inProgress, done, cancelled). */
  updateTask<M extends SendMode = 'update'>(
    reportId: string,
    payload: MessagePayloadJson<'updateTask'>,
    options?: SendOptions<M>,
  ): Promise<SendResult<M>> {
    return this.send(reportId, 'updateTask', payload, options);
  }
  /** Sets status inProgress, pending or held, with a reason. */
  setStatus<M extends SendMode = 'update'>(
    reportId: string,
    payload: MessagePayloadJson<'setStatus'>,
    options?: SendOptions<M>,
  ): Promise<SendResult<M>> {
    return this.send(reportId, 'setStatus', payload, options);
  }
  /** Cancels the report (e.g. a false service failure event). */
  cancel<M extends SendMode = 'update'>(
    reportId: string,
    payload: MessagePayloadJson<'cancel'>,
    options?: SendOptions<M>,
  ): Promise<SendResult<M>> {
    return this.send(reportId, 'cancel', payload, options);
  }
  /** Clears the report; the Close SPDR process is informed. */
  clear<M extends SendMode = 'update'>(
    reportId: string,
    payload: MessagePayloadJson<'clear'>,
    options?: SendOptions<M>,
  ): Promise<SendResult<M>> {
    return this.send(reportId, 'clear', payload, options);
  }
  /** Confirms closure of a cleared report. */
  confirmClosure<M extends SendMode = 'update'>(
    reportId: string,
    payload: MessagePayloadJson<'confirmClosure'>,
    options?: SendOptions<M>,
  ): Promise<SendResult<M>> {
    return this.send(reportId, 'confirmClosure', payload, options);
  }
  /** Rejects the clearance and reopens the report. */
  rejectClearance<M extends SendMode = 'update'>(
    reportId: string,
    payload: MessagePayloadJson<'rejectClearance'>,
    options?: SendOptions<M>,
  ): Promise<SendResult<M>> {
    return this.send(reportId, 'rejectClearance', payload, options);
  }
  /** Re-prioritises the report: the new severity's policy applies from the clock's start. */
  setSeverity<M extends SendMode = 'update'>(
    reportId: string,
    payload: MessagePayloadJson<'setSeverity'>,
    options?: SendOptions<M>,
  ): Promise<SendResult<M>> {
    return this.send(reportId, 'setSeverity', payload, options);
  }

  /**
   * The whole report (`report` query). A report that has ended is read from the workflow result,
   * so no worker is needed for it. Throws `SpdrNotFoundError` for an unknown report id.
   */
  async get(reportId: string): Promise<Report> {
    const handle = this.handle(reportId);
    let executionStatus: string;
    try {
      executionStatus = (await handle.describe()).status.name;
    } catch (err) {
      throw translateError(err, reportId, this.address);
    }
    if (executionStatus === 'COMPLETED') {
      try {
        return await handle.result();
      } catch (err) {
        throw translateError(err, reportId, this.address);
      }
    }
    if (executionStatus === 'FAILED') {
      const reason = await handle.result().then(
        () => 'unknown failure',
        (err: unknown) => (err instanceof WorkflowFailedError && err.cause ? err.cause.message : String(err)),
      );
      throw new SpdrError(`report ${reportId} failed to open: ${reason}`);
    }
    // The report exists once its first workflow task has read the settings; until then the query
    // handler refuses ("still opening"), so a query right after opening is retried for a few seconds.
    for (let attempt = 1; ; attempt += 1) {
      let notYet: string;
      try {
        const report = await this.queryReport(handle, reportId);
        if (report) return report;
        notYet = `workflow ${executionStatus}`;
      } catch (err) {
        if (!(err instanceof QueryNotRegisteredError)) throw err;
        notYet = err.message;
      }
      if (attempt >= OPENING_QUERY_ATTEMPTS)
        throw new SpdrError(`report ${reportId} has no state yet (${notYet}); is a worker running on task queue "${this.taskQueue}"?`);
      await sleep(250);
    }
  }

  private async queryReport(handle: ReportHandle, reportId: string): Promise<Report | undefined> {
    try {
      return await this.client.withDeadline(Date.now() + this.queryTimeoutMs, () => handle.query(reportQuery));
    } catch (err) {
      if (isGrpcCode(err, GRPC_DEADLINE_EXCEEDED)) {
        throw new SpdrError(
          `no worker answered the report query for ${reportId} within ${this.queryTimeoutMs / 1000} s; is a worker running on task queue "${this.taskQueue}"?`,
        );
      }
      throw translateError(err, reportId, this.address);
    }
  }

  /**
   * Reports matching a filter, newest first, read from the `Spdr*` search attributes (visibility is
   * eventually consistent: a change shows here within about a second). Open reports only unless
   * `openOnly: false` or the filter asks for a final status.
   */
  async list(filter: ReportFilter = {}, limit = DEFAULT_LIST_LIMIT): Promise<ReportSummary[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw new SpdrInvalidInputError(`limit: expected an integer from 1 to 1000 (got ${limit})`);
    const query = buildListQuery(filter);
    const summaries: ReportSummary[] = [];
    try {
      for await (const info of this.client.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
        summaries.push(summaryOf(info));
        if (summaries.length >= limit) break;
      }
    } catch (err) {
      throw translateError(err, '(list)', this.address);
    }
    return summaries;
  }

  /**
   * Polls the report and calls `onChange` with every new version (first call: the current report).
   * Resolves with the last report seen when the report reaches a final status or `signal` aborts.
   */
  async watch(
    reportId: string,
    onChange: (report: Report, previous: Report | undefined) => void | Promise<void>,
    options: WatchOptions = {},
  ): Promise<Report | undefined> {
    const intervalMs = options.intervalMs ?? 2_000;
    let previous: Report | undefined;
    let previousJson = '';
    while (!options.signal?.aborted) {
      const report = await this.get(reportId);
      const json = JSON.stringify(report);
      if (json !== previousJson) {
        await onChange(report, previous);
        previous = report;
        previousJson = json;
      }
      if (isFinal(report.status)) return report;
      try {
        await sleep(intervalMs, undefined, { signal: options.signal });
      } catch {
        break;
      }
    }
    return previous;
  }
}
