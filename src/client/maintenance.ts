/**
 * The typed client of maintenance windows: create (validated before anything is sent), list,
 * show, cancel and extend. Used by `starter maintenance` and by integrations (change calendars).
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import {
  parseWindowInput,
  scopeKeys,
  windowView,
  openWindow,
  type MaintenanceWindowInputJson,
  type WindowView,
} from '../domain/maintenance';
import { WINDOW_MESSAGES, WINDOW_WORKFLOW_TYPE, windowQuery, windowWorkflowId, type WindowPayloads } from '../contract/maintenance';

import { SpdrWindowScope, SpdrWindowState } from '../search-attributes';
import { SpdrInvalidInputError, SpdrRejectedError } from './errors';

/** A window id that names no window. */
export class MaintenanceWindowNotFoundError extends SpdrInvalidInputError {
  constructor(readonly windowId: string) {
    super(
      `maintenance window ${windowId} not found (no workflow ${windowWorkflowId(windowId)}); check the window id and TEMPORAL_NAMESPACE`,
    );
  }
}

export interface WindowListEntry {
  windowId: string;
  state: string;
  scope: string[];
  status: string;
  startTime: string;
}

export class MaintenanceClient {
  constructor(
    readonly client: Client,
    readonly taskQueue: string,
  ) {}

  /**
   * Creates a window (workflow `maintenanceWindow`, id `mw-<windowId>`). The input is validated
   * first (`SpdrInvalidInputError` naming the field); a window id in use is refused (`SpdrRejectedError`).
   */
  async create(input: MaintenanceWindowInputJson): Promise<WindowView> {
    const parsed = parseWindowInput(input);
    if (!parsed.ok) throw new SpdrInvalidInputError(parsed.reason);
    const valid = parsed.value;
    const preview = windowView(openWindow(valid, Date.now()));
    try {
      await this.client.workflow.start(WINDOW_WORKFLOW_TYPE, {
        taskQueue: this.taskQueue,
        workflowId: windowWorkflowId(valid.windowId),
        args: [input],
        // Findable in Temporal Web from the first moment (the workflow keeps them current).
        typedSearchAttributes: [
          { key: SpdrWindowScope, value: scopeKeys(valid.scope) },
          { key: SpdrWindowState, value: preview.state },
        ],
        staticSummary: `Maintenance ${valid.windowId} (${valid.changeRequest}): ${scopeKeys(valid.scope).join(', ')}`,
        staticDetails: [
          `**Maintenance window ${valid.windowId}** for change ${valid.changeRequest}, created by ${valid.createdBy}`,
          '',
          `First occurrence ${valid.start} to ${valid.end}${valid.recurrence ? `; recurs ${valid.recurrence.rrule} in ${valid.recurrence.timezone}` : ''}`,
          '',
          'Signals: `cancelWindow` {"by","reason"}, `extendWindow` {"by","end"}; query `window`.',
        ].join('\n'),
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError)
        throw new SpdrRejectedError(valid.windowId, `a window with id ${valid.windowId} exists already; choose another windowId`);
      throw err;
    }
    return preview;
  }

  /** The window as its `window` query shows it. */
  async show(windowId: string): Promise<WindowView> {
    try {
      return await this.client.workflow.getHandle(windowWorkflowId(windowId)).query(windowQuery);
    } catch (err) {
      throw this.translate(err, windowId);
    }
  }

  /** Windows, newest first; with `all`, ended and cancelled ones too. */
  async list(options: { all?: boolean; limit?: number } = {}): Promise<WindowListEntry[]> {
    const query = `WorkflowType = '${WINDOW_WORKFLOW_TYPE}'${options.all ? '' : " AND ExecutionStatus = 'Running'"}`;
    const entries: WindowListEntry[] = [];
    for await (const execution of this.client.workflow.list({ query })) {
      entries.push({
        windowId: execution.workflowId.replace(/^mw-/, ''),
        state: String(execution.typedSearchAttributes.get(SpdrWindowState) ?? '?'),
        scope: [...(execution.typedSearchAttributes.get(SpdrWindowScope) ?? [])],
        status: execution.status.name,
        startTime: execution.startTime.toISOString(),
      });
      if (entries.length >= (options.limit ?? 200)) break;
    }
    return entries;
  }

  async cancel(windowId: string, payload: WindowPayloads['cancelWindow']): Promise<WindowView> {
    return this.send(windowId, 'cancelWindow', payload);
  }

  async extend(windowId: string, payload: WindowPayloads['extendWindow']): Promise<WindowView> {
    return this.send(windowId, 'extendWindow', payload);
  }

  private async send<N extends keyof WindowPayloads>(windowId: string, name: N, payload: WindowPayloads[N]): Promise<WindowView> {
    try {
      const update = WINDOW_MESSAGES[name].update as (typeof WINDOW_MESSAGES)['cancelWindow']['update'];
      return await this.client.workflow.getHandle(windowWorkflowId(windowId)).executeUpdate(update, { args: [payload as never] });
    } catch (err) {
      throw this.translate(err, windowId, name);
    }
  }

  private translate(err: unknown, windowId: string, name?: string): unknown {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure)
      return new SpdrRejectedError(windowId, err.cause.message, name);
    if (err instanceof WorkflowNotFoundError) return new MaintenanceWindowNotFoundError(windowId);
    return err;
  }
}
