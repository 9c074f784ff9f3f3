/**
 * What every section runs against: a local Temporal dev server on a SQLite file in a temp folder,
 * the project's simulators, the product's worker in a child process, a client, and the probes
 * (process memory from /proc, database bytes on disk, what the simulators received).
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { bundleReportWorkflows } from '../src/infra/workflow-bundle';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerArgs, startDevServer, type DevServerOptions } from '../src/infra/temporal-servers';
import { startSimulators, type Simulators } from '../src/simulators/main';
import type { ReceivedWebhook } from '../src/simulators/webhookSink';

export interface HarnessOptions {
  /** Start the dev server with `--sqlite-pragma journal_mode=wal` (startDevServer has no such option). */
  wal: boolean;
  taskQueue: string;
  /** Extra dynamic config for the server (only honoured with a custom start, see startServer). */
  dynamicConfig?: string[];
  log?: (message: string) => void;
}

export interface ServerInfo {
  env: TestWorkflowEnvironment;
  dbFile: string;
  pid?: number;
  /** SQLite journal mode, read from the file header (bytes 18/19: 1 = rollback journal, 2 = WAL). */
  journalMode: 'wal' | 'rollback (delete)' | 'unknown';
  startedWith: string;
}

/** Resident set size of a process in bytes, from /proc/<pid>/status VmRSS; NaN when unknown. */
export function rssOf(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Bytes of the SQLite database on disk: the file plus its -wal and -shm (or -journal) companions. */
export function dbBytes(dbFile: string): { total: number; db: number; wal: number } {
  const size = (file: string) => (existsSync(file) ? statSync(file).size : 0);
  const db = size(dbFile);
  const wal = size(`${dbFile}-wal`);
  return { total: db + wal + size(`${dbFile}-shm`) + size(`${dbFile}-journal`), db, wal };
}

export function journalModeOf(dbFile: string): ServerInfo['journalMode'] {
  try {
    const header = readFileSync(dbFile).subarray(0, 20);
    if (header[18] === 2 && header[19] === 2) return 'wal';
    if (header[18] === 1 && header[19] === 1) return 'rollback (delete)';
  } catch {
    // fall through
  }
  return 'unknown';
}

/** The dev server process that serves this database file (its command line names the file). */
export function serverPidOf(dbFile: string): number | undefined {
  try {
    const out = execFileSync('pgrep', ['-f', `start-dev.*${dbFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`], { encoding: 'utf8' });
    const pids = out
      .split('\n')
      .map(Number)
      .filter((pid) => pid > 0 && pid !== process.pid);
    return pids[0];
  } catch {
    return undefined;
  }
}

async function startServer(dir: string, opts: HarnessOptions): Promise<ServerInfo> {
  const dbFile = join(dir, 'temporal.db');
  const serverOptions: DevServerOptions = {
    dbFilename: dbFile,
    logLevel: 'error',
    sqlitePragmas: opts.wal ? ['journal_mode=wal', 'synchronous=normal'] : ['journal_mode=delete'],
    dynamicConfig: opts.dynamicConfig,
  };
  const env = await startDevServer(serverOptions);
  const startedWith = `startDevServer (src/infra/temporal-servers.ts): ${devServerArgs(serverOptions).join(' ')}`;
  return { env, dbFile, pid: serverPidOf(dbFile), journalMode: journalModeOf(dbFile), startedWith };
}

export interface ChildReady {
  pid: number;
  maxCachedWorkflows: number;
}

/** The product's worker in a child process (bench/worker-process.ts). */
export class WorkerChild {
  private child?: ChildProcess;
  private memoryWaiters: Array<(m: { rssBytes: number; heapUsedBytes: number }) => void> = [];
  info?: ChildReady;

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  async start(maxCachedWorkflows?: number): Promise<ChildReady> {
    const child = fork(resolve(__dirname, 'worker-process.ts'), [], {
      // BENCH_WORKER_NODE_OPTIONS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the worker, its workflow thread included.
      execArgv: ['--expose-gc', '--import', 'tsx', ...(process.env.BENCH_WORKER_NODE_OPTIONS?.split(' ').filter(Boolean) ?? [])],
      env: { ...this.env, ...(maxCachedWorkflows !== undefined ? { BENCH_MAX_CACHED: String(maxCachedWorkflows) } : {}) },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    // stdout carries the results table: the worker's output goes to stderr.
    child.stdout?.pipe(process.stderr);
    this.child = child;
    const ready = await new Promise<ChildReady>((resolveReady, reject) => {
      const onExit = (code: number | null) => reject(new Error(`worker process exited with ${code} before it was ready`));
      child.once('exit', onExit);
      child.on(
        'message',
        (message: {
          type: string;
          message?: string;
          pid?: number;
          maxCachedWorkflows?: number;
          rssBytes?: number;
          heapUsedBytes?: number;
        }) => {
          if (message.type === 'ready') {
            child.off('exit', onExit);
            resolveReady({ pid: message.pid!, maxCachedWorkflows: message.maxCachedWorkflows! });
          } else if (message.type === 'error') {
            reject(new Error(`worker process failed: ${message.message}`));
          } else if (message.type === 'memory') {
            const waiter = this.memoryWaiters.shift();
            waiter?.({ rssBytes: message.rssBytes!, heapUsedBytes: message.heapUsedBytes! });
          }
        },
      );
    });
    this.info = ready;
    return ready;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** RSS from /proc (no GC) — what the operating system sees. */
  rss(): number {
    return rssOf(this.child?.pid);
  }

  /** RSS and main-thread heap after a GC in the child. */
  memory(): Promise<{ rssBytes: number; heapUsedBytes: number }> {
    return new Promise((resolveMemory) => {
      this.memoryWaiters.push(resolveMemory);
      this.child?.send({ type: 'memory' });
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
    child.send({ type: 'stop' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
    this.child = undefined;
  }
}

export interface EscalationReceipt {
  reportId: string;
  level: number;
  reason: string;
  receivedAtMs: number;
  deadline: string;
}

/**
 * One poller over the simulators' in-memory records, shared by every waiter: trouble tickets by
 * external id, close notifications by report id, escalations as they arrive. Cheap enough to
 * leave running: it scans only what arrived since the last look.
 */
export class SimulatorWatch {
  private readonly ticketWaiters = new Map<string, () => void>();
  private readonly closeWaiters = new Map<string, () => void>();
  private readonly closed = new Set<string>();
  private scanned = 0;
  readonly escalations: EscalationReceipt[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly simulators: Simulators) {
    this.timer = setInterval(() => this.poll(), 5);
  }

  ticketCreated(externalId: string): Promise<void> {
    return new Promise((resolveWait) => this.ticketWaiters.set(externalId, resolveWait));
  }

  closeInformed(reportId: string): Promise<void> {
    if (this.closed.has(reportId)) return Promise.resolve();
    return new Promise((resolveWait) => this.closeWaiters.set(reportId, resolveWait));
  }

  private poll(): void {
    if (this.ticketWaiters.size > 0) {
      const created = this.simulators.trouble.book.stats().createdPerExternalId;
      for (const [externalId, resolveWait] of this.ticketWaiters) {
        if (created[externalId]) {
          this.ticketWaiters.delete(externalId);
          resolveWait();
        }
      }
    }
    const received: ReceivedWebhook[] = this.simulators.webhook.received();
    for (; this.scanned < received.length; this.scanned++) {
      const hook = received[this.scanned];
      const body = (hook.body ?? {}) as Record<string, unknown>;
      if (hook.path === '/close') {
        const reportId = String(body.reportId);
        this.closed.add(reportId);
        const waiter = this.closeWaiters.get(reportId);
        if (waiter) {
          this.closeWaiters.delete(reportId);
          waiter();
        }
      } else if (hook.path === '/escalation' && body.type === 'spdr.escalation') {
        this.escalations.push({
          reportId: String(body.reportId),
          level: Number(body.level),
          reason: String(body.reason),
          receivedAtMs: Date.parse(hook.receivedAt),
          deadline: String(body.deadline),
        });
      }
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}

export interface Harness {
  dir: string;
  server: ServerInfo;
  simulators: Simulators;
  watch: SimulatorWatch;
  client: Client;
  connection: Connection;
  bundlePath: string;
  workerEnv: NodeJS.ProcessEnv;
  worker: WorkerChild;
  taskQueue: string;
  /** Restarts the worker process (e.g. with another cache size). */
  restartWorker(maxCachedWorkflows?: number): Promise<ChildReady>;
  /**
   * A second worker process, same options, whose bundle holds only bench/bare-workflow.ts, on a
   * task queue of its own (returned): the bare-Temporal baseline for arming. Stop it when done.
   */
  startBareWorker(): Promise<{ worker: WorkerChild; taskQueue: string }>;
  close(): Promise<void>;
}

export async function startHarness(opts: HarnessOptions): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'spdr-bench-'));
  const log = opts.log ?? (() => undefined);
  log(`bundling workflows (bench/workflows.ts: degradationReport + baseline)`);
  const bundle = await bundleReportWorkflows({ workflowsPath: resolve(__dirname, 'workflows.ts'), logger: quietLogger });
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  log(`starting dev server (SQLite in ${dir})`);
  const server = await startServer(dir, opts);
  const simulators = await startSimulators({});
  const watch = new SimulatorWatch(simulators);
  const connection = await Connection.connect({ address: server.env.address });
  const client = new Client({ connection, namespace: 'default' });
  const workerEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...simulators.env(0),
    SPDR_TASK_QUEUE: opts.taskQueue,
    BENCH_TEMPORAL_ADDRESS: server.env.address,
    BENCH_WORKFLOW_BUNDLE: bundlePath,
  };
  const worker = new WorkerChild(workerEnv);
  log('starting worker process');
  await worker.start();
  const harness: Harness = {
    dir,
    server,
    simulators,
    watch,
    client,
    connection,
    bundlePath,
    workerEnv,
    worker,
    taskQueue: opts.taskQueue,
    async restartWorker(maxCachedWorkflows) {
      await harness.worker.stop();
      harness.worker = new WorkerChild(workerEnv);
      return harness.worker.start(maxCachedWorkflows);
    },
    async startBareWorker() {
      const bare = await bundleWorkflowCode({ workflowsPath: resolve(__dirname, 'bare-workflow.ts'), logger: quietLogger });
      const barePath = join(dir, 'bare-workflow-bundle.js');
      writeFileSync(barePath, bare.code);
      const taskQueue = `${opts.taskQueue}-bare`;
      const worker = new WorkerChild({ ...workerEnv, SPDR_TASK_QUEUE: taskQueue, BENCH_WORKFLOW_BUNDLE: barePath });
      await worker.start();
      return { worker, taskQueue };
    },
    async close() {
      watch.close();
      await harness.worker.stop().catch(() => undefined);
      await connection.close().catch(() => undefined);
      await simulators.close().catch(() => undefined);
      await server.env.teardown().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

export const quietLogger = {
  log() {},
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error(message: string) {
    process.stderr.write(`${message}\n`);
  },
};
