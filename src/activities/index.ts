/**
 * Activity implementations: thin adapters from the report's effects to the outside systems.
 * Each builds the request, lets the integration client classify the answer (retryable or not),
 * and returns plain data. Exactly-once creation rests on the effect's key, sent as the external id.
 */
import { Context } from '@temporalio/activity';
import { escalationUrlForLevel, type IntegrationConfig } from '../config/config';
import { sendHttp } from '../integrations/http';
import { reportWorkflowId } from '../integrations/ids';
import { notifier, reportLink, ESCALATION_SYSTEM } from '../integrations/notify';
import { partnerClient } from '../integrations/partner';
import { troubleTicketClient } from '../integrations/troubleTicket';
import type { SpdrMetrics } from '../metrics/spdr-metrics';
import type { ReportSettings, SpdrActivities } from './types';

export type { ReportSettings, SpdrActivities } from './types';

export interface ActivityDeps {
  integrations: IntegrationConfig;
  settings: ReportSettings;
  /** Escalations are counted here once delivered. */
  metrics?: SpdrMetrics;
}

function scheduledAtMs(): number {
  try {
    return Context.current().info.scheduledTimestampMs;
  } catch {
    return Date.now();
  }
}

/** Cancels the HTTP call when Temporal cancels the activity (e.g. the worker shuts down). */
function callOptions(): { signal?: AbortSignal } {
  try {
    return { signal: Context.current().cancellationSignal };
  } catch {
    return {};
  }
}

export function createActivities(deps: ActivityDeps): SpdrActivities {
  const config = deps.integrations;
  const tickets = troubleTicketClient(config);
  const partners = partnerClient(config);
  const notify = notifier(config);

  /** Task dispatch and assignee notices go to the level-0 notification webhook. */
  async function notice(operation: string, idempotencyKey: string, reportId: string, body: Record<string, unknown>): Promise<void> {
    await sendHttp({
      system: ESCALATION_SYSTEM,
      operation,
      method: 'POST',
      url: escalationUrlForLevel(config, 0),
      headers: { 'idempotency-key': idempotencyKey.replace(/[^A-Za-z0-9._:@-]/g, '-') },
      timeoutMs: config.http.timeoutMs,
      ...callOptions(),
      body: { ...body, reportId, workflowId: reportWorkflowId(reportId), link: reportLink(config, reportId) },
    });
  }

  return {
    async reportSettings() {
      return { ...deps.settings, readAtMs: Date.now() };
    },
    async createTroubleReport(e) {
      const t = await tickets.createTroubleTicket(
        { externalId: e.key, reportId: e.reportId, resourceId: e.resourceId, severity: e.severity, description: e.description },
        callOptions(),
      );
      return { ticketId: t.ticketId, status: t.status };
    },
    async cancelTroubleReport(e) {
      await tickets.cancelTroubleTicket({ ticketId: e.ticketId, externalId: e.key, reason: e.reason }, callOptions());
    },
    async createPartnerRequest(e) {
      const r = await partners.createPartnerRequest(
        { externalId: e.key, reportId: e.reportId, partyId: e.partyId, resourceId: e.resourceId, description: e.description, due: e.due },
        callOptions(),
      );
      return { requestId: r.requestId, status: r.status };
    },
    async cancelPartnerRequest(e) {
      await partners.cancelPartnerRequest(
        { externalId: e.key, partyId: e.partyId, requestId: e.requestId, reason: e.reason },
        callOptions(),
      );
    },
    async dispatchTask(e) {
      await notice(`dispatch task ${e.taskId}`, `spdr-${e.reportId}-task-${e.taskId}-${e.assignee}`, e.reportId, {
        type: 'spdr.taskDispatched',
        taskId: e.taskId,
        kind: e.kind,
        assignee: e.assignee,
        title: e.title,
        due: e.due,
      });
    },
    async notifyAssignee(e) {
      await notice('notify assignee', `spdr-${e.reportId}-assignee-${e.jeopardyState}-${e.deadline}`, e.reportId, {
        type: 'spdr.jeopardy',
        assignees: e.assignees,
        jeopardyState: e.jeopardyState,
        deadline: e.deadline,
        detail: e.detail,
        ...(e.children ? { children: e.children } : {}),
      });
    },
    async notifyEscalation(e) {
      await notify.notifyEscalation(
        {
          reportId: e.reportId,
          level: e.level,
          reason: e.reason,
          jeopardyState: e.jeopardyState,
          deadline: e.deadline,
          detail: e.detail,
          subject: e.subject,
          children: e.children,
        },
        callOptions(),
      );
      deps.metrics?.escalationDelivered(e.level, e.reason, (Date.now() - scheduledAtMs()) / 1000);
    },
    async informClose(e) {
      await notify.informClose(
        { reportId: e.reportId, resolution: e.resolution, clearedAt: e.clearedAt, by: 'spdr-orchestrator' },
        callOptions(),
      );
    },
  };
}
