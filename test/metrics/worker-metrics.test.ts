/**
 * Worker metrics pinned after a known scenario, with the reports moving between workers midway:
 * worker A opens three reports (two critical, one major), cancels the major one and lets the
 * critical one with a 4 s target breach and escalate; A then stops, and worker B, with its
 * workflow cache disabled (every workflow task replays the whole history), clears and closes the
 * two critical reports. A's and B's `/metrics` are scraped over HTTP: each fact is counted
 * exactly once over the two workers, and B counts nothing of what it replayed. A second scenario
 * takes the trouble system down until a report records the failure: the outside-system failure
 * counter matches what the report recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import type { Report } from '../../src/domain';
import { loadWorkerSettings } from '../../src/config/worker-settings';
import { startMetricsServer, type MetricsServer } from '../../src/metrics/server';
import { SpdrMetrics } from '../../src/metrics/spdr-metrics';
import { startSimulators, type Simulators } from '../../src/simulators/main';
import { createWorker } from '../../src/worker';
import type { degradationReport } from '../../src/workflows';
import { MESSAGES, reportQuery } from '../../src/workflows/messages';
import { connectToDevServer, uniqueTaskQueue, workflowBundle } from '../support/env';
import { openReport } from '../support/open-report';

/** Retries the assertions until they hold or the time is up (then the last failure is thrown). */
async function eventually(check: () => Promise<void>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

type Handle = WorkflowHandle<typeof degradationReport>;

let dev: Awaited<ReturnType<typeof connectToDevServer>>;
let simulators: Simulators;
const taskQueue = uniqueTaskQueue('metrics');
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  dev = await connectToDevServer();
  simulators = await startSimulators({ seed: 16 });
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await simulators?.close();
  await dev?.close();
});

async function startWorker(
  options: { maxCachedWorkflows?: number; env?: Record<string, string>; taskQueue?: string } = {},
): Promise<{ metrics: SpdrMetrics; server: MetricsServer; stop(): Promise<void> }> {
  const { env, taskQueue: queue = taskQueue, ...workerOptions } = options;
  const settings = loadWorkerSettings({ ...simulators.env(), SPDR_TASK_QUEUE: queue, ...env });
  const metrics = new SpdrMetrics();
  const worker: Worker = await createWorker({
    connection: dev.nativeConnection,
    settings,
    workflowBundle: await workflowBundle(),
    metrics,
    ...workerOptions,
  });
  const running = worker.run();
  const server = await startMetricsServer({ metrics, port: 0, host: '127.0.0.1', client: dev.client, taskQueue: queue });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    worker.shutdown();
    await running;
    await server.close();
  };
  closers.push(stop);
  return { metrics, server, stop };
}

/** Parses Prometheus text into `name{labels}` -> value (labels sorted as exported). */
async function scrape(url: string): Promise<Map<string, number>> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  const values = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    values.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return values;
}

const get = (m: Map<string, number>, series: string): number => m.get(series) ?? 0;

function escalationsIn(reports: Report[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of reports)
    for (const h of r.history) {
      const match = h.action === 'escalated' ? /^level (\d+) \((\w+)\)/.exec(h.detail ?? '') : null;
      if (match)
        counts.set(
          `spdr_escalations_total{level="${match[1]}",reason="${match[2]}"}`,
          (counts.get(`spdr_escalations_total{level="${match[1]}",reason="${match[2]}"}`) ?? 0) + 1,
        );
    }
  return counts;
}

/** Opens report MET-<pid>-<n> on the task queue (default: the file's). */
function open(n: number | string, severity: string, extra: Record<string, unknown> = {}, queue = taskQueue): Promise<Handle> {
  const reportId = `MET-${process.pid}-${n}`;
  return openReport({ client: dev.client }, queue, {
    reportId,
    service: { id: 'svc-volte-fra1' },
    severity,
    description: 'VoLTE call setup failures',
    detectedAt: new Date().toISOString(),
    ...extra,
  });
}

