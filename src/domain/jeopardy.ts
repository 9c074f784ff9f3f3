/**
 * The jeopardy calculator: from the policy, the moment the report was opened, the paused
 * intervals and "now", it tells the jeopardy state, the deadline, the escalation steps that are
 * due and when the next one falls due. Pure arithmetic on milliseconds.
 *
 * The resolution clock counts "active" time: wall time since opening minus paused time.
 * Thresholds and re-escalations are placed on that active time line, so a pause moves every
 * one of them, and the deadline, by exactly the paused time.
 */
import type { ClockTime } from './business-time';
import { clockPaused } from './pauses';
import type { JeopardyPolicy } from './policy';
import type { JeopardyState } from './schemas';

/** A stretch of wall time during which the resolution clock stood still; `to` absent while it lasts. */
export interface PauseInterval {
  from: number;
  to?: number;
}

/** One rung of the escalation ladder, placed on the active time line. */
export interface LadderStep {
  /** Active (unpaused) milliseconds after opening at which the step falls due. */
  activeMs: number;
  action: 'notifyAssignee' | 'escalate';
  /** Escalation level reached by the step; 0 for a notification, which is not an escalation. */
  level: number;
  state: 'inJeopardy' | 'breached';
  reason: 'jeopardy' | 'breach' | 'reEscalation';
}

/**
 * The whole ladder a policy describes: its thresholds in order, then re-escalations every
 * `reEscalateEvery` once the report is breached and the last threshold is passed, up to `topLevel`.
 * Escalate thresholds above `topLevel` are left out, so no step ever exceeds it.
 */
export function escalationLadder(policy: JeopardyPolicy): LadderStep[] {
  const target = policy.resolutionTarget;
  const thresholds = [...policy.thresholds].sort((a, b) => a.at - b.at);
  const steps: LadderStep[] = [];
  let level = 0;
  for (const threshold of thresholds) {
    const activeMs = Math.round(threshold.at * target);
    if (threshold.action === 'notifyAssignee') {
      steps.push({
        activeMs,
        action: 'notifyAssignee',
        level: 0,
        state: threshold.state,
        reason: threshold.state === 'breached' ? 'breach' : 'jeopardy',
      });
      continue;
    }
    const stepLevel = threshold.level ?? level + 1;
    if (stepLevel <= level || stepLevel > policy.topLevel) continue;
    level = stepLevel;
    steps.push({
      activeMs,
      action: 'escalate',
      level,
      state: threshold.state,
      reason: threshold.state === 'breached' ? 'breach' : 'jeopardy',
    });
  }
  const firstBreach = thresholds.find((threshold) => threshold.state === 'breached');
  const breachStartsAt = Math.min(target, firstBreach ? Math.round(firstBreach.at * target) : target);
  const lastThresholdAt = thresholds.length > 0 ? Math.round(thresholds[thresholds.length - 1].at * target) : 0;
  const reEscalationStart = Math.max(breachStartsAt, lastThresholdAt);
  for (let k = 1; level < policy.topLevel; k++) {
    level += 1;
    steps.push({
      activeMs: reEscalationStart + k * policy.reEscalateEvery,
      action: 'escalate',
      level,
      state: 'breached',
      reason: 'reEscalation',
    });
  }
  return steps;
}

/** The jeopardy state after `activeMs` of active time: the worst state of passed thresholds; past the target it is breached. */
export function jeopardyStateAt(policy: JeopardyPolicy, activeMs: number): JeopardyState {
  if (activeMs >= policy.resolutionTarget) return 'breached';
  let state: JeopardyState = 'onTrack';
  for (const threshold of policy.thresholds) {
    if (Math.round(threshold.at * policy.resolutionTarget) > activeMs) continue;
    if (threshold.state === 'breached') return 'breached';
    state = 'inJeopardy';
  }
  return state;
}

/** Paused milliseconds up to `now` (an open interval counts until `now`); with a calendar, the open hours paused. */
export function pausedMsAt(pauses: readonly PauseInterval[], now: number, time?: ClockTime): number {
  let total = 0;
  for (const pause of pauses) {
    const end = Math.min(pause.to ?? now, now);
    if (end > pause.from) total += time ? time.measure(pause.from, end) : end - pause.from;
  }
  return total;
}

