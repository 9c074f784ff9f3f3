/**
 * `npm run bench -- --cluster`: open-report capacity on the production topology (src/infra/cluster.ts:
 * PostgreSQL + Temporal Server, 16 history shards, JWT authorization) instead of the dev server.
 * Opens reports in steps (quick 200 -> 500; full 1k -> 5k -> 10k -> 25k -> 50k -> 100k), each with
 * an hours-long jeopardy timer pending, and at each step records start RPC latency p50/p99, how many
 * the worker has armed, PostgreSQL bytes per report, and server, PostgreSQL and worker RSS.
 *
 * It stops at the target, when the time budget ends (--minutes=N, default 20) or when starts fail,
 * and says which. Writes bench/results/<timestamp>-cluster/results.json and prints a table.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { freeClusterPorts, HISTORY_SHARDS, startCluster, TEMPORAL_SERVER_VERSION } from '../src/infra/cluster';
import { bundleReportWorkflows } from '../src/infra/workflow-bundle';
import { startSimulators } from '../src/simulators/main';
import { quietLogger, rssOf, WorkerChild } from './harness';
import { startInput, workflowIdOf } from './sections/common';
import { pool, sleep, summarize, type Summary } from './stats';
import { WORKFLOW_TYPE } from '../src/contract';

interface ClusterStep {
  openReports: number;
  failed: number;
  openPerSecond: number;
  startRpcMs: Summary;
  armed: number;
  serverRssBytes: number;
  /** All PostgreSQL processes, proportional set size (shared buffers counted once). */
  postgresPssBytes: number;
  workerRssBytes: number;
  postgresBytes: number;
  postgresBytesPerReport: number;
  atSeconds: number;
}

const ARMED_QUERY = `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND SpdrStatus = 'acknowledged'`;

/**
 * Proportional set size of a process and its children: PostgreSQL forks one backend per connection,
 * and each backend's RSS counts the shared buffers again, so RSS would add them up many times.
 */
