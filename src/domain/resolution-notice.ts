/**
 * Resolution notice: when a report is cleared, everyone who was notified or escalated to about it
 * gets exactly one "resolved" notice. The report remembers its recipients as the notices go out
 * (each assignee named by an assignee notice, each escalation level reached), so the list survives
 * continue-as-new with the report. Each notice is an escalation effect with reason `resolved` whose
 * idempotency key names report, recipient and clearance count
 * (`spdr-<reportId>-esc-<level>-resolved-clear-<n>[-<assignee>]`): retries of an activity and
 * effects carried across continue-as-new deliver it once, and a second clearance (after a rejected
 * one) notifies again.
 *
 * Only reports opened with `resolutionNotices` (the workflow sets it behind a patch marker) keep
 * recipients, so histories recorded before replay unchanged.
 */
import { escalationEffect, log, SYSTEM_ACTOR, type Draft } from './draft';
import type { Effect, Report } from './schemas';

/** The report with the recipients of `effects` added; the same object when there is nothing new. */
export function rememberRecipients(report: Report, effects: readonly Effect[]): Report {
  const known = report.resolutionNotices;
  if (known === undefined || effects.length === 0) return report;
  const assignees = new Set(known.assignees);
  const levels = new Set(known.levels);
  for (const effect of effects) {
    if (effect.type === 'notifyAssignee') for (const assignee of effect.assignees) assignees.add(assignee);
    else if (effect.type === 'notifyEscalation' && effect.reason !== 'resolved') levels.add(effect.level);
  }
  if (assignees.size === known.assignees.length && levels.size === known.levels.length) return report;
  return { ...report, resolutionNotices: { ...known, assignees: [...assignees].sort(), levels: [...levels].sort((a, b) => a - b) } };
}

/** On clearance: one `resolved` notice per recipient, keyed by the clearance count. */
export function sendResolutionNotices(d: Draft, resolution: string): void {
  const known = d.r.resolutionNotices;
  if (known === undefined) return;
  const clears = known.clears + 1;
  d.r.resolutionNotices = { ...known, clears };
  const detail = `report cleared by ${d.r.clearance?.by ?? SYSTEM_ACTOR} at ${d.at}: ${resolution}`;
  const notices: Effect[] = [
    ...known.levels.map((level) => escalationEffect(d, level, 'resolved', detail, `clear-${clears}`)),
    ...known.assignees.map((assignee) => escalationEffect(d, 0, 'resolved', `${assignee}: ${detail}`, `clear-${clears}-${assignee}`)),
  ];
  d.effects.push(...notices);
  // One audit entry per notice, shaped like every escalation entry ("level N (reason): ..."), so the trail and the metrics agree.
  for (const notice of notices) {
    if (notice.type !== 'notifyEscalation') continue;
    log(d, {
      by: SYSTEM_ACTOR,
      action: 'escalated',
      detail: `level ${notice.level} (resolved) notice of clearance ${clears}: ${notice.detail}`,
    });
  }
}
