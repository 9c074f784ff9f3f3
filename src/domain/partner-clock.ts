/**
 * Partner obligations (OLA / underpinning contract): each partner request's answer due time is a
 * clock with its own ladder toward the partner, built from the policy's thresholds as fractions of
 * the time the partner was given (requested -> due): below 100% a notice naming the partner request
 * on the notification webhook, then escalations naming it, re-escalating while the partner stays
 * late. The partner clock is the partner's: it runs in wall time and does not pause with the report.
 *
 * A partner promise (`expectedResolutionDate` in `partnerUpdate`) later than the report's resolution
 * deadline puts the report in jeopardy at once, with one escalation naming the request and the promise.
 *
 * Only reports opened with `jeopardy.partnerObligations` (the workflow sets it behind a patch
 * marker) have these clocks; their requests carry `clock`. Every other request keeps the single
 * `partnerLate` escalation at its due time, so histories recorded before replay unchanged.
 */
import { formatDuration } from './duration';
import { escalationEffect, log, msOf, replacePartnerRequest, SYSTEM_ACTOR, type Draft } from './draft';
import { escalationLadder, jeopardyStateAt, type LadderStep } from './jeopardy';
import type { JeopardyPolicy } from './policy';
import type { Effect, JeopardyState, PartnerRequest, Report } from './schemas';

/** Whether the request is still waiting on the partner (mirrors outside-work.ts, kept local to avoid an import cycle). */
function waiting(request: PartnerRequest): boolean {
  return request.status === 'requested' || request.status === 'acknowledged' || request.status === 'inProgress';
}

/** The policy with the partner's time as target, so the resolution ladder maths serves the partner clock. */
function partnerPolicy(policy: JeopardyPolicy, request: PartnerRequest): JeopardyPolicy {
  const target = Math.max(1, msOf(request.due) - msOf(request.requestedAt));
  return { ...policy, resolutionTarget: target, reEscalateEvery: Math.max(1, Math.round(target / 4)) };
}

export function partnerLadder(policy: JeopardyPolicy, request: PartnerRequest): LadderStep[] {
  return escalationLadder(partnerPolicy(policy, request));
}

/** The partner clock's state at `now`. */
export function partnerClockState(policy: JeopardyPolicy, request: PartnerRequest, now: number): JeopardyState {
  return jeopardyStateAt(partnerPolicy(policy, request), Math.max(0, now - msOf(request.requestedAt)));
}

/** Wall-clock ms of the next untaken step of each clocked waiting request (the earliest), or undefined. */
export function nextPartnerStepAt(report: Report): number | undefined {
  let earliest: number | undefined;
  for (const request of report.partnerRequests) {
    if (!request.clock || !waiting(request)) continue;
    const next = partnerLadder(report.jeopardy.policy, request)[request.clock.stepsTaken];
    if (next === undefined) continue;
    const at = msOf(request.requestedAt) + next.activeMs;
    earliest = earliest === undefined ? at : Math.min(earliest, at);
  }
  return earliest;
}

/** Takes the partner ladder steps that fell due, for every clocked request still waiting. */
export function takePartnerSteps(d: Draft): void {
  const policy = d.r.jeopardy.policy;
  for (const request of d.r.partnerRequests) {
    if (!request.clock || !waiting(request)) continue;
    const ladder = partnerLadder(policy, request);
    const elapsed = d.now - msOf(request.requestedAt);
    const given = msOf(request.due) - msOf(request.requestedAt);
    let stepsTaken = request.clock.stepsTaken;
    let lateEscalated = request.lateEscalated;
    while (stepsTaken < ladder.length && ladder[stepsTaken].activeMs <= elapsed) {
      const step = ladder[stepsTaken];
      const detail = `partner ${request.partyId}, request ${request.key} (resource ${request.resourceId}): ${step.state} at ${Math.round((step.activeMs / given) * 100)}% of the ${formatDuration(given)} given to answer; due ${request.due}`;
      const reason = step.state === 'breached' ? 'partnerLate' : 'partnerInJeopardy';
      const effect = escalationEffect(d, step.level, reason, detail, `${request.key}-step-${stepsTaken + 1}`);
      d.effects.push({ ...effect, jeopardyState: step.state, deadline: request.due } as Effect);
      log(d, {
        by: SYSTEM_ACTOR,
        action: step.state === 'breached' ? 'partnerLate' : 'escalated',
        // Same shape as every escalation entry ("level N (reason): ..."), so the audit trail and the metrics agree.
        detail: `level ${step.level} (${reason}) toward the partner: ${detail}`,
      });
      if (step.state === 'breached') lateEscalated = true;
      stepsTaken += 1;
    }
    const state = partnerClockState(policy, request, d.now);
    if (stepsTaken !== request.clock.stepsTaken || state !== request.clock.state || lateEscalated !== request.lateEscalated) {
      replacePartnerRequest(d, { ...request, lateEscalated, clock: { state, stepsTaken } });
    }
  }
}

/** A waiting request whose partner promised resolution after the report's resolution deadline. */
export function latePromise(report: Report): PartnerRequest | undefined {
  const deadline = msOf(report.jeopardy.deadline);
  return report.partnerRequests.find(
    (request) => waiting(request) && request.expectedResolutionDate !== undefined && msOf(request.expectedResolutionDate) > deadline,
  );
}

/** A late promise puts the report in jeopardy at once: the worse of the clock's state and `inJeopardy`. */
export function withPromiseJeopardy(report: Report, state: JeopardyState): JeopardyState {
  return state === 'onTrack' && latePromise(report) !== undefined ? 'inJeopardy' : state;
}

/** One escalation when a partner's new promise lands after the report's resolution deadline. */
export function escalateLatePromise(d: Draft, request: PartnerRequest, promised: string): void {
  if (msOf(promised) <= msOf(d.r.jeopardy.deadline)) return;
  const detail = `partner ${request.partyId} promises request ${request.key} (resource ${request.resourceId}) for ${promised}, after the report's resolution deadline ${d.r.jeopardy.deadline}`;
  const level = Math.max(1, d.r.jeopardy.escalationLevel);
  const effect = escalationEffect(d, level, 'partnerPromiseLate', detail, `${request.key}-${promised}`);
  d.effects.push({ ...effect, jeopardyState: withPromiseJeopardy(d.r, d.r.jeopardy.state) } as Effect);
  log(d, { by: SYSTEM_ACTOR, action: 'escalated', detail: `level ${level} (partnerPromiseLate): ${detail}` });
}
