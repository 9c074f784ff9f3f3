/**
 * 5. Worker memory per cached report (slope of worker RSS over cache sizes: a fresh worker with
 * maxCachedWorkflows = K queries K open reports, which replays each into its cache) and replay
 * time per event for ~1k / ~4k / ~10k-event histories of one report fed `addAnalysis` signals.
 *
 * The product continues-as-new after SPDR_CONTINUE_AS_NEW_AFTER_EVENTS events (default 1,500) or
 * when the server suggests it (limit.historyCount.suggestContinueAsNew, 4,096 by default). So the
 * ~1k history comes from the main server with the product's settings (which also records the event
 * count at which the run continued-as-new), while the ~4k and ~10k histories come from a second,
 * in-memory dev server with the suggestion raised and a worker with SPDR_CONTINUE_AS_NEW_AFTER_EVENTS
 * = 50000: the workflow code is the same, only the cut comes later. With the product's settings a
 * replay never covers more than ~1,500 events.
 */
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { resolveCli } from '../../src/infra/temporal-servers';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/search-attributes';
import { WorkerChild } from '../harness';
import { linearFit, median, pool, sleep } from '../stats';
import { startInput, workflowIdOf, type SectionContext } from './common';
import { MESSAGES, reportQuery, WORKFLOW_TYPE } from '../../src/contract';

export interface CachePoint {
  maxCachedWorkflows: number;
  cachedReports: number;
  rssEmptyBytes: number;
  rssFullBytes: number;
  heapUsedEmptyBytes: number;
  heapUsedFullBytes: number;
  coldQueryMsMedian: number;
}

export interface ReplayPoint {
  events: number;
  source: 'main server' | 'raised-CAN server';
  /** 'report': the product's workflow; 'baseline': the no-logic workflow fed the same signals (the SDK's own cost). */
  workflow: 'report' | 'baseline';
  /** Median of warm replays in one replay worker (worker start-up excluded). */
  replayMs: number;
  /** The first replay, which also starts the replay worker and loads the bundle. */
  coldReplayMs: number;
  msPerEvent: number;
  historyBytes: number;
}

export interface MemoryReplayResult {
  cache: CachePoint[];
  /** Slope of worker RSS over cached reports. */
  rssBytesPerCachedReport: number;
  /** (full - empty) / K at the largest K. */
  rssDeltaPerReportAtMax: number;
  replay: ReplayPoint[];
  /** History length at which the report continued-as-new on the main server (undefined: not reached). */
  continuedAsNewAtEvents?: number;
  notes: string[];
}

async function historyLength(
  client: Client,
  workflowId: string,
  runId?: string,
): Promise<{ length: number; status: number; runId: string }> {
  const description = await client.workflow.getHandle(workflowId, runId).describe();
  const info = description.raw.workflowExecutionInfo;
  return { length: Number(info?.historyLength ?? 0), status: Number(info?.status ?? 0), runId: description.runId };
}

/** Sends addAnalysis signals until the run's history reaches each checkpoint; captures it quiescent. */
export async function growHistory(
  client: Client,
  taskQueue: string,
  reportId: string,
  checkpoints: number[],
  onProgress: (events: number) => void,
  workflow: 'report' | 'baseline' = 'report',
): Promise<{ histories: Map<number, temporal.api.history.v1.IHistory>; continuedAsNewAt?: number; workflowId: string }> {
  const workflowId = workflow === 'report' ? workflowIdOf(reportId) : `bench-baseline-${reportId}`;
  const handle =
    workflow === 'report'
      ? await client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId, args: [startInput(reportId, { severityIndex: 3 })] })
      : await client.workflow.start('baseline', {
          taskQueue,
          workflowId,
          args: [{ reportId, severity: 'warning', description: 'replay floor' }],
        });
  const runId = handle.firstExecutionRunId;
  const histories = new Map<number, temporal.api.history.v1.IHistory>();
  let sent = 0;
  let pending = [...checkpoints].sort((a, b) => a - b);
  for (;;) {
    const state = await historyLength(client, workflowId, runId);
    onProgress(state.length);
    if (state.status !== 1) {
      // The run is no longer running: it continued-as-new (status 6) at this length.
      return { histories, continuedAsNewAt: state.length, workflowId };
    }
    const due = pending.filter((c) => state.length >= c * 0.97);
    if (due.length > 0) {
      // Let the worker finish the signals already sent, then capture the history.
      let stable = state.length;
      for (;;) {
        await sleep(400);
        const again = await historyLength(client, workflowId, runId);
        if (again.length === stable || again.status !== 1) break;
        stable = again.length;
      }
      const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
      for (const c of due) histories.set(c, history);
      pending = pending.filter((c) => !due.includes(c));
    }
    if (pending.length === 0) return { histories, workflowId };
    // Batches sized to land near the next checkpoint (about one event per signal when batched).
    const batch = Math.max(10, Math.min(200, Math.floor((pending[0] - state.length) * 0.8)));
    await pool(
      Array.from({ length: batch }, (_, i) => sent + i),
      25,
      // A signal to a run that just continued-as-new is refused; the next describe() sees it.
      (n) =>
        client.workflow
          .getHandle(workflowId, runId)
          .signal(MESSAGES.addAnalysis.signal, { author: 'bench', summary: `history filler ${n}` })
          .catch(() => undefined),
    );
    sent += batch;
  }
}

