/**
 * 7. Arming storm: a region-wide outage opens reports in a rush (full: 1,000 in 10 s; quick: 200
 * in 2 s). For each report, from the start call to its first jeopardy timer armed (TimerStarted),
 * and how fast the worker arms them; the same for a no-logic workflow started the same way that
 * arms one timer (bench/bare-workflow.ts `armingBaseline`, on a worker whose bundle holds only it),
 * so every figure has its bare-Temporal baseline.
 * The first workflow task's time is split along its path from each history: start accepted, task
 * waiting for a poller, task on the worker.
 */
import { performance } from 'node:perf_hooks';
import { temporal } from '@temporalio/proto';
import { pool, sleep, summarize, type Summary } from '../stats';
import { cpuMsOf, eventTimeMs, selfCpuMs, startInput, waitForQuiet, workflowIdOf, type SectionContext } from './common';
import { WORKFLOW_TYPE } from '../../src/contract';

const EventType = temporal.api.enums.v1.EventType;

export type ArmingKind = 'report' | 'baseline';

export interface ArmingRun {
  kind: ArmingKind;
  workflowType: string;
  opened: number;
  failed: number;
  armed: number;
  /** Offered start rate (the pacing) and achieved. */
  offeredPerSecond: number;
  openPerSecond: number;
  /** Armed reports over the time from the first start call to the last timer armed. */
  armedPerSecond: number;
  /** Start call to TimerStarted. */
  startToArmedMs: Summary;
  /** The start round trip as the client sees it. */
  startRpcMs: Summary;
  /** Start call to WorkflowExecutionStarted (the server accepted it). */
  acceptedMs: Summary;
  /** First WorkflowTaskScheduled to WorkflowTaskStarted: the task waiting for a poller. */
  taskQueuedMs: Summary;
  /** WorkflowTaskStarted to WorkflowTaskCompleted: the first task on the worker (activation, local activity, commands). */
  taskOnWorkerMs: Summary;
  /** CPU per armed workflow, from /proc: the worker, the server, this process (load generator). Robust on a busy machine, where wall times are not. */
  workerCpuMsPerArmed: number;
  serverCpuMsPerArmed: number;
  benchCpuMsPerArmed: number;
  /** Workflow tasks until the timer was armed (1 is the least). */
  tasksToArm: number;
  /** History events of the first task, by type (one history). */
  firstTaskEvents: string[];
}

export interface ArmingResult {
  reports: number;
  windowMs: number;
  runs: ArmingRun[];
  /** report armed/s over baseline armed/s. */
  rateRatio: number;
  /** report start → armed p99 over the baseline's. */
  p99Ratio: number;
}

interface Armed {
  armedAtMs: number;
  timerMs: number;
  acceptedMs: number;
  taskQueuedMs: number;
  taskOnWorkerMs: number;
  tasks: number;
  events: string[];
}