describe('worker metrics', () => {
  it('count each fact once across two workers, the second replaying every history', async () => {
    const a = await startWorker();
    const fast = await open(1, 'critical', { jeopardyPolicy: { resolutionTarget: '4s' } });
    const slow = await open(2, 'critical');
    const major = await open(3, 'major');
    await major.executeUpdate(MESSAGES.cancel.update, { args: [{ by: 'noc.anna', reason: 'falseServiceFailureEvent' } as never] });
    // The fast report breaches (4 s) and climbs the ladder to level 2 at least; its notifications are delivered.
    await eventually(async () => {
      const r = await fast.query(reportQuery);
      expect(r.jeopardy.state).toBe('breached');
      expect(r.jeopardy.escalationLevel).toBeGreaterThanOrEqual(2);
    }, 60_000);
    await eventually(async () => {
      const m = await scrape(a.server.url);
      expect(get(m, 'spdr_reports_opened_total{severity="critical"}')).toBe(2);
      expect(get(m, 'spdr_reports_opened_total{severity="major"}')).toBe(1);
      expect(get(m, 'spdr_reports_cancelled_total{severity="major"}')).toBe(1);
      expect(get(m, 'spdr_breaches_total{severity="critical"}')).toBe(1);
      // Visibility: the breached report is inProgress or acknowledged; the other critical one on track.
      const open = [...m].filter(([k]) => k.startsWith('spdr_open_reports{')).reduce((s, [, v]) => s + v, 0);
      expect(open).toBe(2);
      expect(
        get(m, 'spdr_open_reports{jeopardy="breached",status="acknowledged"}') +
          get(m, 'spdr_open_reports{jeopardy="breached",status="inProgress"}'),
      ).toBe(1);
      expect(get(m, 'spdr_escalations_total{level="2",reason="breach"}')).toBe(1);
    }, 30_000);
    await a.stop();
    const fromA = await (async () => {
      // A stopped: read its registry directly (the same text it served).
      return new Map(
        [...a.metrics.registry.render().split('\n')]
          .filter((l) => l && !l.startsWith('#'))
          .map((l) => [l.slice(0, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))]),
      );
    })();

    const b = await startWorker({ maxCachedWorkflows: 0 });
    for (const h of [fast, slow]) {
      await h.executeUpdate(MESSAGES.clear.update, { args: [{ by: 'noc.anna', resolution: 'Uplink replaced' } as never] });
      await h.executeUpdate(MESSAGES.confirmClosure.update, { args: [{ by: 'close.process' } as never] });
    }
    const reports = await Promise.all([fast, slow, major].map(async (h) => (await h.result()) as Report));
    expect(reports.map((r) => r.status)).toEqual(['closed', 'closed', 'cancelled']);
    await eventually(async () => {
      const m = await scrape(b.server.url);
      // Nothing of the replayed past is counted again by B.
      expect(get(m, 'spdr_reports_opened_total{severity="critical"}')).toBe(0);
      expect(get(m, 'spdr_reports_opened_total{severity="major"}')).toBe(0);
      expect(get(m, 'spdr_reports_cancelled_total{severity="major"}')).toBe(0);
      expect(get(m, 'spdr_breaches_total{severity="critical"}')).toBe(0);
      expect(get(m, 'spdr_reports_cleared_total{severity="critical"}')).toBe(2);
      expect(get(m, 'spdr_reports_closed_total{severity="critical"}')).toBe(2);
      // One clearance in time (the slow one), one after its 4 s deadline.
      expect(get(m, 'spdr_reports_cleared_before_deadline_total{severity="critical"}')).toBe(1);
      expect(get(m, 'spdr_time_to_clear_seconds_count{severity="critical"}')).toBe(2);
      expect(get(m, 'spdr_time_to_clear_seconds_bucket{severity="critical",le="+Inf"}')).toBe(2);
      const expectedSum = reports.slice(0, 2).reduce((s, r) => s + (Date.parse(r.clearance!.at) - Date.parse(r.openedAt)) / 1000, 0);
      expect(get(m, 'spdr_time_to_clear_seconds_sum{severity="critical"}')).toBeCloseTo(expectedSum, 3);
      const open = [...m].filter(([k]) => k.startsWith('spdr_open_reports{')).reduce((s, [, v]) => s + v, 0);
      expect(open).toBe(0);
    }, 30_000);
    const fromB = await scrape(b.server.url);
    // Escalations over both workers: exactly those the reports record, once each.
    const expected = escalationsIn(reports);
    expect(expected.get('spdr_escalations_total{level="2",reason="breach"}')).toBe(1);
    const names = new Set([
      ...expected.keys(),
      ...[...fromA.keys(), ...fromB.keys()].filter((k) => k.startsWith('spdr_escalations_total{')),
    ]);
    for (const name of names)
      expect({ name, value: get(fromA, name) + get(fromB, name) }).toEqual({ name, value: expected.get(name) ?? 0 });
    const lateness = get(fromA, 'spdr_escalation_lateness_seconds_count') + get(fromB, 'spdr_escalation_lateness_seconds_count');
    expect(lateness).toBe([...expected.values()].reduce((s, v) => s + v, 0));
  });

  it('count each outside-system failure a report records once', async () => {
    // The trouble system drops every connection; a create failing for 3 s is recorded as a failure.
    const queue = uniqueTaskQueue('metrics-outside');
    const w = await startWorker({ taskQueue: queue, env: { SPDR_HTTP_TIMEOUT_MS: '1000', SPDR_OUTSIDE_FAILURE_ESCALATE_AFTER: '3s' } });
    await fetch(`${simulators.troubleUrl}/admin/faults`, { method: 'POST', body: JSON.stringify({ down: true }) });
    const h = await open('outside', 'minor', {}, queue);
    await h.signal(MESSAGES.addAnalysis.signal, {
      author: 'noc.anna',
      summary: 'line card',
      rootCause: { domain: 'resource', resourceId: 'DSLAM-1' },
    } as never);
    await eventually(async () => expect((await h.query(reportQuery)).outsideFailures.length).toBeGreaterThanOrEqual(1), 30_000);
    await fetch(`${simulators.troubleUrl}/admin/faults`, { method: 'DELETE' });
    await h.executeUpdate(MESSAGES.cancel.update, { args: [{ by: 'noc.anna', reason: 'falseServiceFailureEvent' } as never] });
    const final = (await h.result()) as Report;
    const recorded = final.outsideFailures.filter((f) => f.system === 'resourceTroubleManagement').length;
    expect(recorded).toBeGreaterThanOrEqual(1);
    await eventually(async () => {
      const m = await scrape(w.server.url);
      expect(get(m, 'spdr_outside_system_failures_total{system="resourceTroubleManagement"}')).toBe(recorded);
      expect(get(m, 'spdr_reports_cancelled_total{severity="minor"}')).toBe(1);
    }, 30_000);
    await w.stop();
  });
});
