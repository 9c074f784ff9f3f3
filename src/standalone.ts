/**
 * `npm start`: the product on one machine.
 *
 * With no Temporal cluster configured it starts an embedded Temporal dev server (SQLite in
 * `.data/`, so reports survive a restart; Temporal Web on :8233; the project's search attributes
 * registered). With no outside systems configured (SPDR_TROUBLE_URL unset) it starts the
 * simulators too (state in `.data/simulators.json`). Then the worker and its callback listener.
 * With TEMPORAL_ADDRESS or an envconfig profile it uses that cluster instead of the dev server.
 * Ctrl-C stops everything cleanly.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { ConfigError } from './config/config';
import { loadWorkerSettings } from './config/worker-settings';
import { describeTarget, loadTemporalTarget } from './infra/connection';
import { PROJECT_ROOT } from './infra/temporal-binaries';
import { startDevServer } from './infra/temporal-servers';
import { startSimulators } from './simulators/main';
import { runWorkerProcess } from './worker';
import { DEFAULT_METRICS_PORT_WITH_START, metricsHostFrom, metricsPortFrom, sdkTelemetry } from './metrics/server';

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0 || n > 65535) throw new ConfigError([`${name}: must be a port number (got "${raw}")`]);
  return n;
}

async function main(): Promise<void> {
  // Worker lifecycle chatter is INFO; operators running `npm start` want warnings and errors.
  // Metrics: /metrics on SPDR_METRICS_PORT (default 9464 here), the SDK's own metrics passed through.
  const metricsPort = metricsPortFrom(process.env, DEFAULT_METRICS_PORT_WITH_START);
  const telemetry = metricsPort === undefined ? undefined : await sdkTelemetry();
  Runtime.install({
    logger: new DefaultLogger((process.env.SPDR_LOG_LEVEL ?? 'WARN').toUpperCase() as LogLevel),
    telemetryOptions: telemetry?.telemetryOptions,
  });
  const dataDir = resolve(process.env.SPDR_DATA_DIR ?? join(PROJECT_ROOT, '.data'));
  mkdirSync(dataDir, { recursive: true });
  const cleanups: (() => Promise<void>)[] = [];

  try {
    if (!process.env.SPDR_TROUBLE_URL) {
      const callbackPort = portFromEnv('SPDR_CALLBACK_PORT', 8090);
      const simulators = await startSimulators({
        troublePort: portFromEnv('SIM_TROUBLE_PORT', 8081),
        partnerPort: portFromEnv('SIM_PARTNER_PORT', 8082),
        webhookPort: portFromEnv('SIM_WEBHOOK_PORT', 8083),
        stateFile: join(dataDir, 'simulators.json'),
        callbackUrl: `http://127.0.0.1:${callbackPort}/listener`,
      });
      cleanups.push(() => simulators.close());
      Object.assign(process.env, simulators.env(callbackPort));
      console.log(`Simulators: trouble ${simulators.troubleUrl}, partners ${simulators.partnerUrl}, webhooks ${simulators.webhookUrl}`);
    }
    const settings = loadWorkerSettings();
    const target = loadTemporalTarget();

    let webUrl: string | undefined;
    if (!target.configured) {
      const uiPort = portFromEnv('TEMPORAL_UI_PORT', 8233);
      console.log(`Starting the embedded Temporal dev server (data in ${dataDir}) ...`);
      const devServer: TestWorkflowEnvironment = await startDevServer({
        dbFilename: join(dataDir, 'temporal.db'),
        port: portFromEnv('TEMPORAL_DEV_PORT', 7233),
        uiPort,
        ip: process.env.TEMPORAL_DEV_IP ?? '127.0.0.1',
      });
      cleanups.unshift(async () => {
        console.log('Stopping the embedded Temporal dev server ...');
        await devServer.teardown();
      });
      target.config.connectionOptions.address = devServer.address;
      webUrl = `http://localhost:${uiPort}`;
    }

    const observability = { metricsPort, metricsHost: metricsHostFrom(process.env), sdkMetricsUrl: telemetry?.sdkMetricsUrl };
    await runWorkerProcess(
      target,
      settings,
      ({ listenerUrl, metricsUrl }) => {
        console.log('');
        console.log(`Worker polling task queue "${settings.taskQueue}" on ${describeTarget(target)}`);
        console.log(`Callback listener: ${listenerUrl}`);
        if (metricsUrl) console.log(`Metrics: ${metricsUrl}`);
        if (webUrl) console.log(`Temporal Web: ${webUrl}/namespaces/${target.namespace}/workflows`);
        console.log('Open a first report:  npm run starter -- open examples/critical-latency.json');
        console.log('Stop with Ctrl-C.');
      },
      observability,
    );
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