/** The first-timer path of one workflow from its history; undefined while no timer is armed. */
async function armedOf(ctx: SectionContext, id: string, sentAt: number): Promise<Armed | undefined> {
  const history = await ctx.h.client.workflow.getHandle(workflowIdOf(id)).fetchHistory();
  const events = history.events ?? [];
  const timer = events.findIndex((e) => Number(e.eventType) === EventType.EVENT_TYPE_TIMER_STARTED);
  if (timer < 0) return undefined;
  const at = (type: number) => events.find((e) => Number(e.eventType) === type);
  const started = at(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
  const scheduled = at(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
  const taskStarted = at(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED);
  const completed = at(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  const name = (e: temporal.api.history.v1.IHistoryEvent) => String(EventType[Number(e.eventType)]).replace(/^EVENT_TYPE_/, '');
  return {
    armedAtMs: eventTimeMs(events[timer]),
    timerMs: eventTimeMs(events[timer]) - sentAt,
    acceptedMs: started ? eventTimeMs(started) - sentAt : Number.NaN,
    taskQueuedMs: scheduled && taskStarted ? eventTimeMs(taskStarted) - eventTimeMs(scheduled) : Number.NaN,
    taskOnWorkerMs: taskStarted && completed ? eventTimeMs(completed) - eventTimeMs(taskStarted) : Number.NaN,
    tasks: events.slice(0, timer).filter((e) => Number(e.eventType) === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED).length,
    events: events.slice(0, timer + 1).map(name),
  };
}

/** Where a run's workflows go: the task queue and the worker process that serves it. */
interface Target {
  taskQueue: string;
  workerPid: number | undefined;
}

async function terminateAll(ctx: SectionContext, kind: ArmingKind, ids: string[]): Promise<void> {
  const { h, progress } = ctx;
  progress.phase(`7 arming: terminating ${kind === 'report' ? 'reports' : 'baselines'}`, ids.length);
  await pool(ids, 24, async (id) => {
    await h.client.workflow
      .getHandle(workflowIdOf(id))
      .terminate('benchmark: arming measured')
      .catch(() => undefined);
    progress.tick();
  });
}

async function armingRun(ctx: SectionContext, kind: ArmingKind, n: number, windowMs: number, target: Target): Promise<ArmingRun> {
  const { h, progress, quick, runTag } = ctx;
  const workflowType = kind === 'report' ? WORKFLOW_TYPE : 'armingBaseline';
  const ids = Array.from({ length: n }, (_, i) => `${runTag}-A${kind[0]}${i}`);
  const sentAt = new Map<string, number>();
  const startRpc: number[] = [];
  let failed = 0;
  progress.phase(`7 arming: open ${n} ${kind === 'report' ? 'reports' : 'baselines'} in ${windowMs / 1000} s`, n);
  const interval = windowMs / n;
  const cpu0 = { worker: cpuMsOf(target.workerPid), server: cpuMsOf(h.server.pid), bench: selfCpuMs() };
  const t0 = Date.now();
  const p0 = performance.now();
  // Paced, not as fast as possible: the outage opens reports at its own rate, whatever the server's latency.
  await pool(ids, 128, async (id, i) => {
    const wait = t0 + i * interval - Date.now();
    if (wait > 0) await sleep(wait);
    const sent = Date.now();
    const s = performance.now();
    try {
      // Severities cycle critical/major/minor/warning, as in section 2: first timers hours away.
      await h.client.workflow.start(workflowType, {
        taskQueue: h.taskQueue,
        workflowId: workflowIdOf(id),
        args: [startInput(id, { severityIndex: i })],
      });
      startRpc.push(performance.now() - s);
      sentAt.set(id, sent);
    } catch {
      failed += 1;
    }
    progress.tick();
  });
  const openWallMs = performance.now() - p0;
  progress.phase(`7 arming: waiting for ${kind === 'report' ? 'reports' : 'baselines'} armed`, sentAt.size);
  const armed = new Map<string, Armed>();
  const giveUpAt = Date.now() + (quick ? 60_000 : 240_000);
  while (armed.size < sentAt.size && Date.now() < giveUpAt) {
    await waitForQuiet([target.workerPid, h.server.pid], { maxMs: 5_000, windowMs: 300, threshold: 0.3 });
    const waiting = [...sentAt].filter(([id]) => !armed.has(id));
    await pool(waiting, 16, async ([id, sent]) => {
      const a = await armedOf(ctx, id, sent);
      if (a) armed.set(id, a);
    });
    progress.set(armed.size);
  }
  const all = [...armed.values()];
  // The history reads of the wait loop are cheap next to the starts, but counted: the same for both kinds.
  const cpu = {
    worker: cpuMsOf(target.workerPid) - cpu0.worker,
    server: cpuMsOf(h.server.pid) - cpu0.server,
    bench: selfCpuMs() - cpu0.bench,
  };
  const lastArmedAfter = Math.max(...all.map((a) => a.armedAtMs)) - t0;
  // Leave nothing running: these would otherwise sit in the worker's cache through the next sections.
  await terminateAll(ctx, kind, [...sentAt.keys()]);
  return {
    kind,
    workflowType,
    opened: sentAt.size,
    failed,
    armed: armed.size,
    offeredPerSecond: (n * 1000) / windowMs,
    openPerSecond: (sentAt.size * 1000) / openWallMs,
    armedPerSecond: all.length ? (all.length * 1000) / lastArmedAfter : Number.NaN,
    startToArmedMs: summarize(all.map((a) => a.timerMs)),
    startRpcMs: summarize(startRpc),
    acceptedMs: summarize(all.map((a) => a.acceptedMs)),
    taskQueuedMs: summarize(all.map((a) => a.taskQueuedMs)),
    taskOnWorkerMs: summarize(all.map((a) => a.taskOnWorkerMs)),
    workerCpuMsPerArmed: cpu.worker / Math.max(1, all.length),
    serverCpuMsPerArmed: cpu.server / Math.max(1, all.length),
    benchCpuMsPerArmed: cpu.bench / Math.max(1, all.length),
    tasksToArm: all.length ? Math.max(...all.map((a) => a.tasks)) : Number.NaN,
    firstTaskEvents: all[0]?.events ?? [],
  };
}

export async function runArming(ctx: SectionContext): Promise<ArmingResult> {
  const n = ctx.quick ? 200 : 1000;
  const windowMs = ctx.quick ? 2_000 : 10_000;
  // Baseline first, on a bare worker of its own (stopped after, so it takes no CPU from the report's
  // run), report second on the product's worker, then quiet: neither run inherits the other's backlog.
  const bare = await ctx.h.startBareWorker();
  let baseline: ArmingRun;
  try {
    baseline = await armingRun(ctx, 'baseline', n, windowMs, { taskQueue: bare.taskQueue, workerPid: bare.worker.pid });
  } finally {
    await bare.worker.stop();
  }
  await waitForQuiet([ctx.h.worker.pid, ctx.h.server.pid], { maxMs: 20_000 });
  const report = await armingRun(ctx, 'report', n, windowMs, { taskQueue: ctx.h.taskQueue, workerPid: ctx.h.worker.pid });
  await waitForQuiet([ctx.h.worker.pid, ctx.h.server.pid], { maxMs: 20_000 });
  return {
    reports: n,
    windowMs,
    runs: [report, baseline],
    rateRatio: report.armedPerSecond / baseline.armedPerSecond,
    p99Ratio: report.startToArmedMs.p99 / baseline.startToArmedMs.p99,
  };
}
