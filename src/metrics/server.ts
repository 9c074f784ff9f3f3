/**
 * The worker's `/metrics` endpoint (Prometheus text format): the `spdr_` metrics, then the SDK's
 * own worker metrics (task latencies, slots, sticky cache, ...), which the SDK's core exports on a
 * loopback port of its own ({@link sdkTelemetry}) and this endpoint passes through.
 */
import { createServer as createNetServer } from 'node:net';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { RuntimeOptions } from '@temporalio/worker';
import type { SpdrMetrics } from './spdr-metrics';

export const DEFAULT_METRICS_PORT_WITH_START = 9464;
const OPEN_STATUSES = ['acknowledged', 'inProgress', 'pending', 'held', 'cleared'] as const;
const JEOPARDY = ['onTrack', 'inJeopardy', 'breached'] as const;

/** SPDR_METRICS_PORT: a port (0 or unset: no endpoint, unless `fallback` is given, as `npm start` does). */
export function metricsPortFrom(env: NodeJS.ProcessEnv, fallback?: number): number | undefined {
  const raw = env.SPDR_METRICS_PORT?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) throw new Error(`SPDR_METRICS_PORT: must be a port number 0-65535 (got "${raw}")`);
  const port = Number(raw);
  return port === 0 ? undefined : port;
}

/** SPDR_METRICS_HOST: the address the endpoint binds (default 127.0.0.1; docker-compose sets 0.0.0.0 so its Prometheus reaches it). */
export function metricsHostFrom(env: NodeJS.ProcessEnv): string {
  return env.SPDR_METRICS_HOST?.trim() || '127.0.0.1';
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Runtime telemetry options that make the SDK export its metrics on a free loopback port. */
export async function sdkTelemetry(): Promise<{
  telemetryOptions: NonNullable<RuntimeOptions['telemetryOptions']>;
  sdkMetricsUrl: string;
}> {
  const port = await freeLoopbackPort();
  return {
    telemetryOptions: {
      metrics: {
        prometheus: { bindAddress: `127.0.0.1:${port}`, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true },
      },
    },
    sdkMetricsUrl: `http://127.0.0.1:${port}/metrics`,
  };
}

/** Reads open reports by status and jeopardy from visibility into the gauge. */
export async function collectOpenReports(client: Client, metrics: SpdrMetrics, taskQueue?: string): Promise<void> {
  const readings = await Promise.all(
    OPEN_STATUSES.flatMap((status) =>
      JEOPARDY.map(async (jeopardy) => {
        const query = `WorkflowType = 'degradationReport' AND ExecutionStatus = 'Running' AND SpdrStatus = '${status}' AND SpdrJeopardy = '${jeopardy}'${taskQueue ? ` AND TaskQueue = '${taskQueue}'` : ''}`;
        const { count } = await client.workflow.count(query);
        return { labels: { status, jeopardy }, value: count };
      }),
    ),
  );
  metrics.openReports.replace(readings);
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

export interface MetricsServerOptions {
  metrics: SpdrMetrics;
  port: number;
  host?: string;
  /** Where the SDK's core exports its own metrics (passed through). */
  sdkMetricsUrl?: string;
  /** For the open-reports gauge; without it the gauge is absent. */
  client?: Client;
  /** The open-reports gauge counts the reports of this task queue (the worker's). */
  taskQueue?: string;
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    void (async () => {
      const problems: string[] = [];
      if (options.client)
        await collectOpenReports(options.client, options.metrics, options.taskQueue).catch((err: unknown) =>
          problems.push(`open reports: ${String(err)}`),
        );
      let sdk = '';
      if (options.sdkMetricsUrl) {
        sdk = await fetch(options.sdkMetricsUrl, { signal: AbortSignal.timeout(5000) })
          .then((r) => r.text())
          .catch((err: unknown) => {
            problems.push(`sdk metrics: ${String(err)}`);
            return '';
          });
      }
      const body =
        options.metrics.registry.render() + (problems.length ? problems.map((p) => `# ${p.replace(/\n/g, ' ')}\n`).join('') : '') + sdk;
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  return {
    url: `http://${shownHost}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