type ReplaySource = {
  history: temporal.api.history.v1.IHistory;
  source: ReplayPoint['source'];
  workflowId: string;
  workflow: ReplayPoint['workflow'];
};
type MemoryReplayContext = SectionContext & { openReportIds: string[] };

/** Worker RSS with no and with K cached reports, for each cache size K (the worker restarted with maxCachedWorkflows K). */
async function measureCache({ h, progress, quick, openReportIds }: MemoryReplayContext, notes: string[]): Promise<CachePoint[]> {
  const sizes = (quick ? [50, 150, 300] : [100, 500, 1000]).filter((k) => k <= openReportIds.length);
  const cache: CachePoint[] = [];
  progress.phase(
    '5 memory: cache sizes',
    sizes.reduce((a, b) => a + b, 0),
  );
  for (const k of sizes) {
    await h.restartWorker(k);
    await sleep(1000);
    const empty = await h.worker.memory();
    const ids = openReportIds.slice(0, k);
    let failedQueries = 0;
    const coldMs = await pool(ids, 8, async (id) => {
      const q0 = performance.now();
      try {
        await h.client.workflow.getHandle(workflowIdOf(id)).query(reportQuery);
      } catch {
        failedQueries += 1; // e.g. the worker took too long to create the workflow: counted, not fatal
      }
      progress.tick(1, `K=${k}`);
      return performance.now() - q0;
    });
    if (failedQueries > 0) notes.push(`K=${k}: ${failedQueries} of ${ids.length} cold queries failed (not cached).`);
    await sleep(1000);
    const full = await h.worker.memory();
    cache.push({
      maxCachedWorkflows: k,
      cachedReports: ids.length,
      rssEmptyBytes: empty.rssBytes,
      rssFullBytes: full.rssBytes,
      heapUsedEmptyBytes: empty.heapUsedBytes,
      heapUsedFullBytes: full.heapUsedBytes,
      coldQueryMsMedian: median(coldMs),
    });
  }
  return cache;
}

/** A ~1k-event report history (and, in full mode, one past continue-as-new) and the no-logic baseline's, from the main server. */
async function mainServerHistories(
  { h, progress, quick, runTag }: SectionContext,
  notes: string[],
  histories: ReplaySource[],
): Promise<number | undefined> {
  const mainCheckpoints = quick ? [1024] : [1024, 5000];
  progress.phase(
    `5 replay: growing a history to ${quick ? '~1k' : '~1k and past continue-as-new'} (main server)`,
    Math.max(...mainCheckpoints),
  );
  const mainId = `${runTag}-H1`;
  const main = await growHistory(h.client, h.taskQueue, mainId, mainCheckpoints, (n) => progress.set(n));
  const continuedAsNewAt = main.continuedAsNewAt;
  if (continuedAsNewAt !== undefined)
    notes.push(
      `With the product's settings the report continued-as-new at ${continuedAsNewAt} events (SPDR_CONTINUE_AS_NEW_AFTER_EVENTS, default 1,500).`,
    );
  for (const c of [1024]) {
    const history = main.histories.get(c);
    if (history) histories.push({ history, source: 'main server', workflowId: workflowIdOf(mainId), workflow: 'report' });
  }
  // The floor: the no-logic baseline workflow fed the same addAnalysis signals (it never continues-as-new).
  const floorCheckpoints = quick ? [1024] : [1024, 4096];
  progress.phase('5 replay: growing a baseline history (no domain logic, same signals)', Math.max(...floorCheckpoints));
  const floor = await growHistory(h.client, h.taskQueue, `${runTag}-B1`, floorCheckpoints, (n) => progress.set(n), 'baseline');
  for (const c of floorCheckpoints) {
    const history = floor.histories.get(c);
    if (history) histories.push({ history, source: 'main server', workflowId: floor.workflowId, workflow: 'baseline' });
  }
  return continuedAsNewAt;
}

