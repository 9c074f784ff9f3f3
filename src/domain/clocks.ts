/**
 * The second-edition clocks beside the resolution clock: response (met by the first analysis,
 * assignment or move to `inProgress`) and update cadence (each gap between analyses while the
 * report is open). Each climbs its own ladder, built from the policy's thresholds as fractions of
 * its own target, and pauses exactly when the resolution clock does: every clock takes the one
 * pause predicate of jeopardy.ts (`pauseIntervals`), so a new reason to pause applies to all.
 *
 * A report whose policy sets neither `responseTarget` nor `updateEvery` has no such clocks: its
 * state, effects and timers stay exactly what they were before these clocks existed.
 */
import { clockTimeOf } from './business-time';
import { formatDuration } from './duration';
import { iso, log, msOf, SYSTEM_ACTOR, withoutUndefined, type Draft } from './draft';
import { escalationLadder, evaluateJeopardy, pausedMsAt, type LadderStep, type PauseInterval } from './jeopardy';
import type { JeopardyPolicy } from './policy';
import type { ClockView, Jeopardy, Report } from './schemas';
import { isOpenTask } from './task-plan';

export type ExtraClock = 'response' | 'update';

export function hasExtraClocks(policy: JeopardyPolicy): boolean {
  return policy.responseTarget !== undefined || policy.updateEvery !== undefined;
}

/** Where every clock starts: the opening, or retroactively `detectedAt` (never after the opening). */
export function clockStartMs(report: Pick<Report, 'openedAt' | 'detectedAt' | 'jeopardy'>): number {
  const opened = msOf(report.openedAt);
  return report.jeopardy.policy.clockStartsAt === 'detected' ? Math.min(opened, msOf(report.detectedAt)) : opened;
}

/** The pauses of a clock that starts at `from`: the report's pauses, cut to begin no earlier. */
function pausesFrom(pauses: readonly PauseInterval[], from: number): PauseInterval[] {
  return pauses
    .filter((pause) => pause.to === undefined || pause.to > from)
    .map((pause) => withoutUndefined({ from: Math.max(pause.from, from), to: pause.to }));
}

/** The policy with another target, so the resolution ladder maths serves every clock. */
function policyFor(policy: JeopardyPolicy, target: number): JeopardyPolicy {
  return { ...policy, resolutionTarget: target, reEscalateEvery: Math.max(1, Math.round(target / 4)) };
}

/** The first reaction to a report: its first analysis, assignment or move to `inProgress`. */
export function responseMetAt(report: Report): string | undefined {
  const known = report.jeopardy.clocks?.response?.metAt;
  if (known !== undefined) return known;
  for (const entry of report.history) {
    if (entry.action === 'analysisAdded' || entry.action === 'taskAssigned' || entry.toStatus === 'inProgress') return entry.at;
  }
  return undefined;
}

interface ClockSetting {
  name: ExtraClock;
  target: number;
  /** Wall-clock ms at which the clock (or the current update gap) started. */
  from: number;
  metAt?: string;
  /** Whether the clock is done for good (response met): no more steps. */
  met: boolean;
  stepsTaken: number;
}

function settings(report: Report): ClockSetting[] {
  const policy = report.jeopardy.policy;
  const start = clockStartMs(report);
  const steps = report.jeopardy.clockSteps;
  const result: ClockSetting[] = [];
  if (policy.responseTarget !== undefined) {
    const metAt = responseMetAt(report);
    result.push({
      name: 'response',
      target: policy.responseTarget,
      from: start,
      metAt,
      met: metAt !== undefined,
      stepsTaken: steps?.response ?? 0,
    });
  }
  if (policy.updateEvery !== undefined) {
    const last = report.analysis[report.analysis.length - 1]?.at;
    const from = last === undefined ? start : Math.max(start, msOf(last));
    const stepsTaken = steps !== undefined && msOf(steps.updateGapFrom) === from ? steps.update : 0;
    result.push({ name: 'update', target: policy.updateEvery, from, metAt: last, met: false, stepsTaken });
  }
  return result;
}

function evaluateClock(report: Report, setting: ClockSetting, pauses: readonly PauseInterval[], now: number) {
  const own = pausesFrom(pauses, setting.from);
  const at = setting.met ? msOf(setting.metAt!) : now;
  return evaluateJeopardy({
    policy: policyFor(report.jeopardy.policy, setting.target),
    openedAt: setting.from,
    pauses: own,
    now: Math.max(at, setting.from),
    stepsTaken: setting.stepsTaken,
    time: clockTimeOf(report.jeopardy),
  });
}

