/** Shared by the sections: report inputs, message payloads, CPU probes, the section context. */
import { readFileSync } from 'node:fs';
import type { temporal } from '@temporalio/proto';
import type { Harness } from '../harness';
import type { Progress } from '../progress';
import { reportQuery, reportWorkflowId } from '../../src/contract';
import { troubleTicketExternalId, type MessagePayloadJson, type Report } from '../../src/domain';

export interface Mode {
  quick: boolean;
}

export interface SectionContext {
  h: Harness;
  progress: Progress;
  quick: boolean;
  /** A prefix that keeps this run's workflow ids apart from any other run on the same server. */
  runTag: string;
}

const SEVERITIES = ['critical', 'major', 'minor', 'warning'] as const;

/** A start input like examples/critical-latency.json; `policy` overrides the jeopardy policy. */
export function startInput(
  reportId: string,
  opts: { severityIndex?: number; policy?: Record<string, unknown> } = {},
): Record<string, unknown> {
  return {
    reportId,
    service: { id: 'svc-volte-fra1', name: 'VoLTE core Frankfurt 1' },
    severity: SEVERITIES[(opts.severityIndex ?? 0) % SEVERITIES.length],
    description: 'Call setup latency p95 above 3 s',
    detectedAt: new Date().toISOString(),
    degradedKpis: [{ name: 'callSetupLatencyP95', threshold: 3000, observed: 4200, unit: 'ms' }],
    ...(opts.policy ? { jeopardyPolicy: opts.policy } : {}),
  };
}

export const RESOURCE_CAUSE_ANALYSIS = {
  author: 'noc.anna',
  summary: 'Packet loss on PE-7 uplink',
  rootCause: { domain: 'resource', resourceId: 'PE-7' },
} satisfies MessagePayloadJson<'addAnalysis'>;

export const workflowIdOf = reportWorkflowId;
export const troubleKeyOf = (reportId: string, resourceId = 'PE-7'): string => troubleTicketExternalId(reportId, resourceId);

const CLOCK_TICKS_PER_S = 100;

/** User+system CPU time of a process in ms, from /proc/<pid>/stat; NaN when unknown. */
export function cpuMsOf(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11] = utime, fields[12] = stime (fields 14 and 15 of the full line)
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return Number.NaN;
  }
}

/** CPU ms of this process (the load generator and the simulators). */
export function selfCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Wall-clock ms of a history event. */
export function eventTimeMs(event: temporal.api.history.v1.IHistoryEvent): number {
  const t = event.eventTime;
  if (!t) return Number.NaN;
  return Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}

/** Waits until the worker process has been (nearly) idle for a while, e.g. after a burst of starts. */
export async function waitForQuiet(
  pids: Array<number | undefined>,
  opts: { maxMs: number; windowMs?: number; threshold?: number },
): Promise<number> {
  const windowMs = opts.windowMs ?? 500;
  const threshold = opts.threshold ?? 0.1;
  const started = Date.now();
  let last = pids.map(cpuMsOf);
  for (;;) {
    await new Promise((r) => setTimeout(r, windowMs));
    const now = pids.map(cpuMsOf);
    const busiest = Math.max(...now.map((v, i) => (v - last[i]) / windowMs));
    last = now;
    if (busiest < threshold || Date.now() - started > opts.maxMs) return Date.now() - started;
  }
}

/**
 * Queries `report`, waiting while the report is still opening (its first workflow task, which
 * reads the settings, has not completed: the query is refused until then).
 */
export async function queryOpenReport<T>(handle: { query(def: typeof reportQuery): Promise<Report> }, maxWaitMs = 60_000): Promise<T> {
  const until = Date.now() + maxWaitMs;
  for (;;) {
    try {
      return (await handle.query(reportQuery)) as T;
    } catch (err) {
      const opening = err instanceof Error && (/still opening/.test(err.message) || err.name === 'QueryNotRegisteredError');
      if (!opening || Date.now() > until) throw err;
      // Each refused query is still a task for the worker: ask a few times a second, not more.
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
