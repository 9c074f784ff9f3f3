/**
 * Re-prioritising (`setSeverity`): the policy of the new severity applies from the report's clock
 * start, retroactively, with the paused time kept (deadlines are always derived from `openedAt`, the
 * policy and the recorded pauses, see ./jeopardy). Ladder steps already passed under the new target
 * fall due at once; a step already sent (a notification of that state, an escalation of that level
 * or below) counts as taken and is not sent again.
 */
import { recordCalendar, type PinnedCalendar } from './business-time';
import { formatDuration } from './duration';
import { log, withoutUndefined, type Draft, type HandlerResult } from './draft';
import { escalationLadder, type LadderStep } from './jeopardy';
import { resolvePolicy, type JeopardyPolicy, type JeopardyPolicyOverride, type PolicyDefaults } from './policy';
import type { MessagePayload } from './schemas';
import { jeopardyAt, tick } from './time';

/** What a command may need beyond the report: the policy layers the report was opened with. */
export interface CommandContext {
  /** Configured jeopardy defaults per severity (the worker's settings). */
  defaults?: PolicyDefaults;
  /** The report's own policy from its start input (customer SLA). */
  override?: JeopardyPolicyOverride;
  /** The configured business calendars, zone offsets pinned (a new severity may name another calendar). */
  calendars?: Record<string, PinnedCalendar>;
}

/**
 * How many leading steps of `ladder` count as taken, given the steps taken of the former ladder
 * and the highest level sent: a notification of a state already notified, an escalation of a level
 * already reached. Ladders climb, so the taken steps are a prefix.
 */
export function stepsAlreadyTaken(
  ladder: readonly LadderStep[],
  former: readonly LadderStep[],
  formerTaken: number,
  escalationLevel: number,
): number {
  const notified = new Set(
    former
      .slice(0, formerTaken)
      .filter((step) => step.action === 'notifyAssignee')
      .map((step) => step.state),
  );
  let taken = 0;
  while (taken < ladder.length) {
    const step = ladder[taken];
    const sent = step.action === 'escalate' ? step.level <= escalationLevel : notified.has(step.state);
    if (!sent) break;
    taken += 1;
  }
  return taken;
}

/** The ladder position to carry into `policy` from the report's current jeopardy. */
export function carryLadder(from: JeopardyPolicy, to: JeopardyPolicy, stepsTaken: number, escalationLevel: number): number {
  return stepsAlreadyTaken(escalationLadder(to), escalationLadder(from), stepsTaken, escalationLevel);
}

export function setSeverity(d: Draft, p: MessagePayload<'setSeverity'>, context: CommandContext = {}): HandlerResult {
  const from = d.r.severity;
  if (from === p.severity) return `report is already ${from}`;
  const former = d.r.jeopardy.policy;
  const policy = resolvePolicy(p.severity, context.override, context.defaults);
  // The calendar already recorded stays as recorded; a new one is recorded from the configuration.
  let calendar = policy.calendar === d.r.jeopardy.calendar?.name ? d.r.jeopardy.calendar : undefined;
  if (policy.calendar !== undefined && calendar === undefined) {
    const recorded = recordCalendar(policy.calendar, context.calendars);
    if (!recorded.ok) return `${p.severity}: ${recorded.reason}`;
    calendar = recorded.calendar;
  }
  const ladderStepsTaken = carryLadder(former, policy, d.r.jeopardy.ladderStepsTaken, d.r.jeopardy.escalationLevel);
  d.r.severity = p.severity;
  d.r.jeopardy = withoutUndefined({ ...d.r.jeopardy, policy, ladderStepsTaken, calendar });
  const deadline = jeopardyAt(d.r, d.now).deadline;
  log(d, {
    by: p.by,
    action: 'severityChanged',
    reason: p.reason,
    detail: `${from} -> ${p.severity}; resolution target ${formatDuration(former.resolutionTarget)} -> ${formatDuration(policy.resolutionTarget)} from the clock's start (${d.r.openedAt}), paused time kept; deadline ${deadline}`,
  });
  // Thresholds already passed under the new target fire now, in this same change.
  const ticked = tick(d.r, d.now);
  d.r = { ...ticked.report, history: [...ticked.report.history] };
  d.effects.push(...ticked.effects);
}
