/**
 * 8. Alarm storm: N reports on one correlation key, their starts spread evenly over a window
 * (full: 1,000 in 60 s; quick: 100 in 15 s). Measured: each child's time from its start RPC to
 * its `joinedGroup` entry (p50 / p99 / max) and until the whole group stood; the escalations
 * received at a lax webhook sink (repeats kept) until the parent's last level is due, which must
 * all be the parent's; and the CPU of a worker process of its own (fresh, own task queue) for
 * the storm. The reports' policy is short (level 1 at 60 s, level 2 at 120 s) so the ladder
 * runs within the section.
 */
import { performance } from 'node:perf_hooks';
import { startSimulators, type Simulators } from '../../src/simulators/main';
import { WORKFLOW_TYPE, correlationQuery, correlationWorkflowId } from '../../src/contract';
import { WorkerChild } from '../harness';
import { pool, summarize, type Summary } from '../stats';
import { cpuMsOf, queryOpenReport, startInput, workflowIdOf, type SectionContext } from './common';

export interface StormResult {
  reports: number;
  windowMs: number;
  /** Start RPC → the child's `joinedGroup` entry, over the N−1 children. */
  startToGroupedMs: Summary;
  /** First start RPC → the parent holding every child. */
  allGroupedAfterMs: number;
  /** Escalations received at the sink until the parent's level 2 was due (+15 s), repeats included. */
  escalations: { total: number; parent: number; others: number; levels: number[] };
  /** Worker process CPU from the first start until the group stood, and over the whole section. */
  workerCpuMsToGrouped: number;
  workerCpuMsTotal: number;
  workerCores: number;
}

const TARGET_MS = 120_000;
const POLICY = {
  resolutionTarget: TARGET_MS,
  thresholds: [
    { at: 0.5, state: 'inJeopardy', action: 'escalate', level: 1 },
    { at: 1, state: 'breached', action: 'escalate', level: 2 },
  ],
  topLevel: 2,
};

interface ReportView {
  openedAt: string;
  parentReportId?: string;
  children?: string[];
  invitedChildren?: string[];
  history: Array<{ at: string; action: string }>;
}

/** Starts every report at its slot in the window; answers each start RPC's send time. */
async function openStorm(
  ctx: SectionContext,
  taskQueue: string,
  ids: string[],
  key: string,
  windowMs: number,
): Promise<Map<string, number>> {
  const sentAt = new Map<string, number>();
  const t0 = Date.now();
  await Promise.all(
    ids.map(async (id, i) => {
      const slot = t0 + (i * windowMs) / ids.length;
      await new Promise((r) => setTimeout(r, Math.max(0, slot - Date.now())));
      sentAt.set(id, Date.now());
      await ctx.h.client.workflow.start(WORKFLOW_TYPE, {
        taskQueue,
        workflowId: workflowIdOf(id),
        args: [{ ...startInput(id, { policy: POLICY }), correlationKey: key }],
      });
      ctx.progress.tick(1, 'opened');
    }),
  );
  return sentAt;
}

/** Polls until `read` satisfies `ok` (a read that fails is tried again); throws after `maxMs`. */
async function pollUntil<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, maxMs: number): Promise<T> {
  const until = Date.now() + maxMs;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined && ok(value)) return value;
    if (Date.now() > until) throw new Error(`storm: timed out waiting for ${what}; last: ${JSON.stringify(value)?.slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Escalations at the sink for these reports, repeats included (lax sink). */
function escalationsAt(sims: Simulators, ids: Set<string>, parent: string): StormResult['escalations'] {
  const hooks = sims.webhook
    .received()
    .map((hook) => (hook.path === '/escalation' ? ((hook.body ?? {}) as Record<string, unknown>) : undefined))
    .filter((body) => body?.type === 'spdr.escalation' && ids.has(String(body.reportId)));
  const parentHooks = hooks.filter((body) => body!.reportId === parent);
  return {
    total: hooks.length,
    parent: parentHooks.length,
    others: hooks.length - parentHooks.length,
    levels: parentHooks.map((body) => Number(body!.level)),
  };
}

export async function runStorm(ctx: SectionContext): Promise<StormResult> {
  const { h, progress, quick, runTag } = ctx;
  const reports = quick ? 100 : 1000;
  const windowMs = quick ? 15_000 : 60_000;
  const ids = Array.from({ length: reports }, (_, i) => `${runTag}-ST${i}`);
  const key = `storm-${runTag}`;
  const taskQueue = `${h.taskQueue}-storm`;
  const sims = await startSimulators({ lax: true });
  const worker = new WorkerChild({ ...h.workerEnv, ...sims.env(0), SPDR_TASK_QUEUE: taskQueue });
  try {
    await worker.start();
    progress.phase(`8 storm: ${reports} reports on one key in ${windowMs / 1000} s`, reports);
    const cpu0 = cpuMsOf(worker.pid);
    const wall0 = performance.now();
    const first = Date.now();
    const sentAt = await openStorm(ctx, taskQueue, ids, key, windowMs);
    const coordinator = h.client.workflow.getHandle(correlationWorkflowId(key));
    const view = await pollUntil(
      () => coordinator.query(correlationQuery),
      (v) => v.members.length === reports - 1,
      'the coordinator',
      600_000,
    );
    const parentId = view.parentReportId!;
    const parent = h.client.workflow.getHandle(workflowIdOf(parentId));
    const grouped = (v: ReportView) => (v.children ?? []).length === reports - 1 && v.invitedChildren === undefined;
    await pollUntil(() => parent.query<ReportView>('report'), grouped, 'every child in the group', 600_000);
    const allGroupedAfterMs = Date.now() - first;
    const workerCpuMsToGrouped = cpuMsOf(worker.pid) - cpu0;
    const joined = await pool(
      ids.filter((id) => id !== parentId),
      8,
      async (id) => {
        const r = await queryOpenReport<ReportView>(h.client.workflow.getHandle(workflowIdOf(id)));
        const entry = r.history.find((e) => e.action === 'joinedGroup');
        return entry ? Date.parse(entry.at) - sentAt.get(id)! : Number.NaN;
      },
    );
    // The parent's ladder: level 2 is due TARGET_MS after it opened; then a margin for repeats.
    const parentOpened = Date.parse((await parent.query<ReportView>('report')).openedAt);
    await new Promise((r) => setTimeout(r, Math.max(0, parentOpened + TARGET_MS + 15_000 - Date.now())));
    const escalations = escalationsAt(sims, new Set(ids), parentId);
    const workerCpuMsTotal = cpuMsOf(worker.pid) - cpu0;
    // Leave nothing running on the server for the sections after this one.
    await pool([...ids.map(workflowIdOf), correlationWorkflowId(key)], 16, (id) =>
      h.client.workflow
        .getHandle(id)
        .terminate('storm measured')
        .catch(() => undefined),
    );
    return {
      reports,
      windowMs,
      startToGroupedMs: summarize(joined.filter(Number.isFinite)),
      allGroupedAfterMs,
      escalations,
      workerCpuMsToGrouped,
      workerCpuMsTotal,
      workerCores: workerCpuMsTotal / (performance.now() - wall0),
    };
  } finally {
    await worker.stop().catch(() => undefined);
    await sims.close().catch(() => undefined);
  }
}
