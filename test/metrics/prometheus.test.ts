/**
 * A real Prometheus (Debian's `prometheus` package, /usr/bin/prometheus or PROMETHEUS_BIN)
 * scrapes real worker processes (`src/worker.ts`, the `npm run worker` entry, with
 * SPDR_METRICS_PORT) every second during a scenario, and PromQL over its HTTP API returns the
 * scenario's counts. Midway the worker is SIGKILLed and another one takes over on a port of its
 * own (as a second worker of a deployment would): the sums over both stay exact, nothing of what
 * the second worker replays is counted again. The SDK's own worker metrics (`temporal_...`) come
 * through the same endpoint.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import type { Report } from '../../src/domain';
import { freeLoopbackPort } from '../../src/metrics/server';
import { startSimulators, type Simulators } from '../../src/simulators/main';
import type { degradationReport } from '../../src/workflows';
import { MESSAGES } from '../../src/workflows/messages';
import { uniqueTaskQueue } from '../support/env';
import { scratchDir } from '../reliability/helpers';
import { dashboardExprs, metricNames } from './dashboard-exprs';
import { WORKFLOW_TYPE, reportWorkflowId } from '../../src/contract';

const ROOT = resolve(__dirname, '../..');

/** Finds the prometheus binary or fails with what to do. */
export function findPrometheus(): string {
  const candidates = [process.env.PROMETHEUS_BIN, '/usr/bin/prometheus', '/usr/local/bin/prometheus'].filter((p): p is string =>
    Boolean(p),
  );
  for (const c of candidates) if (existsSync(c) && spawnSync(c, ['--version']).status === 0) return c;
  throw new Error(
    `prometheus not found (tried ${candidates.join(', ')}): install the Debian package (apt-get install prometheus) or set PROMETHEUS_BIN`,
  );
}

let tmp: string;
let simulators: Simulators;
let connection: Connection;
let client: Client;
let prometheus: ChildProcess | undefined;
let promUrl: string;
const workers: ChildProcess[] = [];
const taskQueue = uniqueTaskQueue('prom');
const address = inject('devServerAddress');

/**
 * The open-reports gauge of a worker as of a scrape after every report ended (the closed counter can
 * be scraped a moment before the last report's gauge update); throws if it never reads 0 within 30 s.
 */
async function openReportsOnceEnded(port: number): Promise<number | undefined> {
  return until(
    'open reports 0',
    () => query(`max(spdr_open_reports{instance="127.0.0.1:${port}"})`),
    (v) => v === 0,
    30_000,
  );
}

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  let error: unknown;
  while (Date.now() < end) {
    try {
      last = await read();
      if (ok(last)) return last;
    } catch (err) {
      error = err;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)}${error ? `, error: ${String(error)}` : ''})`);
}

async function startWorker(metricsPort: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...simulators.env(0),
      TEMPORAL_ADDRESS: address,
      SPDR_TASK_QUEUE: taskQueue,
      SPDR_METRICS_PORT: String(metricsPort),
      SPDR_METRICS_HOST: '127.0.0.1',
      SPDR_CALLBACK_PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  workers.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  // The two lines are printed one after the other but may arrive in separate chunks: wait for both.
  const metricsLine = `metrics: http://127.0.0.1:${metricsPort}/metrics`;
  await until(
    'the worker to poll and print its metrics address',
    async () => out,
    (o) => (o.includes('worker polling') && o.includes(metricsLine)) || child.exitCode !== null,
    120_000,
  );
  if (child.exitCode !== null) throw new Error(`worker exited: ${out}`);
  expect(out).toContain(metricsLine);
  return child;
}

async function query(expr: string): Promise<number | undefined> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; error?: string; data: { result: { value: [number, string] }[] } };
  if (body.status !== 'success') throw new Error(`PromQL ${expr}: ${body.error}`);
  const first = body.data.result[0];
  return first ? Number(first.value[1]) : undefined;
}

