/** Test helpers shared by the Temporal-backed test files. */
import { inject } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Client, Connection } from '@temporalio/client';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/search-attributes';
import { NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { bundleReportWorkflows } from '../../src/infra/workflow-bundle';
import { INDEXED_VALUE_TYPE } from '../../src/infra/cluster-server';
import { loadWorkerSettings, type WorkerSettings } from '../../src/config/worker-settings';

/**
 * A fresh time-skipping server for this test file, with the report search attributes registered.
 *
 * Never terminate a run there that still has work in flight: the server (Java test server of SDK
 * 1.24) holds a time-skipping lock while a workflow task or an activity is outstanding and does not
 * release it when the run is terminated, and a run queried and terminated at once loses one the
 * same way. From then on time is never skipped again: every later `env.sleep` or `result()` of the
 * file waits in real time (10 virtual minutes take 10 minutes), so a later test stalls until its
 * timeout. Let a run end by itself (cancel signal, `result()`), or terminate only what a failed
 * test leaves behind.
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: inject('testServerExecutable') } });
  await registerSearchAttributes(env.connection);
  return env;
}

/** The time-skipping server refuses unknown search attributes, like a real cluster. */
export async function registerSearchAttributes(connection: Connection, namespace = 'default'): Promise<void> {
  const searchAttributes = Object.fromEntries(ALL_SEARCH_ATTRIBUTES.map((k) => [k.name, INDEXED_VALUE_TYPE[k.type]]));
  await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
}

/** Client and native connection to the run's shared dev server. */
export async function connectToDevServer(): Promise<{ client: Client; nativeConnection: NativeConnection; close(): Promise<void> }> {
  const address = inject('devServerAddress');
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    client: new Client({ connection }),
    nativeConnection,
    async close() {
      await nativeConnection.close();
      await connection.close();
    },
  };
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Workflows bundled once per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleReportWorkflows({ logger: quietLogger });
  return bundle;
}

const quietLogger = {
  log() {},
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error(message: string, meta?: Record<string, unknown>) {
    console.error(message, meta ?? '');
  },
};

let counter = 0;
/** A task queue unique to one test, so tests sharing a server never steal each other's tasks. */
export function uniqueTaskQueue(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

/**
 * Worker settings for a test in which no outside call falls due (a report's first threshold hours
 * away): every outside system is an unreachable URL, so a call that did happen would fail loudly.
 */
export function settingsWithoutOutsideCalls(taskQueue: string): WorkerSettings {
  const nowhere = 'http://127.0.0.1:9/unused';
  return loadWorkerSettings({
    SPDR_TASK_QUEUE: taskQueue,
    SPDR_TROUBLE_URL: nowhere,
    SPDR_ESCALATION_URL: nowhere,
    SPDR_CLOSE_URL: nowhere,
  });
}
