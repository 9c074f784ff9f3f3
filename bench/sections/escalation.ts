/**
 * 4. Escalation lateness: reports with tiny resolution targets whose one escalation threshold
 * (100%, level 1) falls due at planned instants, spread over a window and all on the same second.
 * Lateness = the escalation webhook's receive time at the simulator sink minus the due time
 * computed from the report's openedAt (its `report` query) and its policy. Compared with a
 * polling design (a job that scans every 60 s), simulated on the same deadline set with the scan
 * and send costs measured here. Each group has a baseline on the same worker and server right
 * after it: a no-logic workflow that sleeps to the same kind of instant and calls the same webhook
 * activity (bench/baseline-workflow.ts `escalationBaseline`), so each lateness has its bare-Temporal limit beside it.
 * The response and update-cadence clocks are measured the same way, and a day of cadence counted in
 * history events (bench/sections/escalation-clocks.ts); the lateness split in ./escalation-breakdown.ts.
 */
import { performance } from 'node:perf_hooks';
import { median, pool, seededRandom, summarize, type Summary } from '../stats';
import { queryOpenReport, startInput, waitForQuiet, workflowIdOf, type SectionContext } from './common';
import { WORKFLOW_TYPE } from '../../src/contract';
import type { EscalationReceipt } from '../harness';
import { breakdownOf, type LatenessBreakdown } from './escalation-breakdown';
import {
  clockPolicyFor,
  measuredTarget,
  planClockGroups,
  runCadenceDay,
  type CadenceDayResult,
  type ClockGroup,
} from './escalation-clocks';

export interface LatenessGroup {
  reports: number;
  escalationsReceived: number;
  missing: number;
  /** Actual deadlines (openedAt + target) of the group: earliest to latest. */
  deadlineSpreadMs: number;
  /** Deadlines on the busiest single second. */
  maxDeadlinesPerSecond: number;
  latenessMs: Summary;
  polling: Summary;
  /** Where the lateness goes, from the histories of a sample of the group's reports. */
  breakdown?: LatenessBreakdown;
  /** Started less than a second before their due time or after it (opening fell behind the plan): their lateness includes the opening's. */
  openedLate?: number;
}

export type { LatenessBreakdown };

export interface EscalationResult {
  spread: LatenessGroup & { windowMs: number };
  burst: LatenessGroup;
  /** The same deadlines for the no-logic baseline; lateness = webhook received − the instant it slept to. */
  spreadBaseline?: LatenessGroup;
  burstBaseline?: LatenessGroup;
  /** Report p99 over baseline p99, per group. */
  spreadP99Ratio?: number;
  burstP99Ratio?: number;
  /** The response and update-cadence clocks' notices (bench/sections/escalation-clocks.ts), same window as `spread`. */
  response?: LatenessGroup;
  update?: LatenessGroup;
  /** Their p99 over the spread baseline's p99. */
  responseP99Ratio?: number;
  updateP99Ratio?: number;
  /** History events per report per day of cadence (time-skipping server). */
  cadenceDay?: CadenceDayResult;
  pollingModel: { periodMs: number; scanMs: number; scannedReports: number; sendMs: number; phases: number };
  openPerSecond: number;
}

const THRESHOLD_AT = 1;

type Group = 'spread' | 'burst' | 'spreadBaseline' | 'burstBaseline' | ClockGroup;
const isBaseline = (group: Group): boolean => group === 'spreadBaseline' || group === 'burstBaseline';

interface Planned {
  reportId: string;
  group: Group;
  targetMs: number;
  plannedDue: number;
  /** When its start was sent. */
  sentAtMs?: number;
}

/** Lateness of a 60 s polling job on the same deadlines, over many random scan phases. */
function simulatePolling(deadlines: number[], periodMs: number, scanMs: number, sendMs: number, phases: number, seed: number): number[] {
  const random = seededRandom(seed);
  const sorted = [...deadlines].sort((a, b) => a - b);
  const out: number[] = [];
  for (let p = 0; p < phases; p++) {
    const phase = random() * periodMs;
    let currentScan = Number.NaN;
    let rank = 0;
    for (const due of sorted) {
      const scan = phase + Math.ceil((due - phase) / periodMs) * periodMs;
      if (scan !== currentScan) {
        currentScan = scan;
        rank = 0;
      }
      rank += 1;
      // The scan finds it at `scan`, spends scanMs reading the open reports, then sends in order.
      out.push(scan - due + scanMs + rank * sendMs);
    }
  }
  return out;
}

