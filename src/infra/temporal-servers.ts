/**
 * Starts Temporal servers from the binaries that `temporal-binaries.ts` resolves: the dev server
 * (with Web UI, optional SQLite persistence and our search attributes) and the time-skipping
 * test server.
 */
import { temporal } from '@temporalio/proto';
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
  /** SQLite pragmas for a file-backed server; default: write-ahead logging (`journal_mode=wal`). */
  sqlitePragmas?: string[];
  /** Dynamic config values (`key=value`, value in JSON/YAML), added to and overriding DEV_SERVER_DYNAMIC_CONFIG. */
  dynamicConfig?: string[];
}

/**
 * Server tuning the product relies on. Temporal's timer queue may fire a timer up to
 * `history.timerProcessorMaxTimeShift` late (1 s by default): with that default an escalation was
 * 0.7-0.9 s late before our worker even saw the deadline. 50 ms keeps jeopardy escalations on time
 * (see README, "Benchmarks"). deploy/dynamicconfig/production.yaml sets the same for docker-compose.
 */
export const DEV_SERVER_DYNAMIC_CONFIG: readonly string[] = ['history.timerProcessorMaxTimeShift="50ms"'];

/** The dev server's extra command-line flags for these options. */
export function devServerArgs(opts: DevServerOptions): string[] {
  const args: string[] = [];
  if (opts.dbFilename) for (const pragma of opts.sqlitePragmas ?? ['journal_mode=wal']) args.push('--sqlite-pragma', pragma);
  const byKey = new Map<string, string>();
  for (const entry of [...DEV_SERVER_DYNAMIC_CONFIG, ...(opts.dynamicConfig ?? [])]) byKey.set(entry.slice(0, entry.indexOf('=')), entry);
  for (const entry of byKey.values()) args.push('--dynamic-config-value', entry);
  return args;
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
      extraArgs: devServerArgs(opts),
    },
  });
}

/**
 * The time-skipping test server: a 30-day report runs in seconds. It refuses unknown search
 * attributes like a real cluster, so the report's are registered here.
 */
export async function startTimeSkippingServer(executable?: ServerExecutable): Promise<TestWorkflowEnvironment> {
  const exe = executable ?? (await resolveTestServer());
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: exe } });
  const searchAttributes = Object.fromEntries(
    ALL_SEARCH_ATTRIBUTES.map((key) => [key.name, temporal.api.enums.v1.IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`]]),
  );
  await env.connection.operatorService.addSearchAttributes({ namespace: 'default', searchAttributes });
  return env;
}
