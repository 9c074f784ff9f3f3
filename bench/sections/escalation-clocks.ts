/**
 * 4b. The second-edition clocks in the escalation section (bench/sections/escalation.ts runs them):
 *
 * - Response and update-cadence lateness: groups of reports whose response target (or update
 *   cadence) is the short clock, with deadlines spread over the same window as the resolution
 *   group, after the other groups' deadlines. The resolution target is hours, so the one
 *   escalation received in the window is the short clock's (threshold 100%, level 1). Due time =
 *   openedAt + the clock's target (the clock starts at the opening; the update gap measured is the
 *   first one, opened → no analysis yet: the same timer → takeClockSteps → notifyEscalation path as
 *   every later gap). Measured and split exactly like the resolution lateness.
 * - History events per report per day of cadence: four reports on Temporal's time-skipping server,
 *   run by a second worker process of the same build against the same simulators, through 24
 *   virtual hours. The history a report accrues depends on the commands the workflow issues, not on
 *   how fast the time passes, so a virtual day gives the events of a real day (what it cannot show
 *   is timing: that is the lateness above, in real time).
 */
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { WORKFLOW_TYPE } from '../../src/contract';
import { startTimeSkippingServer } from '../../src/infra/temporal-servers';
import { MESSAGES } from '../../src/workflows/messages';
import { WorkerChild } from '../harness';
import { queryOpenReport, startInput, workflowIdOf, type SectionContext } from './common';

export type ClockGroup = 'response' | 'update';
export const CLOCK_GROUPS: readonly ClockGroup[] = ['response', 'update'];

/** Long enough that the resolution clock takes no step while the short clocks are measured. */
const RESOLUTION_TARGET_MS = 6 * 3_600_000;

/** The policy of a report whose `group` clock (or resolution, for the other groups) falls due after `targetMs`. */
export function clockPolicyFor(group: string, targetMs: number, thresholdAt: number): Record<string, unknown> {
  const thresholds = [{ at: thresholdAt, state: 'breached', action: 'escalate', level: 1 }];
  if (group === 'response') return { resolutionTarget: RESOLUTION_TARGET_MS, responseTarget: targetMs, thresholds, topLevel: 1 };
  if (group === 'update') return { resolutionTarget: RESOLUTION_TARGET_MS, updateEvery: targetMs, thresholds, topLevel: 1 };
  return { resolutionTarget: targetMs, thresholds, topLevel: 1 };
}

/** The target of the clock a group measures, from the report's own resolved policy. */
export function measuredTarget(group: string, policy: { resolutionTarget: number; responseTarget?: number; updateEvery?: number }): number {
  if (group === 'response') return policy.responseTarget ?? Number.NaN;
  if (group === 'update') return policy.updateEvery ?? Number.NaN;
  return policy.resolutionTarget;
}

/** The response and update groups: `n` deadlines each, spread over `windowMs`, starting at `from`, 6 s apart. */
export function planClockGroups<G extends string>(
  runTag: string,
  n: number,
  from: number,
  windowMs: number,
): Array<{ reportId: string; group: G | ClockGroup; targetMs: number; plannedDue: number }> {
  const planned: Array<{ reportId: string; group: ClockGroup; targetMs: number; plannedDue: number }> = [];
  CLOCK_GROUPS.forEach((group, g) => {
    const start = from + g * (windowMs + 6_000);
    const tag = group === 'response' ? 'ER' : 'EU';
    for (let i = 0; i < n; i++)
      planned.push({ reportId: `${runTag}-${tag}${i}`, group, targetMs: 0, plannedDue: start + (i * windowMs) / n });
  });
  return planned;
}

export interface CadenceDayScenario {
  name: string;
  updateEvery?: string;
  /** Analyses sent during the day (one every `analysisEveryMin` virtual minutes). */
  analyses: number;
  /** History events right after the opening. */
  eventsAtOpen: number;
  /** History events after 24 virtual hours. */
  eventsAfterDay: number;
  /** eventsAfterDay − eventsAtOpen. */
  eventsPerDay: number;
  escalationsPerDay: number;
}

