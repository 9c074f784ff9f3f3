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
 * - History events per report per day of cadence: six reports on Temporal's time-skipping server
 *   (three analysis patterns, each with `updateEvery` 1h and without, so the cadence's share shows),
 *   run by a second worker process of the same build against the same simulators, through 24
 *   virtual hours. The history a report accrues depends on the commands the workflow issues, not on
 *   how fast the time passes, so a virtual day gives the events of a real day (what it cannot show
 *   is timing: that is the lateness above, in real time).
 */
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { WORKFLOW_TYPE } from '../../src/contract';
import { startTimeSkippingServer } from '../../src/infra/temporal-servers';
import { MESSAGES } from '../../src/workflows/messages';
import { WorkerChild } from '../harness';
import { queryOpenReport, startInput, workflowIdOf, type SectionContext } from './common';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type TimeSkipping = Awaited<ReturnType<typeof startTimeSkippingServer>>;

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
  /** Minutes between analyses (none when undefined). */
  analysisEveryMin?: number;
  analyses: number;
  /** History events right after the opening. */
  eventsAtOpen: number;
  /** History events after 24 virtual hours, over every run if the report continued as new. */
  eventsAfterDay: number;
  /** eventsAfterDay − eventsAtOpen. */
  eventsPerDay: number;
  escalationsPerDay: number;
  runs: number;
}

export interface CadenceDayResult {
  method: string;
  scenarios: CadenceDayScenario[];
  /** Events per day the cadence clock adds, per pair (same analyses with and without `updateEvery`). */
  cadenceShare: Array<{ analysisEveryMin?: number; events: number }>;
  wallMs: number;
}

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
/** The virtual clock advances in steps of this many minutes; every analysis interval is a multiple. */
const STEP_MIN = 25;

/** Pairs: each analysis pattern with `updateEvery` 1h and without (the cadence's own share is the difference). */
const SCENARIOS: ReadonlyArray<{ name: string; updateEvery?: string; analysisEveryMin?: number }> = [
  { name: 'updateEvery 1h, analysis every 25 min (cadence kept, no notice)', updateEvery: '1h', analysisEveryMin: 25 },
  { name: 'no cadence, analysis every 25 min', analysisEveryMin: 25 },
  {
    name: 'updateEvery 1h, analysis every 50 min (kept; each gap passes 50% notice and 75% escalation)',
    updateEvery: '1h',
    analysisEveryMin: 50,
  },
  { name: 'no cadence, analysis every 50 min', analysisEveryMin: 50 },
  { name: 'updateEvery 1h, no analysis all day (cadence missed)', updateEvery: '1h' },
  { name: 'no cadence, no analysis' },
];

/** Every event of the report since it was opened, following continue-as-new from the first run. */
async function historyOf(client: Client, reportId: string, firstRunId: string): Promise<{ events: HistoryEvent[]; runs: number }> {
  const events: HistoryEvent[] = [];
  let runId: string | undefined = firstRunId;
  let runs = 0;
  while (runId) {
    const history: temporal.api.history.v1.IHistory = await client.workflow.getHandle(workflowIdOf(reportId), runId).fetchHistory();
    const own: HistoryEvent[] = history.events ?? [];
    events.push(...own);
    runs += 1;
    runId = own[own.length - 1]?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return { events, runs };
}

/** Drives the reports through one virtual day, each getting an analysis at its own interval. */
async function driveDay(env: TimeSkipping, ids: string[]): Promise<number[]> {
  const analyses = ids.map(() => 0);
  for (let at = STEP_MIN * MIN; at <= DAY; at += STEP_MIN * MIN) {
    await env.sleep(STEP_MIN * MIN);
    for (const [i, id] of ids.entries()) {
      const every = SCENARIOS[i].analysisEveryMin;
      if (every === undefined || at % (every * MIN) !== 0 || at === DAY) continue;
      analyses[i] += 1;
      await env.client.workflow
        .getHandle(workflowIdOf(id))
        .executeUpdate(MESSAGES.addAnalysis.update, { args: [{ author: 'bench', summary: `update ${analyses[i]}` }] });
    }
  }
  // DAY is a multiple of STEP_MIN: the last sleep ended exactly 24 h after the opening.
  return analyses;
}

/**
 * Opens the reports; their events at open are counted once each has finished opening (one virtual
 * second later: the time-skipping server moves time only when no task is outstanding).
 */
async function openDayReports(env: TimeSkipping, taskQueue: string, ids: string[], progress: SectionContext['progress']) {
  const runIds: string[] = [];
  for (const [i, scenario] of SCENARIOS.entries()) {
    const input = startInput(ids[i], scenario.updateEvery ? { policy: { updateEvery: scenario.updateEvery } } : {});
    const handle = await env.client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId: workflowIdOf(ids[i]), args: [input] });
    await queryOpenReport(handle);
    runIds.push(handle.firstExecutionRunId);
    progress.tick();
  }
  await env.sleep(1_000);
  const opened: Array<{ runId: string; eventsAtOpen: number }> = [];
  for (const [i, runId] of runIds.entries())
    opened.push({ runId, eventsAtOpen: (await historyOf(env.client, ids[i], runId)).events.length });
  return opened;
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
    const opened = await openDayReports(env, taskQueue, ids, progress);
    const analyses = await driveDay(env, ids);
    const scenarios: CadenceDayScenario[] = [];
    for (const [i, scenario] of SCENARIOS.entries()) {
      const { events, runs } = await historyOf(env.client, ids[i], opened[i].runId);
      const escalations = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'notifyEscalation').length;
      const eventsAtOpen = opened[i].eventsAtOpen;
      scenarios.push({
        ...scenario,
        analyses: analyses[i],
        eventsAtOpen,
        eventsAfterDay: events.length,
        eventsPerDay: events.length - eventsAtOpen,
        escalationsPerDay: escalations,
        runs,
      });
    }
    const cadenceShare = [0, 2, 4].map((i) => ({
      analysisEveryMin: scenarios[i].analysisEveryMin,
      events: scenarios[i].eventsPerDay - scenarios[i + 1].eventsPerDay,
    }));
    return {
      method: 'time-skipping server, 24 virtual hours; real worker process (same build) and simulators',
      scenarios,
      cadenceShare,
      wallMs: performance.now() - t0,
    };
  } finally {
    await worker.stop().catch(() => undefined);
    await env.teardown().catch(() => undefined);
  }
}