/** `jeopardy.clocks` as of `now`, the resolution clock given; undefined for a report without the new clocks. */
export function clocksAt(report: Report, now: number, pauses: readonly PauseInterval[], resolution: ClockView): Jeopardy['clocks'] {
  if (!hasExtraClocks(report.jeopardy.policy)) return undefined;
  const clocks: NonNullable<Jeopardy['clocks']> = { resolution };
  for (const setting of settings(report)) {
    const evaluation = evaluateClock(report, setting, pauses, now);
    clocks[setting.name] = withoutUndefined({ state: evaluation.state, deadline: iso(evaluation.deadline), metAt: setting.metAt });
  }
  return clocks;
}

/** Takes the ladder steps of the response and update clocks that fell due (notify assignees, then escalate). */
export function takeClockSteps(d: Draft, pauses: readonly PauseInterval[]): void {
  if (!hasExtraClocks(d.r.jeopardy.policy)) return;
  for (const setting of settings(d.r)) {
    if (setting.met) continue;
    const evaluation = evaluateClock(d.r, setting, pauses, d.now);
    if (evaluation.due.length === 0) continue;
    const deadline = iso(evaluation.deadline);
    const steps = d.r.jeopardy.clockSteps ?? { response: 0, update: 0, updateGapFrom: iso(setting.from) };
    const taken = setting.stepsTaken + evaluation.due.length;
    d.r.jeopardy = {
      ...d.r.jeopardy,
      clockSteps:
        setting.name === 'response' ? { ...steps, response: taken } : { ...steps, update: taken, updateGapFrom: iso(setting.from) },
    };
    for (const step of evaluation.due) takeStep(d, setting, step, deadline);
  }
}

function takeStep(d: Draft, setting: ClockSetting, step: LadderStep, deadline: string): void {
  const what = setting.name === 'response' ? 'response target' : 'update cadence';
  const detail = `${setting.name} clock ${step.state} at ${Math.round((step.activeMs / setting.target) * 100)}% of the ${formatDuration(setting.target)} ${what}; deadline ${deadline}`;
  if (step.action === 'notifyAssignee') {
    const assignees = [...new Set(d.r.tasks.filter(isOpenTask).map((task) => task.assignee))];
    d.effects.push({ type: 'notifyAssignee', reportId: d.r.reportId, assignees, jeopardyState: step.state, deadline, detail });
    log(d, {
      by: SYSTEM_ACTOR,
      action: 'assigneesNotified',
      detail: `${assignees.length > 0 ? assignees.join(', ') : 'no assignee yet'}: ${detail}`,
    });
    return;
  }
  // The subject keeps each clock's (and each update gap's) escalations apart in the idempotency key.
  const subject = setting.name === 'response' ? 'response' : `update-${iso(setting.from)}`;
  d.effects.push({
    type: 'notifyEscalation',
    reportId: d.r.reportId,
    level: step.level,
    reason: step.reason,
    jeopardyState: step.state,
    deadline,
    detail,
    subject,
  });
  log(d, { by: SYSTEM_ACTOR, action: 'escalated', detail: `level ${step.level} (${step.reason}): ${detail}` });
}

/**
 * Wall-clock ms of the next ladder step of the response and update clocks (the earliest), or
 * undefined. While paused only a step that fell due before the pause counts, as for the resolution clock.
 */
export function nextClockStepAt(report: Report, pauses: readonly PauseInterval[]): number | undefined {
  if (!hasExtraClocks(report.jeopardy.policy)) return undefined;
  let earliest: number | undefined;
  const time = clockTimeOf(report.jeopardy);
  for (const setting of settings(report)) {
    if (setting.met) continue;
    const own = pausesFrom(pauses, setting.from);
    const ongoing = own.find((pause) => pause.to === undefined);
    const next = escalationLadder(policyFor(report.jeopardy.policy, setting.target))[setting.stepsTaken];
    if (next === undefined) continue;
    const counted = pausedMsAt(own, ongoing ? ongoing.from : Number.MAX_SAFE_INTEGER, time) + next.activeMs;
    const at = time ? time.add(setting.from, counted) : setting.from + counted;
    if (ongoing && at > ongoing.from) continue;
    earliest = earliest === undefined ? at : Math.min(earliest, at);
  }
  return earliest;
}
