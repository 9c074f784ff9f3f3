/**
 * Worker settings beyond the integration endpoints: task queue, jeopardy defaults per severity,
 * outside-failure escalation window, shutdown grace. Validated at start; every bad field is one
 * line of one error, and the worker does not start.
 */
import { z } from 'zod';
import { DurationSchema, JeopardyPolicyOverride, Severity, type PolicyDefaults } from '../domain';
import { unknownCalendarReason } from '../domain/business-time';
import { DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS, DEFAULT_TASK_QUEUE, type ReportSettings } from '../contract';
import { ConfigError, loadIntegrationConfig, type IntegrationConfig } from './config';

export interface WorkerSettings {
  taskQueue: string;
  report: ReportSettings;
  shutdownGraceMs: number;
  integrations: IntegrationConfig;
}

const PolicyDefaultsSchema = z.partialRecord(Severity, JeopardyPolicyOverride);

function fieldProblems(name: string, error: z.ZodError): string[] {
  return error.issues.map((i) => `${[name, ...i.path.map(String)].join('.')}: ${i.message}`);
}

export function loadWorkerSettings(env: NodeJS.ProcessEnv = process.env): WorkerSettings {
  const problems: string[] = [];
  let integrations: IntegrationConfig | undefined;
  try {
    integrations = loadIntegrationConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) problems.push(...err.problems);
    else throw err;
  }

  let policyDefaults = {};
  if (env.SPDR_JEOPARDY_DEFAULTS) {
    let json: unknown;
    try {
      json = JSON.parse(env.SPDR_JEOPARDY_DEFAULTS);
    } catch {
      problems.push('SPDR_JEOPARDY_DEFAULTS: must be JSON, e.g. {"critical":{"resolutionTarget":"2h"}}');
    }
    if (json !== undefined) {
      const parsed = PolicyDefaultsSchema.safeParse(json);
      if (parsed.success) policyDefaults = parsed.data;
      else problems.push(...fieldProblems('SPDR_JEOPARDY_DEFAULTS', parsed.error));
    }
  }

  const duration = (name: string, fallback: string): number => {
    const parsed = DurationSchema.safeParse(env[name] || fallback);
    if (parsed.success) return parsed.data;
    problems.push(`${name}: must be a duration such as "15m" or "1h" (got "${env[name]}")`);
    return 0;
  };
  const outsideFailureEscalateAfterMs = duration('SPDR_OUTSIDE_FAILURE_ESCALATE_AFTER', '15m');
  const shutdownGraceMs = duration('SPDR_SHUTDOWN_GRACE', '10s');

  const canRaw = env.SPDR_CONTINUE_AS_NEW_AFTER_EVENTS || String(DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS);
  const continueAsNewAfterEvents = Number(canRaw);
  if (!Number.isInteger(continueAsNewAfterEvents) || continueAsNewAfterEvents < 200 || continueAsNewAfterEvents > 50_000) {
    problems.push(`SPDR_CONTINUE_AS_NEW_AFTER_EVENTS: must be a whole number from 200 to 50000 (got "${canRaw}")`);
  }

  const taskQueue = env.SPDR_TASK_QUEUE || DEFAULT_TASK_QUEUE;
  if (!/^[\w.:-]{1,200}$/.test(taskQueue)) problems.push(`SPDR_TASK_QUEUE: must be letters, digits, . _ : - (got "${taskQueue}")`);

  // A configured policy naming a calendar that SPDR_CALENDARS does not define would refuse every such report: refuse the worker instead.
  if (integrations) {
    for (const [severity, policy] of Object.entries(policyDefaults as PolicyDefaults)) {
      if (policy?.calendar !== undefined && !Object.prototype.hasOwnProperty.call(integrations.calendars, policy.calendar)) {
        problems.push(
          `SPDR_JEOPARDY_DEFAULTS.${severity}.calendar: ${unknownCalendarReason(policy.calendar, integrations.calendars).replace(/^jeopardyPolicy\.calendar: /, '')}`,
        );
      }
    }
  }
  if (problems.length > 0 || !integrations) throw new ConfigError(problems);
  return {
    taskQueue,
    report: {
      policyDefaults,
      outsideFailureEscalateAfterMs,
      continueAsNewAfterEvents,
      activityStartToCloseMs: integrations.http.timeoutMs * 3 + 5000,
    },
    shutdownGraceMs,
    integrations,
  };
}
