/**
 * The worker process: runs `degradationReport` workflows and their activities on the task queue,
 * and hosts the callback listener that turns outside-system status notifications into signals.
 * `npm start` runs it beside an embedded dev server; `npm run worker` runs it alone against the
 * cluster that TEMPORAL_ADDRESS (or an envconfig profile) names.
 */
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import {
  NativeConnection,
  Runtime,
  Worker,
  type InjectedSinks,
  type WorkerOptions,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities';
import { maintenanceActivities, visibilityDirectory, withMaintenance } from './activities/maintenance';
import { ConfigError, redactedConfig } from './config/config';
import { loadWorkerSettings, type WorkerSettings } from './config/worker-settings';
import { connectWorker, describeTarget, loadTemporalTarget, type TemporalTarget } from './infra/connection';
import { bundleReportWorkflows } from './infra/workflow-bundle';
import { newSubscriptionToken, type CallbackSource } from './integrations/callback-auth';
import { CallbackRefusedError, startCallbackListener } from './integrations/callbacks';
import { partnerClient } from './integrations/partner';
import { troubleTicketClient } from './integrations/troubleTicket';
import { describeEncryption, workerDataConverter } from './security/data-converter';
import { metricsHostFrom, metricsPortFrom, sdkTelemetry, startMetricsServer } from './metrics/server';
import { SpdrMetrics } from './metrics/spdr-metrics';
import type { SpdrMetricsSinks } from './workflows/shell/metrics';

import { MESSAGES } from './contract';
import { redactSecrets } from './contract/redact';

export { DEFAULT_TASK_QUEUE } from './contract';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  settings: WorkerSettings;
  /** A pre-built workflow bundle (tests and benchmarks build it once); default: bundle `./workflows`. */
  workflowBundle?: WorkflowBundleWithSourceMap;
  /** Payload encryption (`TemporalTarget.dataConverter`); undefined = none. Must match the clients'. */
  dataConverter?: DataConverter;
  /** Where this worker counts its `spdr_` metrics (default: a registry of its own, not exported). */
  metrics?: SpdrMetrics;
  /** Workflow cache size (default: the SDK's); 0 makes every workflow task replay the whole history. */
  maxCachedWorkflows?: number;
  /** The client maintenance windows and reports ask each other through (visibility and queries); without it they cannot find each other. */
  client?: Client;
}

/** Metrics options of {@link runWorkerProcess}: the `/metrics` port and the SDK's own exporter. */
export interface WorkerObservability {
  metricsPort?: number;
  metricsHost?: string;
  sdkMetricsUrl?: string;
}

/**
 * The worker options every report worker runs with (the product's worker here, the benchmark's in
 * bench/worker-process.ts): activities, metric sinks, data converter, shutdown grace, task slots
 * and pollers. Only the connection and the workflow bundle differ.
 */
export function reportWorkerOptions({
  settings,
  dataConverter,
  metrics = new SpdrMetrics(),
  maxCachedWorkflows,
  client,
}: Pick<CreateWorkerOptions, 'settings' | 'dataConverter' | 'metrics' | 'maxCachedWorkflows' | 'client'>): Omit<
  WorkerOptions,
  'connection' | 'workflowBundle'
> {
  const deps: ActivityDeps = { integrations: settings.integrations, settings: settings.report, metrics };
  // Not called while replaying: a report replayed on this worker counts nothing again.
  const sinks: InjectedSinks<SpdrMetricsSinks> = {
    spdrMetrics: { record: { fn: (_info, facts) => metrics.record(facts), callDuringReplay: false } },
  };
  return {
    taskQueue: settings.taskQueue,
    activities: withMaintenance(
      createActivities(deps),
      client && maintenanceActivities(client, visibilityDirectory(client, settings.taskQueue)),
    ),
    sinks,
    ...(maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows }),
    // Graceful shutdown: in-flight activities get this long to finish on SIGTERM/SIGINT.
    shutdownGraceTime: settings.shutdownGraceMs,
    // An undecodable signal or update is refused by the report instead of failing its workflow tasks.
    dataConverter: workerDataConverter(dataConverter),
  };
}

export async function createWorker({
  connection,
  namespace,
  settings,
  workflowBundle,
  dataConverter,
  metrics,
  maxCachedWorkflows,
  client,
}: CreateWorkerOptions): Promise<Worker> {
  return Worker.create({
    ...reportWorkerOptions({ settings, dataConverter, metrics, maxCachedWorkflows, client }),
    connection,
    namespace: namespace ?? 'default',
    // Always the product's bundle (preloaded modules and the workflow payload converter included).
    workflowBundle: workflowBundle ?? (await bundleReportWorkflows()),
  });
}

/**
 * Runs the worker and the callback listener until SIGINT/SIGTERM; resolves once both stopped.
 * `onReady` runs when the worker polls and the listener listens.
 */