/** A status the report entered at a wall-clock instant, in order. */
export interface StatusChange {
  at: number;
  status: string;
  /** Set from the moment a maintenance window holds the report until it releases it. */
  maintenanceWindowId?: string;
  /** Set from the moment the report joined a group until it left it (its clocks stand still meanwhile). */
  grouped?: boolean;
}

/**
 * Pauses of the resolution clock derived from the status changes: time in `pending`, in `cleared`
 * (clearance stops the clock; a rejected clearance resumes it where it stood), in `held` when the
 * policy says so, while grouped under a parent, and from a final status on.
 */
export function pauseIntervals(changes: readonly StatusChange[], pauseWhenHeld: boolean): PauseInterval[] {
  const pausing = (change: StatusChange): boolean =>
    clockPaused({
      status: change.status,
      pauseWhenHeld,
      maintenanceWindowId: change.maintenanceWindowId,
      parentReportId: change.grouped ? 'grouped' : undefined,
    });
  const pauses: PauseInterval[] = [];
  let open: PauseInterval | undefined;
  for (const change of changes) {
    if (pausing(change)) {
      if (!open) {
        open = { from: change.at };
        pauses.push(open);
      }
    } else if (open) {
      open.to = Math.max(open.from, change.at);
      open = undefined;
    }
  }
  return pauses;
}

export interface JeopardyInput {
  policy: JeopardyPolicy;
  /** Wall-clock ms at which the resolution clock started. */
  openedAt: number;
  pauses: readonly PauseInterval[];
  now: number;
  /** How many ladder steps have already been taken (notified or escalated). */
  stepsTaken: number;
  /** A business calendar's open hours (./business-time); absent: wall time, 24x7. */
  time?: ClockTime;
}

export interface JeopardyEvaluation {
  state: JeopardyState;
  /** openedAt + resolution target + paused time (with a calendar: counted in its open hours). */
  deadline: number;
  pausedMs: number;
  /** Active (unpaused) time so far. */
  activeMs: number;
  /** Whether the clock is standing still at `now`. */
  paused: boolean;
  /** Ladder steps not yet taken whose time has come, in order. */
  due: LadderStep[];
  /** Wall-clock ms of the next step not yet due; undefined while paused or when the ladder is exhausted. */
  nextThresholdAt?: number;
}

export function evaluateJeopardy(input: JeopardyInput): JeopardyEvaluation {
  const { policy, openedAt, pauses, now, stepsTaken, time } = input;
  const pausedMs = pausedMsAt(pauses, now, time);
  const activeMs = Math.max(0, (time ? time.measure(openedAt, now) : now - openedAt) - pausedMs);
  const at = (counted: number): number => (time ? time.add(openedAt, counted) : openedAt + counted);
  const paused = pauses.some((pause) => pause.from <= now && (pause.to === undefined || pause.to > now));
  const ladder = escalationLadder(policy);
  const due: LadderStep[] = [];
  let index = stepsTaken;
  while (index < ladder.length && ladder[index].activeMs <= activeMs) due.push(ladder[index++]);
  const next = ladder[index];
  return {
    state: jeopardyStateAt(policy, activeMs),
    deadline: at(policy.resolutionTarget + pausedMs),
    pausedMs,
    activeMs,
    paused,
    due,
    nextThresholdAt: next && !paused ? at(pausedMs + next.activeMs) : undefined,
  };
}

/**
 * Wall-clock ms at which the next untaken ladder step falls due, assuming the clock keeps running
 * from the recorded pauses (none ongoing); undefined if the ladder is exhausted. May lie in the past,
 * which means "due now".
 */
export function nextLadderStepAt(
  policy: JeopardyPolicy,
  openedAt: number,
  closedPausedMs: number,
  stepsTaken: number,
  time?: ClockTime,
): number | undefined {
  const next = escalationLadder(policy)[stepsTaken];
  if (!next) return undefined;
  return time ? time.add(openedAt, closedPausedMs + next.activeMs) : openedAt + closedPausedMs + next.activeMs;
}