function treePss(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  const pss = (p: number) => {
    try {
      const kb = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'));
      return kb ? Number(kb[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  };
  let total = pss(pid);
  try {
    for (const child of execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map(Number)
      .filter(Boolean))
      total += pss(child);
  } catch {
    // no children
  }
  return total;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

/** Opens `ids` (24 at a time) until the time budget is spent; start RPC times and failures. */
async function openBatch(
  client: Client,
  taskQueue: string,
  ids: string[],
  deadline: number,
): Promise<{ startMs: number[]; failed: number; wallMs: number }> {
  const startMs: number[] = [];
  let failed = 0;
  const t0 = performance.now();
  await pool(ids, 24, async (id, i) => {
    if (Date.now() > deadline) return;
    const s = performance.now();
    try {
      await client.workflow.start(WORKFLOW_TYPE, {
        taskQueue,
        workflowId: workflowIdOf(id),
        args: [startInput(id, { severityIndex: i })],
      });
      startMs.push(performance.now() - s);
    } catch {
      failed += 1;
    }
  });
  return { startMs, failed, wallMs: performance.now() - t0 };
}

/** Counts the armed reports on the queue every 3 s until all `opened` are armed or `armUntil` passes. */
async function armedOnQueue(client: Client, taskQueue: string, opened: number, armUntil: number): Promise<number> {
  let armed = 0;
  do {
    armed = (await client.workflow.count(`TaskQueue = '${taskQueue}' AND ${ARMED_QUERY}`)).count;
    if (armed >= opened) break;
    await sleep(3_000);
  } while (Date.now() < armUntil);
  return armed;
}

/** results.json under `out`, and the Markdown table on stdout. */
function writeClusterResults(out: string, startedAt: Date, steps: ClusterStep[], stoppedBy: string): void {
  const results = {
    meta: {
      startedAt: startedAt.toISOString(),
      server: `Temporal Server ${TEMPORAL_SERVER_VERSION}, ${HISTORY_SHARDS} history shards, PostgreSQL`,
      node: process.version,
      stoppedBy,
    },
    steps,
  };
  const outDir = join(out, `${startedAt.toISOString().replace(/[:.]/g, '-')}-cluster`);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const rows = steps.map(
    (s) =>
      `| ${s.openReports} | ${s.armed} | ${s.startRpcMs.p50.toFixed(0)} / ${s.startRpcMs.p99.toFixed(0)} ms | ${(s.postgresBytesPerReport / 1024).toFixed(1)} KB | ${mb(s.serverRssBytes)} | ${mb(s.postgresPssBytes)} | ${mb(s.workerRssBytes)} | ${s.atSeconds.toFixed(0)} s |`,
  );
  process.stdout.write(
    [
      `## Open-report capacity on the cluster (${results.meta.server})`,
      '',
      '| open reports | armed | start RPC p50 / p99 | PostgreSQL per report | server RSS | PostgreSQL PSS | worker RSS | at |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
      `Stopped by: ${stoppedBy}. Results: ${outDir}`,
      '',
    ].join('\n'),
  );
}

export async function runClusterBench(args: { quick: boolean; minutes: number; out: string }): Promise<number> {
  const targets = args.quick ? [200, 500] : [1_000, 5_000, 10_000, 25_000, 50_000, 100_000];
  const deadline = Date.now() + args.minutes * 60_000;
  const log = (line: string) => process.stderr.write(`[bench --cluster] ${line}\n`);
  mkdirSync(resolve(__dirname, '..', '.data'), { recursive: true });
  const dir = mkdtempSync(join(resolve(__dirname, '..', '.data'), 'bench-cluster-'));
  chmodSync(dir, 0o755);
  const startedAt = new Date();
  const steps: ClusterStep[] = [];
  let stoppedBy = 'target reached';
  const cluster = await startCluster({ dir: join(dir, 'cluster'), ports: await freeClusterPorts(), log });
  const simulators = await startSimulators({});
  const connection = await Connection.connect({ address: cluster.address, apiKey: cluster.auth.tokens.writer, tls: false });
  const client = new Client({ connection, namespace: 'default' });
  const bundle = await bundleReportWorkflows({ workflowsPath: resolve(__dirname, 'workflows.ts'), logger: quietLogger });
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  const taskQueue = `bench-cluster-${startedAt.getTime().toString(36)}`;
  const worker = new WorkerChild({
    ...process.env,
    ...simulators.env(0),
    SPDR_TASK_QUEUE: taskQueue,
    BENCH_TEMPORAL_ADDRESS: cluster.address,
    BENCH_TEMPORAL_API_KEY: cluster.auth.tokens.writer,
    BENCH_WORKFLOW_BUNDLE: bundlePath,
  });
  try {
    await worker.start();
    const before = await cluster.databaseBytes();
    const t00 = performance.now();
    let opened = 0;
    for (const target of targets) {
      const ids = Array.from({ length: target - opened }, (_, i) => `${taskQueue}-C${opened + i}`);
      const { startMs, failed, wallMs } = await openBatch(client, taskQueue, ids, deadline);
      opened += startMs.length;
      // Let the worker catch up a little (bounded), then measure.
      const armed = await armedOnQueue(client, taskQueue, opened, Math.min(deadline, Date.now() + (args.quick ? 30_000 : 120_000)));
      const db = await cluster.databaseBytes();
      const bytes = db.temporal + db.visibility - before.temporal - before.visibility;
      const step: ClusterStep = {
        openReports: opened,
        failed,
        openPerSecond: (startMs.length * 1000) / wallMs,
        startRpcMs: summarize(startMs),
        armed,
        serverRssBytes: rssOf(cluster.serverPid()),
        postgresPssBytes: treePss(cluster.postgresPid()),
        workerRssBytes: worker.rss(),
        postgresBytes: db.temporal + db.visibility,
        postgresBytesPerReport: bytes / opened,
        atSeconds: (performance.now() - t00) / 1000,
      };
      steps.push(step);
      log(
        `${step.openReports} open (${step.armed} armed, ${failed} failed), ${step.openPerSecond.toFixed(1)}/s, start p50/p99 ${step.startRpcMs.p50.toFixed(0)}/${step.startRpcMs.p99.toFixed(0)} ms, ` +
          `PostgreSQL ${(step.postgresBytesPerReport / 1024).toFixed(1)} KB/report, RSS server ${mb(step.serverRssBytes)}, PostgreSQL PSS ${mb(step.postgresPssBytes)}, worker ${mb(step.workerRssBytes)}`,
      );
      if (failed > 0) {
        stoppedBy = `${failed} starts failed`;
        break;
      }
      if (Date.now() > deadline) {
        stoppedBy = `time budget of ${args.minutes} min`;
        break;
      }
    }
  } finally {
    await worker.stop().catch(() => undefined);
    await connection.close().catch(() => undefined);
    await simulators.close().catch(() => undefined);
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  writeClusterResults(args.out, startedAt, steps, stoppedBy);
  return 0;
}