function maxPerSecond(deadlines: number[]): number {
  const counts = new Map<number, number>();
  for (const d of deadlines) counts.set(Math.floor(d / 1000), (counts.get(Math.floor(d / 1000)) ?? 0) + 1);
  return Math.max(0, ...counts.values());
}

/**
 * Calibration: one wave of ordinary reports (hours-long targets, not measured) tells how fast
 * this machine opens reports in paced waves, so every measured report is open before the first
 * deadline and the deadlines land where planned.
 */
async function calibrateOpenRate({ h, progress, runTag }: SectionContext, wave: number): Promise<number> {
  progress.phase('4 escalation: calibrating the open rate', wave);
  const c0 = performance.now();
  await pool(
    Array.from({ length: wave }, (_, i) => `${runTag}-EC${i}`),
    24,
    async (id) => {
      await h.client.workflow.start(WORKFLOW_TYPE, { taskQueue: h.taskQueue, workflowId: workflowIdOf(id), args: [startInput(id)] });
      progress.tick();
    },
  );
  await waitForQuiet([h.worker.pid], { maxMs: 20_000, windowMs: 300, threshold: 0.25 });
  return Math.max(1, (wave * 1000) / (performance.now() - c0));
}

/**
 * A start the overloaded dev server refused for a moment (seen at load average 27: "Namespace not
 * found: 'default'" while its namespace cache refreshed) is tried again, up to three times; a
 * report still not started is left out of the figures (missing) instead of ending the section.
 */
async function startWithRetry(start: () => Promise<unknown>): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      await start();
      return true;
    } catch {
      if (attempt >= 3) return false;
      await new Promise((r) => setTimeout(r, 1_000 * attempt));
    }
  }
}

/**
 * Opening is paced in waves: start a wave, let the worker arm every timer of it (its CPU goes
 * quiet), then the next, so the worker is never far behind and the deadlines land where planned.
 * A report's target is its planned due time minus the open lag seen so far (start to openedAt).
 * Returns the reports opened per second.
 */
async function openPaced({ h, progress }: SectionContext, planned: Planned[], wave: number): Promise<number> {
  const openT0 = performance.now();
  const lags: number[] = [];
  const sentAt = new Map<string, number>();
  for (let w = 0; w < planned.length; w += wave) {
    const plans = planned.slice(w, w + wave);
    await pool(plans, 24, async (plan) => {
      const now = Date.now();
      const lag = lags.length > 0 ? median(lags) : 500;
      plan.targetMs = Math.max(1_500, Math.round(plan.plannedDue - now - lag));
      sentAt.set(plan.reportId, now);
      plan.sentAtMs = now;
      if (isBaseline(plan.group)) {
        // The baseline sleeps to the planned instant itself: no open lag to allow for.
        await startWithRetry(() =>
          h.client.workflow.start('escalationBaseline', {
            taskQueue: h.taskQueue,
            workflowId: workflowIdOf(plan.reportId),
            args: [{ reportId: plan.reportId, dueAtMs: plan.plannedDue }],
          }),
        );
        progress.tick();
        return;
      }
      await startWithRetry(() =>
        h.client.workflow.start(WORKFLOW_TYPE, {
          taskQueue: h.taskQueue,
          workflowId: workflowIdOf(plan.reportId),
          args: [startInput(plan.reportId, { policy: clockPolicyFor(plan.group, plan.targetMs, THRESHOLD_AT) })],
        }),
      );
      progress.tick();
    });
    await waitForQuiet([h.worker.pid], { maxMs: 10_000, windowMs: 300, threshold: 0.25 });
    // One report of the wave tells the lag between the start call and openedAt.
    const probe = plans.filter((plan) => !isBaseline(plan.group)).pop();
    if (!probe) continue;
    const report = await queryOpenReport<{ openedAt: string }>(h.client.workflow.getHandle(workflowIdOf(probe.reportId)), 60_000).catch(
      () => undefined,
    );
    if (report) lags.push(Date.parse(report.openedAt) - sentAt.get(probe.reportId)!);
  }
  return (planned.length * 1000) / (performance.now() - openT0);
}

