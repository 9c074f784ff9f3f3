/**
 * 2. Open-report capacity: open reports in steps (quick 200 -> 500, full 1k -> 5k -> 10k), each
 * with an hours-long jeopardy timer pending, and at each step record server and worker resident
 * memory, database bytes per report and open latency (start RPC, and start to timer armed).
 */
import { performance } from 'node:perf_hooks';
import { dbBytes, rssOf } from '../harness';
import { pool, sleep, summarize, type Summary } from '../stats';
import { eventTimeMs, startInput, waitForQuiet, workflowIdOf, type SectionContext } from './common';
import { WORKFLOW_TYPE } from '../../src/contract';

export interface CapacityStep {
  openReports: number;
  opened: number;
  failed: number;
  openPerSecond: number;
  /** client.workflow.start round trip (server accepted the report). */
  startRpcMs: Summary;
  /** From the start call to the report's jeopardy timer being armed (TimerStarted event), sampled. */
  openToArmedMs: Summary;
  /** Reports sampled for openToArmedMs; fewer armed than sampled means the worker had not caught up. */
  sampled: number;
  serverRssBytes: number;
  workerRssBytes: number;
  dbBytes: number;
  walBytes: number;
  dbBytesPerReport: number;
  settleMs: number;
  /** Reports of this step whose first workflow task completed (status and deadline visible), by the end of the settle. */
  armedCount: number;
  /** From this step's first start call until every report of the step was armed; NaN if the settle ended first. */
  allArmedMs: number;
}

export interface CapacityResult {
  steps: CapacityStep[];
  reportIds: string[];
  dbBytesBefore: number;
  workerMaxCachedWorkflows: number;
}

const TIMER_STARTED = 17; // temporal.api.enums.v1.EventType.EVENT_TYPE_TIMER_STARTED

/** Running reports whose first workflow task completed: it upserts SpdrStatus with the timer. */
const ARMED_QUERY = `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND SpdrStatus = 'acknowledged'`;

/** For each sampled report: from sending its start to its first timer (armed), from its history. */
async function openToArmedMs(h: SectionContext['h'], sent: Map<string, number>): Promise<number[]> {
  const armed: number[] = [];
  for (const [id, sentAt] of sent) {
    const history = await h.client.workflow.getHandle(workflowIdOf(id)).fetchHistory();
    const timer = history.events?.find((event) => Number(event.eventType) === TIMER_STARTED);
    if (timer) armed.push(eventTimeMs(timer) - sentAt);
  }
  return armed;
}

export async function runCapacity(ctx: SectionContext, steps?: number[]): Promise<CapacityResult> {
  const { h, progress, quick, runTag } = ctx;
  const targets = steps ?? (quick ? [200, 500] : [1000, 5000, 10000]);
  const concurrency = 24;
  const before = dbBytes(h.server.dbFile).total;
  const reportIds: string[] = [];
  const results: CapacityStep[] = [];
  for (const target of targets) {
    const from = reportIds.length;
    const ids = Array.from({ length: target - from }, (_, i) => `${runTag}-C${from + i}`);
    const sampleEvery = Math.max(1, Math.floor(ids.length / 60));
    const startMs: number[] = [];
    const sent = new Map<string, number>();
    let failed = 0;
    const armedBefore = (await h.client.workflow.count(ARMED_QUERY)).count;
    progress.phase(`2 capacity: open to ${target}`, ids.length);
    const t0 = performance.now();
    await pool(ids, concurrency, async (id, i) => {
      const sentAt = Date.now();
      const s = performance.now();
      try {
        // Severities cycle critical/major/minor/warning: 4h..72h targets, first timer 2h..36h away.
        await h.client.workflow.start(WORKFLOW_TYPE, {
          taskQueue: h.taskQueue,
          workflowId: workflowIdOf(id),
          args: [startInput(id, { severityIndex: i })],
        });
        startMs.push(performance.now() - s);
        reportIds.push(id);
        if (i % sampleEvery === 0) sent.set(id, sentAt);
      } catch {
        failed += 1;
      }
      progress.tick();
    });
    const openWallMs = performance.now() - t0;
    // The worker may lag the starts: wait (bounded) until every report of the step is armed.
    const opened = ids.length - failed;
    progress.phase(`2 capacity: arming at ${target}`, opened, 'waiting for the worker to arm every report');
    const settle0 = performance.now();
    let armedCount = 0;
    let allArmedMs = Number.NaN;
    const armDeadline = performance.now() + (quick ? 90_000 : 900_000);
    while (performance.now() < armDeadline) {
      armedCount = (await h.client.workflow.count(ARMED_QUERY)).count - armedBefore;
      progress.set(Math.min(armedCount, opened));
      if (armedCount >= opened) {
        allArmedMs = performance.now() - t0;
        break;
      }
      await sleep(2_000);
    }
    await waitForQuiet([h.worker.pid, h.server.pid], { maxMs: quick ? 10_000 : 30_000 });
    const settleMs = performance.now() - settle0;
    const armed = await openToArmedMs(h, sent);
    const db = dbBytes(h.server.dbFile);
    results.push({
      openReports: reportIds.length,
      opened: ids.length - failed,
      failed,
      openPerSecond: ((ids.length - failed) * 1000) / openWallMs,
      startRpcMs: summarize(startMs),
      openToArmedMs: summarize(armed),
      sampled: sent.size,
      serverRssBytes: rssOf(h.server.pid),
      workerRssBytes: h.worker.rss(),
      dbBytes: db.total,
      walBytes: db.wal,
      dbBytesPerReport: (db.total - before) / reportIds.length,
      settleMs,
      armedCount,
      allArmedMs,
    });
  }
  return { steps: results, reportIds, dbBytesBefore: before, workerMaxCachedWorkflows: h.worker.info?.maxCachedWorkflows ?? Number.NaN };
}
