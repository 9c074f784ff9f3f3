/**
 * The activities of maintenance windows, and the report's look-up "which window holds me now".
 *
 * Both directions ask Temporal itself: candidates come from visibility (search attributes), and
 * each candidate is then asked directly with a query (`window` or `report`), which is strongly
 * consistent where visibility lags. So a report is held only when a running window says, in its
 * own query, that it is active with the report in its scope: a message alone never holds a report.
 */
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { isFinal, type Report } from '../domain';
import { holdsNow, inScope, scopeKeys, type MaintenanceScope, type WindowView } from '../domain/maintenance';

export { scopeKeys };
import { scopeFactsOf } from '../domain/maintenance-hold';
import { WINDOW_WORKFLOW_TYPE, windowQuery } from '../contract/maintenance';
import { reportIdOfWorkflowId, reportQuery, WORKFLOW_TYPE } from '../contract';
import type { ReportSettings, SpdrActivities } from './types';

/** What a report tells about itself when it asks. */
export interface ReportAbout {
  reportId: string;
  serviceId: string;
  resourceIds: readonly string[];
}

export interface MaintenanceActivities {
  /** The window holding the report now (the first by id when several do), or none. */
  maintenanceWindowFor(about: ReportAbout): Promise<{ windowId?: string }>;
  /** Open reports in the window's scope, by report id. */
  reportsInScope(request: { windowId: string; scope: MaintenanceScope }): Promise<string[]>;
}

/** Where candidates come from: visibility in production; a test may name them. */
export interface MaintenanceDirectory {
  /** Workflow ids of running windows that may cover a service or resource. */
  candidateWindows(about: ReportAbout): Promise<string[]>;
  /** Workflow ids of open reports that may be in a scope. */
  candidateReports(scope: MaintenanceScope): Promise<string[]>;
}

const quoted = (values: readonly string[]): string => values.map((v) => `'${v.replace(/[\\']/g, '')}'`).join(', ');
/** A visibility list is read this far at most per look-up (a window's scope is a handful of services). */
const MAX_LISTED = 5_000;

async function collect(iterable: AsyncIterable<{ workflowId: string }>): Promise<string[]> {
  const ids: string[] = [];
  for await (const execution of iterable) {
    ids.push(execution.workflowId);
    if (ids.length >= MAX_LISTED) break;
  }
  return ids;
}

/** Candidates from Temporal visibility: the search attributes the windows and reports keep. */
export function visibilityDirectory(client: Client, taskQueue?: string): MaintenanceDirectory {
  const onQueue = taskQueue === undefined ? '' : ` AND TaskQueue = '${taskQueue.replace(/'/g, '')}'`;
  return {
    candidateWindows(about) {
      const keys = scopeKeys({ serviceIds: [about.serviceId], resourceIds: about.resourceIds });
      const query = `WorkflowType = '${WINDOW_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND SpdrWindowScope IN (${quoted(keys)})${onQueue}`;
      return collect(client.workflow.list({ query }));
    },
    candidateReports(scope) {
      const byService = scope.serviceIds.length > 0 ? [`SpdrServiceId IN (${quoted(scope.serviceIds)})`] : [];
      const byResource = scope.resourceIds.length > 0 ? [`SpdrRootCauseResourceIds IN (${quoted(scope.resourceIds)})`] : [];
      const query = `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND (${[...byService, ...byResource].join(' OR ')})${onQueue}`;
      return collect(client.workflow.list({ query }));
    },
  };
}

/** Asks each candidate; a candidate that is gone or cannot answer is skipped (it holds nothing). */
export function maintenanceActivities(client: Client, directory: MaintenanceDirectory): MaintenanceActivities {
  return {
    async maintenanceWindowFor(about) {
      const candidates = [...new Set(await directory.candidateWindows(about))].sort();
      for (const workflowId of candidates) {
        const view: WindowView | undefined = await client.workflow
          .getHandle(workflowId)
          .query(windowQuery)
          .catch(() => undefined);
        if (view && holdsNow(view, about)) return { windowId: view.windowId };
      }
      return {};
    },
    async reportsInScope({ scope }) {
      const candidates = [...new Set(await directory.candidateReports(scope))].sort();
      const inside: string[] = [];
      for (const workflowId of candidates) {
        const report: Report | undefined = await client.workflow
          .getHandle(workflowId)
          .query(reportQuery)
          .catch(() => undefined);
        if (report && !isFinal(report.status) && inScope(scope, scopeFactsOf(report))) inside.push(reportIdOfWorkflowId(workflowId));
      }
      return inside;
    },
  };
}

/** The settings answer at a report's opening, with the window that holds it then (so it opens held). */
export type SettingsAtOpen = ReportSettings & { maintenanceWindowId?: string };

/**
 * Wraps `reportSettings` so the answer also names the window holding a report at its opening.
 * A look-up that fails leaves the report unheld for now: the window's own rescans find it.
 */
export function withMaintenanceAtOpen(activities: SpdrActivities, maintenance: MaintenanceActivities): SpdrActivities {
  return {
    ...activities,
    async reportSettings(about?: ReportAbout): Promise<SettingsAtOpen> {
      const settings = await activities.reportSettings();
      if (!about) return settings;
      const found = await maintenance.maintenanceWindowFor(about).catch(() => ({}) as { windowId?: string });
      return found.windowId === undefined ? settings : { ...settings, maintenanceWindowId: found.windowId };
    },
  };
}

/**
 * The report activities plus the maintenance ones, registered together on the worker. Without a
 * client the maintenance activities refuse (non-retryable) and reports open unheld.
 */
export function withMaintenance(
  activities: SpdrActivities,
  maintenance: MaintenanceActivities | undefined,
): SpdrActivities & MaintenanceActivities {
  const refuse = (): never => {
    throw ApplicationFailure.nonRetryable('maintenance windows need the worker to have a Temporal client', 'NoClient');
  };
  if (!maintenance) return { ...activities, maintenanceWindowFor: async () => refuse(), reportsInScope: async () => refuse() };
  return { ...withMaintenanceAtOpen(activities, maintenance), ...maintenance };
}

export { scopeFactsOf };