export interface CadenceDayResult {
  method: string;
  analysisEveryMin: number;
  scenarios: CadenceDayScenario[];
  /** Events the cadence clock adds per day: with analyses (cadence kept) and without (cadence missed all day). */
  cadenceEventsKept: number;
  cadenceEventsMissed: number;
  wallMs: number;
}

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const ANALYSIS_EVERY_MIN = 50;

const SCENARIOS: ReadonlyArray<{ name: string; updateEvery?: string; withAnalyses: boolean }> = [
  { name: 'updateEvery 1h, an analysis every 50 min (cadence kept)', updateEvery: '1h', withAnalyses: true },
  { name: 'no cadence, the same analyses', withAnalyses: true },
  { name: 'updateEvery 1h, no analysis all day (cadence missed)', updateEvery: '1h', withAnalyses: false },
  { name: 'no cadence, no analysis', withAnalyses: false },
];

async function historyLength(client: Client, reportId: string): Promise<number> {
  const history = await client.workflow.getHandle(workflowIdOf(reportId)).fetchHistory();
  return history.events?.length ?? 0;
}

/** Drives the four reports through one virtual day: an analysis every 50 min to those that take them. */
async function driveDay(env: Awaited<ReturnType<typeof startTimeSkippingServer>>, ids: string[]): Promise<number> {
  let analyses = 0;
  for (let at = ANALYSIS_EVERY_MIN * MIN; at < DAY; at += ANALYSIS_EVERY_MIN * MIN) {
    await env.sleep(ANALYSIS_EVERY_MIN * MIN);
    analyses += 1;
    for (const [i, id] of ids.entries()) {
      if (!SCENARIOS[i].withAnalyses) continue;
      await env.client.workflow
        .getHandle(workflowIdOf(id))
        .executeUpdate(MESSAGES.addAnalysis.update, { args: [{ author: 'bench', summary: `update ${analyses}` }] });
    }
  }
  await env.sleep(DAY - analyses * ANALYSIS_EVERY_MIN * MIN);
  return analyses;
}

/** History events per report per day of cadence, on the time-skipping server (see the file comment). */
export async function runCadenceDay({ h, progress, runTag }: SectionContext): Promise<CadenceDayResult> {
  progress.phase('4 escalation: a day of cadence (time-skipping server)', SCENARIOS.length);
  const t0 = performance.now();
  const env = await startTimeSkippingServer();
  const taskQueue = `${h.taskQueue}-day`;
  const worker = new WorkerChild({ ...h.workerEnv, BENCH_TEMPORAL_ADDRESS: env.address, SPDR_TASK_QUEUE: taskQueue });
  try {
    await worker.start();
    const ids = SCENARIOS.map((_, i) => `${runTag}-DAY${i}`);
    const atOpen: number[] = [];
    for (const [i, scenario] of SCENARIOS.entries()) {
      const policy = scenario.updateEvery ? { updateEvery: scenario.updateEvery } : undefined;
      const input = startInput(ids[i], policy ? { policy } : {});
      const handle = await env.client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId: workflowIdOf(ids[i]), args: [input] });
      await queryOpenReport(handle);
      atOpen.push(await historyLength(env.client, ids[i]));
      progress.tick();
    }
    const analyses = await driveDay(env, ids);
    const scenarios: CadenceDayScenario[] = [];
    for (const [i, scenario] of SCENARIOS.entries()) {
      const history = await env.client.workflow.getHandle(workflowIdOf(ids[i])).fetchHistory();
      const events = history.events ?? [];
      const escalations = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'notifyEscalation').length;
      scenarios.push({
        name: scenario.name,
        updateEvery: scenario.updateEvery,
        analyses: scenario.withAnalyses ? analyses : 0,
        eventsAtOpen: atOpen[i],
        eventsAfterDay: events.length,
        eventsPerDay: events.length - atOpen[i],
        escalationsPerDay: escalations,
      });
    }
    return {
      method: 'time-skipping server (24 virtual hours), real worker process and simulators',
      analysisEveryMin: ANALYSIS_EVERY_MIN,
      scenarios,
      cadenceEventsKept: scenarios[0].eventsPerDay - scenarios[1].eventsPerDay,
      cadenceEventsMissed: scenarios[2].eventsPerDay - scenarios[3].eventsPerDay,
      wallMs: performance.now() - t0,
    };
  } finally {
    await worker.stop().catch(() => undefined);
    await env.teardown().catch(() => undefined);
  }
}