/** Full mode: ~4k and ~10k-event report histories from a second server (and worker) with continue-as-new raised. */
async function raisedCanHistories({ h, progress, runTag }: SectionContext, notes: string[], histories: ReplaySource[]): Promise<void> {
  progress.phase('5 replay: growing a ~4k/~10k history (raised-CAN server)', 10240);
  const aux = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: await resolveCli(),
      log: { format: 'pretty', level: 'error' },
      searchAttributes: [...ALL_SEARCH_ATTRIBUTES],
      extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=20000'],
    },
  });
  const auxConnection = await Connection.connect({ address: aux.address });
  const auxClient = new TemporalClient({ connection: auxConnection });
  const auxWorker = new WorkerChild({ ...h.workerEnv, BENCH_TEMPORAL_ADDRESS: aux.address, SPDR_CONTINUE_AS_NEW_AFTER_EVENTS: '50000' });
  try {
    await auxWorker.start();
    const auxId = `${runTag}-H10`;
    const grown = await growHistory(auxClient, h.taskQueue, auxId, [4096, 10240], (n) => progress.set(n));
    for (const c of [4096, 10240]) {
      const history = grown.histories.get(c);
      if (history) histories.push({ history, source: 'raised-CAN server', workflowId: workflowIdOf(auxId), workflow: 'report' });
      else notes.push(`The ~${c}-event history could not be captured (continued-as-new at ${grown.continuedAsNewAt}).`);
    }
  } finally {
    await auxWorker.stop();
    await auxConnection.close();
    await aux.teardown();
  }
}

/**
 * One replay worker replays each history 1 + WARM times in a row: the first (cold) run includes
 * starting the replay worker and loading the bundle; the figure is the median of the warm runs.
 */
async function timeReplays({ h, progress }: SectionContext, histories: ReplaySource[]): Promise<ReplayPoint[]> {
  const WARM = 3;
  progress.phase('5 replay: timing Worker.runReplayHistories', histories.length * (WARM + 1));
  const replayOptions = { workflowBundle: { codePath: h.bundlePath } };
  const replay: ReplayPoint[] = [];
  for (const { history, source, workflowId, workflow } of histories) {
    // The workflow checks that its id is spdr-<reportId>, so a replay must use the original id.
    async function* copies(): AsyncGenerator<{ workflowId: string; history: temporal.api.history.v1.IHistory }> {
      for (let i = 0; i <= WARM; i++) yield { workflowId, history };
    }
    const times: number[] = [];
    let t = performance.now();
    for await (const result of Worker.runReplayHistories(replayOptions, copies())) {
      if (result.error) throw result.error;
      const now = performance.now();
      times.push(now - t);
      t = now;
      progress.tick();
    }
    const events = history.events?.length ?? 0;
    const replayMs = median(times.slice(1));
    replay.push({
      events,
      source,
      workflow,
      replayMs,
      coldReplayMs: times[0],
      msPerEvent: replayMs / events,
      historyBytes: temporal.api.history.v1.History.encode(history).finish().length,
    });
  }
  return replay;
}

export async function runMemoryReplay(ctx: MemoryReplayContext): Promise<MemoryReplayResult> {
  const notes: string[] = [];
  const cache = await measureCache(ctx, notes);
  const fit = linearFit(cache.map((c) => ({ x: c.cachedReports, y: c.rssFullBytes })));
  const largest = cache[cache.length - 1];
  notes.push(
    'Workflows run in the worker thread of the SDK (reuseV8Context), so the main-thread heap does not see them: RSS is the figure.',
  );

  const histories: ReplaySource[] = [];
  const continuedAsNewAt = await mainServerHistories(ctx, notes, histories);
  if (!ctx.quick) await raisedCanHistories(ctx, notes, histories);
  else notes.push('Quick mode replays a ~1k-event history only; full mode adds ~4k and ~10k (raised-CAN server and worker).');
  const replay = await timeReplays(ctx, histories);
  return {
    cache,
    rssBytesPerCachedReport: fit.slope,
    rssDeltaPerReportAtMax: largest ? (largest.rssFullBytes - largest.rssEmptyBytes) / largest.cachedReports : Number.NaN,
    replay,
    continuedAsNewAtEvents: continuedAsNewAt,
    notes,
  };
}
