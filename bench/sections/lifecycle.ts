/**
 * 1. Lifecycle throughput: full report lifecycles per second against a baseline workflow with
 * the same activities and signals but no domain logic, in alternating batches on the same
 * server and worker. Also history events per lifecycle and CPU per lifecycle (worker, server),
 * which tell where the difference goes.
 */
import { performance } from 'node:perf_hooks';
import { temporal } from '@temporalio/proto';
import { cpuMsOf, RESOURCE_CAUSE_ANALYSIS, selfCpuMs, startInput, troubleKeyOf, workflowIdOf, type SectionContext } from './common';
import { median, pool } from '../stats';
import { MESSAGES, WORKFLOW_TYPE } from '../../src/contract';

type Kind = 'report' | 'baseline';

export interface BatchResult {
  kind: Kind;
  lifecycles: number;
  wallMs: number;
  perSecond: number;
  workerCpuMs: number;
  serverCpuMs: number;
  benchCpuMs: number;
}

export interface LifecycleResult {
  batchSize: number;
  concurrency: number;
  batches: BatchResult[];
  report: KindSummary;
  baseline: KindSummary;
  /** median report lifecycles/s over median baseline lifecycles/s. */
  ratio: number;
  /** Same ratio measured in history events per second. */
  eventRatio: number;
  lifecycleMs: { report: number; baseline: number };
}

export interface KindSummary {
  medianPerSecond: number;
  historyEvents: number;
  lifecyclesPerHistoryEvent: number;
  eventsPerSecond: number;
  workerCpuMsPerLifecycle: number;
  serverCpuMsPerLifecycle: number;
  eventTypes: Record<string, number>;
}

async function oneLifecycle(ctx: SectionContext, kind: Kind, reportId: string): Promise<number> {
  const { h } = ctx;
  const t0 = performance.now();
  const handle = await h.client.workflow.start(kind === 'report' ? WORKFLOW_TYPE : 'baseline', {
    taskQueue: h.taskQueue,
    workflowId: workflowIdOf(reportId),
    args: [startInput(reportId)],
  });
  const key = troubleKeyOf(reportId);
  const ticket = h.watch.ticketCreated(key);
  await handle.signal(MESSAGES.addAnalysis.signal, RESOURCE_CAUSE_ANALYSIS);
  await ticket;
  await handle.signal(MESSAGES.resourceTroubleUpdate.signal, {
    externalId: key,
    status: 'resolved',
    by: 'resource-trouble-management',
    resolution: 'PE-7 line card replaced',
  });
  const closeInformed = h.watch.closeInformed(reportId);
  await handle.signal(MESSAGES.clear.signal, { by: 'noc.anna', resolution: 'Uplink replaced' });
  await closeInformed;
  await handle.signal(MESSAGES.confirmClosure.signal, { by: 'close.process' });
  await handle.result();
  return performance.now() - t0;
}

async function historyOf(ctx: SectionContext, reportId: string): Promise<{ events: number; types: Record<string, number> }> {
  const history = await ctx.h.client.workflow.getHandle(workflowIdOf(reportId)).fetchHistory();
  const types: Record<string, number> = {};
  for (const event of history.events ?? []) {
    const name = String(temporal.api.enums.v1.EventType[Number(event.eventType)] ?? event.eventType).replace(/^EVENT_TYPE_/, '');
    types[name] = (types[name] ?? 0) + 1;
  }
  return { events: history.events?.length ?? 0, types };
}

export async function runLifecycle(ctx: SectionContext): Promise<LifecycleResult> {
  const { h, progress, quick, runTag } = ctx;
  const batchSize = quick ? 24 : 120;
  const pairs = quick ? 2 : 5;
  const concurrency = quick ? 8 : 16;
  const order: Kind[] = [];
  for (let i = 0; i < pairs; i++) order.push(...((i % 2 === 0 ? ['report', 'baseline'] : ['baseline', 'report']) as Kind[]));

  // Warm-up (not counted): the worker loads the bundle, the server warms its caches.
  progress.phase('1 lifecycle: warm-up', 2 * Math.ceil(batchSize / 3));
  for (const kind of ['report', 'baseline'] as Kind[]) {
    const ids = Array.from({ length: Math.ceil(batchSize / 3) }, (_, i) => `${runTag}-W${kind[0]}${i}`);
    await pool(ids, concurrency, async (id) => {
      await oneLifecycle(ctx, kind, id);
      progress.tick();
    });
  }

  const batches: BatchResult[] = [];
  const lifecycleMs: Record<Kind, number[]> = { report: [], baseline: [] };
  const lastIds: Record<Kind, string[]> = { report: [], baseline: [] };
  progress.phase('1 lifecycle: batches', order.length * batchSize);
  for (const [b, kind] of order.entries()) {
    const ids = Array.from({ length: batchSize }, (_, i) => `${runTag}-${kind === 'report' ? 'L' : 'B'}${b}-${i}`);
    const cpu0 = { worker: cpuMsOf(h.worker.pid), server: cpuMsOf(h.server.pid), bench: selfCpuMs() };
    const t0 = performance.now();
    const times = await pool(ids, concurrency, async (id) => {
      const ms = await oneLifecycle(ctx, kind, id);
      progress.tick(1, `${kind} batch ${b + 1}/${order.length}`);
      return ms;
    });
    const wallMs = performance.now() - t0;
    lifecycleMs[kind].push(...times);
    lastIds[kind] = ids;
    batches.push({
      kind,
      lifecycles: batchSize,
      wallMs,
      perSecond: (batchSize * 1000) / wallMs,
      workerCpuMs: cpuMsOf(h.worker.pid) - cpu0.worker,
      serverCpuMs: cpuMsOf(h.server.pid) - cpu0.server,
      benchCpuMs: selfCpuMs() - cpu0.bench,
    });
  }

  const summarizeKind = async (kind: Kind): Promise<KindSummary> => {
    const mine = batches.filter((batch) => batch.kind === kind);
    const histories = await Promise.all(lastIds[kind].slice(0, 5).map((id) => historyOf(ctx, id)));
    const historyEvents = median(histories.map((x) => x.events));
    const medianPerSecond = median(mine.map((batch) => batch.perSecond));
    const total = mine.reduce((sum, batch) => sum + batch.lifecycles, 0);
    return {
      medianPerSecond,
      historyEvents,
      lifecyclesPerHistoryEvent: 1 / historyEvents,
      eventsPerSecond: medianPerSecond * historyEvents,
      workerCpuMsPerLifecycle: mine.reduce((sum, batch) => sum + batch.workerCpuMs, 0) / total,
      serverCpuMsPerLifecycle: mine.reduce((sum, batch) => sum + batch.serverCpuMs, 0) / total,
      eventTypes: histories[0]?.types ?? {},
    };
  };
  const report = await summarizeKind('report');
  const baseline = await summarizeKind('baseline');
  return {
    batchSize,
    concurrency,
    batches,
    report,
    baseline,
    ratio: report.medianPerSecond / baseline.medianPerSecond,
    eventRatio: report.eventsPerSecond / baseline.eventsPerSecond,
    lifecycleMs: { report: median(lifecycleMs.report), baseline: median(lifecycleMs.baseline) },
  };
}
