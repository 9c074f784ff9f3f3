/**
 * Starts Temporal servers from the binaries that `temporal-binaries.ts` resolves: the dev server
 * (with Web UI, optional SQLite persistence and our search attributes) and the time-skipping
 * test server.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ALL_SEARCH_ATTRIBUTES } from '../search-attributes';
import { resolveTemporalExecutable, type ServerExecutable } from './temporal-binaries';

export interface DevServerOptions {
  /** SQLite file; omitted = in-memory (tests). */
  dbFilename?: string;
  /** gRPC port; omitted = a free port. */
  port?: number;
  /** Web UI port; omitted = no UI. */
  uiPort?: number;
  namespace?: string;
  ip?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

export async function resolveCli(): Promise<ServerExecutable> {
  return resolveTemporalExecutable('cli', {
    trySdkDownload: async (executable) => {
      const env = await TestWorkflowEnvironment.createLocal({ server: { executable } });
      await env.teardown();
    },
  });
}

export async function resolveTestServer(): Promise<ServerExecutable> {
  return resolveTemporalExecutable('test-server', {
    trySdkDownload: async (executable) => {
      const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable } });
      await env.teardown();
    },
  });
}

/** A dev server (Temporal CLI) with the project's search attributes registered. */
export async function startDevServer(opts: DevServerOptions = {}, executable?: ServerExecutable): Promise<TestWorkflowEnvironment> {
  const exe = executable ?? (await resolveCli());
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: exe,
      dbFilename: opts.dbFilename,
      port: opts.port,
      ip: opts.ip,
      ui: opts.uiPort !== undefined,
      uiPort: opts.uiPort,
      namespace: opts.namespace,
      log: { format: 'pretty', level: opts.logLevel ?? 'warn' },
      searchAttributes: [...ALL_SEARCH_ATTRIBUTES],
    },
  });
}

/** The time-skipping test server: a 30-day report runs in seconds. */
export async function startTimeSkippingServer(executable?: ServerExecutable): Promise<TestWorkflowEnvironment> {
  const exe = executable ?? (await resolveTestServer());
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: exe } });
}