export async function runWorkerProcess(
  target: TemporalTarget,
  settings: WorkerSettings,
  onReady?: (info: { listenerUrl: string; metricsUrl?: string }) => void,
  observability: WorkerObservability = {},
): Promise<void> {
  const nativeConnection = await connectWorker(target);
  const connection = await Connection.connect(target.config.connectionOptions);
  const client = new Client({ connection, namespace: target.namespace, dataConverter: target.dataConverter });
  const metrics = new SpdrMetrics();
  const worker = await createWorker({
    connection: nativeConnection,
    namespace: target.namespace,
    settings,
    dataConverter: target.dataConverter,
    metrics,
    client,
  });
  const metricsServer =
    observability.metricsPort === undefined
      ? undefined
      : await startMetricsServer({
          metrics,
          port: observability.metricsPort,
          host: observability.metricsHost,
          sdkMetricsUrl: observability.sdkMetricsUrl,
          client,
          taskQueue: settings.taskQueue,
        });
  const callbacks = settings.integrations.callbacks;
  // For hubs that cannot sign: one unguessable token per subscription, in the callback URL.
  const subscriptions = callbacks.publicUrl === undefined ? [] : hubSubscriptions(settings);
  const listener = await startCallbackListener({
    host: callbacks.host,
    port: callbacks.port,
    auth: {
      secrets: { troubleTicket: callbacks.secrets.troubleTicket?.reveal(), partner: callbacks.secrets.partner?.reveal() },
      unauthenticated: callbacks.unauthenticated,
      hubTokens: new Map(subscriptions.map((sub) => [sub.token, sub.source])),
    },
    // As an update, so a change the report refuses (an id it does not hold, ...) is answered 422 to the hub.
    signal: async (workflowId, name, payload) => {
      try {
        // The callback schemas are the contract's payloads of these two messages (checked in callbacks.ts).
        await client.workflow.getHandle(workflowId).executeUpdate(MESSAGES[name].update, { args: [payload as never] });
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError) throw new CallbackRefusedError(err.cause?.message ?? err.message);
        throw err;
      }
    },
  });
  const hubs = await subscribeHubs(subscriptions, `${callbacks.publicUrl}/listener/hub`);
  try {
    const running = worker.run();
    onReady?.({ listenerUrl: listener.listenerUrl, metricsUrl: metricsServer?.url });
    await running;
  } finally {
    // Graceful shutdown: the hubs stop calling a listener that is going away.
    await hubs.unsubscribe();
    await listener.close();
    await metricsServer?.close();
    await connection.close();
    await nativeConnection.close();
  }
}

/**
 * Registers every subscription (`POST /hub`, callback `<base>/<token>`); `unsubscribe` deletes the
 * ones registered (`DELETE /hub/{id}`). A system that cannot be reached is logged, never fatal:
 * at start it keeps working with signed callbacks, at shutdown the hub may keep a stale listener.
 */
export async function subscribeHubs(
  subscriptions: readonly HubSubscription[],
  callbackBase: string,
  warn: (line: string) => void = (line) => console.warn(line),
  info: (line: string) => void = (line) => console.log(line),
): Promise<{ registered: number; unsubscribe(): Promise<void> }> {
  const registered: { sub: HubSubscription; hubId: string }[] = [];
  const problem = (what: string, err: unknown) => warn(redactSecrets(`${what}: ${err instanceof Error ? err.message : String(err)}`));
  for (const sub of subscriptions) {
    try {
      const { hubId } = await sub.register(`${callbackBase}/${sub.token}`);
      registered.push({ sub, hubId });
      info(`subscribed to ${sub.name} status events (callback ${callbackBase}/<token>)`);
    } catch (err) {
      problem(`could not subscribe to ${sub.name} status events`, err);
    }
  }
  return {
    registered: registered.length,
    async unsubscribe() {
      for (const { sub, hubId } of registered.splice(0)) {
        await sub.unregister(hubId).then(
          () => info(`unsubscribed from ${sub.name} status events`),
          (err: unknown) => problem(`could not delete the ${sub.name} subscription ${hubId}`, err),
        );
      }
    },
  };
}

export interface HubSubscription {
  name: string;
  source: CallbackSource;
  token: string;
  register(callback: string): Promise<{ hubId: string }>;
  unregister(hubId: string): Promise<unknown>;
}

/** The subscriptions the worker registers at start (`POST /hub`) when SPDR_CALLBACK_PUBLIC_URL is set. */
export function hubSubscriptions(settings: WorkerSettings): HubSubscription[] {
  const config = settings.integrations;
  const tickets = troubleTicketClient(config);
  const partners = partnerClient(config);
  return [
    {
      name: 'resource trouble management',
      source: 'troubleTicket',
      token: newSubscriptionToken(),
      register: (callback) => tickets.registerListener(callback),
      unregister: (hubId) => tickets.unregisterListener(hubId),
    },
    ...config.partners.map((partner): HubSubscription => ({
      name: `partner ${partner.partyId}`,
      source: 'partner',
      token: newSubscriptionToken(),
      register: (callback) => partners.registerListener(partner.partyId, callback),
      unregister: (hubId) => partners.unregisterListener(partner.partyId, hubId),
    })),
  ];
}

async function main(): Promise<void> {
  const settings = loadWorkerSettings();
  const target = loadTemporalTarget();
  const metricsPort = metricsPortFrom(process.env);
  let sdkMetricsUrl: string | undefined;
  if (metricsPort !== undefined) {
    const telemetry = await sdkTelemetry();
    Runtime.install({ telemetryOptions: telemetry.telemetryOptions });
    sdkMetricsUrl = telemetry.sdkMetricsUrl;
  }
  const observability = { metricsPort, metricsHost: metricsHostFrom(process.env), sdkMetricsUrl };
  await runWorkerProcess(
    target,
    settings,
    ({ listenerUrl, metricsUrl }) => {
      console.log(`worker polling task queue "${settings.taskQueue}" on ${describeTarget(target)}`);
      console.log(`callback listener: ${listenerUrl}`);
      if (metricsUrl) console.log(`metrics: ${metricsUrl}`);
      console.log(`integrations: ${JSON.stringify(redactedConfig(settings.integrations))}`);
      console.log(describeEncryption());
    },
    observability,
  );
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof ConfigError || !(err instanceof Error) ? String(err instanceof Error ? err.message : err) : err.message);
    process.exit(err instanceof ConfigError ? 2 : 1);
  });
}