beforeAll(async () => {
  const bin = findPrometheus();
  tmp = scratchDir('spdr-prom-');
  simulators = await startSimulators({ seed: 1616 });
  connection = await Connection.connect({ address });
  client = new Client({ connection });
  const [portA, portB, promPort] = [await freeLoopbackPort(), await freeLoopbackPort(), await freeLoopbackPort()];
  process.env.SPDR_TEST_PORTS = `${portA},${portB}`;
  const config = join(tmp, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: spdr-worker',
      '    static_configs:',
      `      - targets: ["127.0.0.1:${portA}", "127.0.0.1:${portB}"]`,
      '',
    ].join('\n'),
  );
  prometheus = spawn(
    bin,
    [`--config.file=${config}`, `--storage.tsdb.path=${join(tmp, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`],
    { stdio: 'ignore' },
  );
  promUrl = `http://127.0.0.1:${promPort}`;
  await until(
    'prometheus to be ready',
    async () => (await fetch(`${promUrl}/-/ready`)).status,
    (s) => s === 200,
  );
});

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  prometheus?.kill('SIGTERM');
  await simulators?.close();
  await connection?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('Prometheus scrapes the worker', () => {
  it('PromQL returns the scenario counts, exact across a worker killed midway', async () => {
    const [portA, portB] = process.env.SPDR_TEST_PORTS!.split(',').map(Number);
    const a = await startWorker(portA);
    const id = (n: number) => `PROM-${process.pid}-${n}`;
    const handles = await Promise.all(
      ['critical', 'critical', 'major'].map((severity, n) =>
        client.workflow.start<typeof degradationReport>(WORKFLOW_TYPE, {
          taskQueue,
          workflowId: reportWorkflowId(id(n)),
          args: [
            {
              reportId: id(n),
              service: { id: 'svc-volte-fra1' },
              severity,
              description: 'VoLTE call setup failures',
              detectedAt: new Date().toISOString(),
            } as never,
          ],
        }),
      ),
    );
    await handles[2].executeUpdate(MESSAGES.cancel.update, { args: [{ by: 'noc.anna', reason: 'falseServiceFailureEvent' } as never] });
    await until(
      'A counted and scraped',
      () => query('sum(spdr_reports_opened_total)'),
      (v) => v === 3,
    );
    await until(
      'A cancelled scraped',
      () => query('sum(spdr_reports_cancelled_total{severity="major"})'),
      (v) => v === 1,
    );
    // The SDK's own worker metrics come through the same endpoint.
    const sdkSeries = await until(
      'SDK metrics scraped',
      () => query('count({job="spdr-worker",__name__=~"temporal_.+"})'),
      (v) => (v ?? 0) > 0,
    );
    expect(sdkSeries).toBeGreaterThan(0);
    // Every SDK metric the Grafana dashboard uses is really exported; every dashboard expression parses.
    const names = (await (await fetch(`${promUrl}/api/v1/label/__name__/values`)).json()) as { data: string[] };
    for (const name of new Set(
      dashboardExprs()
        .flatMap(metricNames)
        .filter((n) => n.startsWith('temporal_')),
    ))
      expect({ name, exported: names.data.includes(name) }).toEqual({ name, exported: true });
    for (const expr of dashboardExprs()) await query(expr);

    a.kill('SIGKILL');
    await until(
      'A down',
      () => query(`up{instance="127.0.0.1:${portA}"}`),
      (v) => v === 0,
    );
    await startWorker(portB);
    for (const h of handles.slice(0, 2)) {
      await h.executeUpdate(MESSAGES.clear.update, { args: [{ by: 'noc.anna', resolution: 'Uplink replaced' } as never] });
      await h.executeUpdate(MESSAGES.confirmClosure.update, { args: [{ by: 'close.process' } as never] });
    }
    const reports = await Promise.all(handles.map(async (h) => (await h.result()) as Report));
    expect(reports.map((r) => r.status)).toEqual(['closed', 'closed', 'cancelled']);

    // Over both workers (A's last scraped values and B's): each fact once.
    const over = (m: string) => `sum(last_over_time(${m}[10m]))`;
    await until(
      'B closed scraped',
      () => query(over('spdr_reports_closed_total{severity="critical"}')),
      (v) => v === 2,
    );
    expect(await query(over('spdr_reports_opened_total'))).toBe(3);
    expect(await query(over('spdr_reports_opened_total{severity="critical"}'))).toBe(2);
    expect(await query(over('spdr_reports_cancelled_total'))).toBe(1);
    expect(await query(over('spdr_reports_cleared_total{severity="critical"}'))).toBe(2);
    expect(await query(over('spdr_time_to_clear_seconds_count'))).toBe(2);
    // B replayed all three reports and counted none of their openings.
    expect(await query(`sum(spdr_reports_opened_total{instance="127.0.0.1:${portB}"})`)).toBeUndefined();
    expect(await openReportsOnceEnded(portB)).toBe(0);
  });
});