/** The due time of each report from its own openedAt and policy; a report not open within a minute is left out (missing). */
async function readDueTimes({ h, progress }: SectionContext, planned: Planned[]): Promise<Map<string, number>> {
  progress.phase('4 escalation: reading openedAt', planned.length);
  const dueOf = new Map<string, number>();
  await pool(planned, 8, async (plan) => {
    if (isBaseline(plan.group)) {
      dueOf.set(plan.reportId, plan.plannedDue);
      progress.tick();
      return;
    }
    try {
      const report = await queryOpenReport<{
        openedAt: string;
        jeopardy: { policy: { resolutionTarget: number; responseTarget?: number; updateEvery?: number } };
      }>(h.client.workflow.getHandle(workflowIdOf(plan.reportId)), 60_000);
      // The clock the group measures (resolution, response or update cadence) starts at the opening.
      dueOf.set(plan.reportId, Date.parse(report.openedAt) + Math.round(THRESHOLD_AT * measuredTarget(plan.group, report.jeopardy.policy)));
    } catch {
      // Not open within a minute: counted as missing.
    }
    progress.tick();
  });
  return dueOf;
}

async function waitForEscalations(
  { progress, quick }: SectionContext,
  dueOf: Map<string, number>,
  total: number,
  received: () => EscalationReceipt[],
): Promise<void> {
  const lastDue = Math.max(...dueOf.values());
  const giveUpAt = Math.max(lastDue, Date.now()) + (quick ? 15_000 : 45_000);
  progress.phase('4 escalation: waiting for deadlines', total);
  while (Date.now() < giveUpAt) {
    const count = new Set(received().map((e) => e.reportId)).size;
    const next = [...dueOf.values()].filter((d) => d > Date.now());
    progress.set(count, next.length ? `next deadline in ${Math.round((Math.min(...next) - Date.now()) / 1000)} s` : 'draining');
    if (count >= dueOf.size) break;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The polling design's costs, measured here: one scan over every open report, one webhook send. */
async function pollingModelCosts({ h, progress }: SectionContext): Promise<EscalationResult['pollingModel']> {
  progress.phase('4 escalation: polling model costs', 0);
  const s0 = performance.now();
  let scanned = 0;
  for await (const _ of h.client.workflow.list({ query: `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'` }))
    scanned += 1;
  const scanMs = performance.now() - s0;
  const sends: number[] = [];
  for (let i = 0; i < 30; i++) {
    const p0 = performance.now();
    const response = await fetch(`${h.simulators.webhookUrl}/poll-probe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'probe', i }),
    });
    await response.arrayBuffer();
    sends.push(performance.now() - p0);
  }
  return { periodMs: 60_000, scanMs, scannedReports: scanned, sendMs: median(sends), phases: 400 };
}

async function latenessGroup(
  { h, progress }: SectionContext,
  name: Group,
  planned: Planned[],
  dueOf: Map<string, number>,
  received: EscalationReceipt[],
  model: EscalationResult['pollingModel'],
): Promise<LatenessGroup> {
  const mine = planned.filter((p) => p.group === name);
  const first = new Map<string, number>();
  for (const e of received) if (!first.has(e.reportId) || e.receivedAtMs < first.get(e.reportId)!) first.set(e.reportId, e.receivedAtMs);
  const lateness: number[] = [];
  for (const plan of mine) {
    const at = first.get(plan.reportId);
    const due = dueOf.get(plan.reportId);
    if (at !== undefined && due !== undefined) lateness.push(at - due);
  }
  const deadlines = mine.map((p) => dueOf.get(p.reportId)).filter((d): d is number => d !== undefined);
  const sample = mine
    .filter((plan) => first.has(plan.reportId) && dueOf.has(plan.reportId))
    .filter((_, i, all) => i % Math.max(1, Math.floor(all.length / 100)) === 0)
    .map((plan) => ({ reportId: plan.reportId, due: dueOf.get(plan.reportId)!, receivedAt: first.get(plan.reportId)! }));
  progress.phase(`4 escalation: lateness breakdown (${name})`, 0);
  const breakdown = sample.length > 0 ? await breakdownOf(h.client, sample) : undefined;
  return {
    reports: mine.length,
    escalationsReceived: lateness.length,
    missing: mine.length - lateness.length,
    deadlineSpreadMs: deadlines.length ? Math.max(...deadlines) - Math.min(...deadlines) : Number.NaN,
    maxDeadlinesPerSecond: maxPerSecond(deadlines),
    latenessMs: summarize(lateness),
    polling: summarize(
      simulatePolling(deadlines, model.periodMs, model.scanMs, model.sendMs, model.phases, name.startsWith('spread') ? 7 : 11),
    ),
    breakdown,
    // Their start was sent less than 1 s before the planned due time (opening fell behind the plan).
    openedLate: mine.filter((plan) => plan.sentAtMs !== undefined && plan.sentAtMs > plan.plannedDue - 1_000).length,
  };
}

export async function runEscalation(ctx: SectionContext): Promise<EscalationResult> {
  const { h, progress, quick, runTag } = ctx;
  const spreadN = quick ? 50 : 1000;
  const burstN = quick ? 100 : 1000;
  const clockN = quick ? 50 : 500;
  const windowMs = quick ? 10_000 : 60_000;
  const wave = 50;
  const openRate = await calibrateOpenRate(ctx, wave);
  const total = 2 * (spreadN + burstN + clockN);
  const leadMs = 5_000 + (total / openRate) * 1000 * 1.25;
  const t0 = Date.now();
  const spreadStart = t0 + leadMs;
  const burstAt = Math.ceil((spreadStart + windowMs + 6_000) / 1000) * 1000;
  const planned: Planned[] = [];
  for (let i = 0; i < spreadN; i++)
    planned.push({ reportId: `${runTag}-ES${i}`, group: 'spread', targetMs: 0, plannedDue: spreadStart + (i * windowMs) / spreadN });
  for (let i = 0; i < burstN; i++) planned.push({ reportId: `${runTag}-EB${i}`, group: 'burst', targetMs: 0, plannedDue: burstAt });
  // The baselines' deadlines follow the reports' (same pattern, 6 s apart), so the groups do not overlap.
  const baseSpreadStart = burstAt + 6_000;
  const baseBurstAt = Math.ceil((baseSpreadStart + windowMs + 6_000) / 1000) * 1000;
  for (let i = 0; i < spreadN; i++)
    planned.push({
      reportId: `${runTag}-XS${i}`,
      group: 'spreadBaseline',
      targetMs: 0,
      plannedDue: baseSpreadStart + (i * windowMs) / spreadN,
    });
  for (let i = 0; i < burstN; i++)
    planned.push({ reportId: `${runTag}-XB${i}`, group: 'burstBaseline', targetMs: 0, plannedDue: baseBurstAt });
  // The response and update-cadence clocks: spread like `spread`, after every other group.
  planned.push(...planClockGroups<Group>(runTag, clockN, baseBurstAt + 6_000, windowMs));

  progress.phase('4 escalation: open reports', total, `lead ${(leadMs / 1000).toFixed(0)} s`);
  const openPerSecond = await openPaced(ctx, planned, wave);
  const dueOf = await readDueTimes(ctx, planned);
  const ids = new Set(planned.map((p) => p.reportId));
  const received = () => h.watch.escalations.filter((e) => ids.has(e.reportId));
  await waitForEscalations(ctx, dueOf, total, received);
  const pollingModel = await pollingModelCosts(ctx);
  const spread = await latenessGroup(ctx, 'spread', planned, dueOf, received(), pollingModel);
  const burst = await latenessGroup(ctx, 'burst', planned, dueOf, received(), pollingModel);
  const spreadBaseline = await latenessGroup(ctx, 'spreadBaseline', planned, dueOf, received(), pollingModel);
  const burstBaseline = await latenessGroup(ctx, 'burstBaseline', planned, dueOf, received(), pollingModel);
  const response = await latenessGroup(ctx, 'response', planned, dueOf, received(), pollingModel);
  const update = await latenessGroup(ctx, 'update', planned, dueOf, received(), pollingModel);
  const cadenceDay = await runCadenceDay(ctx);
  return {
    spread: { ...spread, windowMs },
    burst,
    spreadBaseline,
    burstBaseline,
    spreadP99Ratio: spread.latenessMs.p99 / spreadBaseline.latenessMs.p99,
    burstP99Ratio: burst.latenessMs.p99 / burstBaseline.latenessMs.p99,
    response,
    update,
    responseP99Ratio: response.latenessMs.p99 / spreadBaseline.latenessMs.p99,
    updateP99Ratio: update.latenessMs.p99 / spreadBaseline.latenessMs.p99,
    cadenceDay,
    pollingModel,
    openPerSecond,
  };
}
