/**
 * Activity implementations: thin adapters from the report's effects to the outside systems.
 * Each builds the request, lets the integration client classify the answer (retryable or not),
 * and returns plain data. Exactly-once creation rests on the effect's key, sent as the external id.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { redactSecrets } from '../contract/redact';
import type { IntegrationConfig } from '../config/config';
import { notifier } from '../integrations/notify';
import { partnerClient } from '../integrations/partner';
import { troubleTicketClient } from '../integrations/troubleTicket';
import type { SpdrMetrics } from '../metrics/spdr-metrics';
import type { ReportSettings, SpdrActivities } from './types';
import { pinnedCalendars } from './calendars';

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

function cancelled(): boolean {
  try {
    return Context.current().cancellationSignal.aborted;
  } catch {
    return false;
  }
}

function redactedDetail(detail: unknown): unknown {
  try {
    return JSON.parse(redactSecrets(JSON.stringify(detail) ?? 'null', 100_000)) as unknown;
  } catch {
    return '[detail withheld: could not be redacted]';
  }
}

/**
 * The failure an activity hands to Temporal, with every text redacted: what enters the history
 * (and from there the report and its escalations) never carries a token. Retry semantics kept:
 * an ApplicationFailure keeps its type, retryability and delay; any other error stays retryable.
 */
export function redactedFailure(err: unknown): unknown {
  if (cancelled() || !(err instanceof Error)) return err;
  const message = redactSecrets(err.message, 2000);
  if (err instanceof ApplicationFailure) {
    if (message === err.message) return err;
    return ApplicationFailure.create({
      message,
      type: err.type ?? undefined,
      nonRetryable: err.nonRetryable ?? false,
      details: err.details?.map(redactedDetail),
      nextRetryDelay: err.nextRetryDelay ?? undefined,
    });
  }
  return ApplicationFailure.create({ message, type: err.name, nonRetryable: false });
}

/** Every activity of `activities`, its failures passed through {@link redactedFailure}. */
function withRedactedFailures<A extends object>(activities: A): A {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities) as [string, (...args: unknown[]) => Promise<unknown>][]) {
    wrapped[name] = async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        throw redactedFailure(err);
      }
    };
  }
  return wrapped as A;
}

export function createActivities(deps: ActivityDeps): SpdrActivities {
  return withRedactedFailures(reportActivities(deps));
}

function reportActivities(deps: ActivityDeps): SpdrActivities {
  return {
    async reportSettings() {
      const readAtMs = Date.now();
      const calendars = pinnedCalendars(deps.integrations.calendars ?? {}, readAtMs);
      return { ...deps.settings, ...(calendars ? { calendars } : {}), readAtMs };
    },
    ...outsideWorkActivities(deps.integrations),
    ...notificationActivities(deps),
  };
}

type OutsideWorkActivities = Pick<
  SpdrActivities,
  'createTroubleReport' | 'cancelTroubleReport' | 'createPartnerRequest' | 'cancelPartnerRequest'
>;

/** Trouble tickets and partner requests: the effect's key is the external id (exactly one record). */
function outsideWorkActivities(config: IntegrationConfig): OutsideWorkActivities {
  const tickets = troubleTicketClient(config);
  const partners = partnerClient(config);
  return {
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
  };
}

type NotificationActivities = Pick<SpdrActivities, 'dispatchTask' | 'notifyAssignee' | 'notifyEscalation' | 'informClose'>;

/** Every notification goes through the {@link Notifier}: one idempotency key per notified fact. */
function notificationActivities(deps: ActivityDeps): NotificationActivities {
  const notify = notifier(deps.integrations);
  return {
    async dispatchTask(e) {
      await notify.notice(`dispatch task ${e.taskId}`, `spdr-${e.reportId}-task-${e.taskId}-${e.assignee}`, e.reportId, {
        body: { type: 'spdr.taskDispatched', taskId: e.taskId, kind: e.kind, assignee: e.assignee, title: e.title, due: e.due },
        ...callOptions(),
      });
    },
    async notifyAssignee(e) {
      await notify.notice('notify assignee', `spdr-${e.reportId}-assignee-${e.jeopardyState}-${e.deadline}`, e.reportId, {
        body: {
          type: 'spdr.jeopardy',
          assignees: e.assignees,
          jeopardyState: e.jeopardyState,
          deadline: e.deadline,
          detail: e.detail,
          ...(e.children ? { children: e.children } : {}),
        },
        ...callOptions(),
      });
    },
    async notifyEscalation(e) {
      const { reportId, level, reason, jeopardyState, deadline, detail, subject, children } = e;
      await notify.notifyEscalation({ reportId, level, reason, jeopardyState, deadline, detail, subject, children }, callOptions());
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
