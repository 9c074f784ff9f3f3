/**
 * Grouping (TMF656 problemGroup / problemUngroup): one report, the parent, stands for several,
 * its children. `group` and `ungroup` go to the parent; the parent tells each child through a
 * `groupLink` (workflow to workflow, see the `groupLink` effect) and each child answers it.
 *
 * - A child keeps its status; while it is grouped its clocks stand still (the pause rule of
 *   ./pauses, fed by the `joinedGroup` / `leftGroup` entries of its history) and it sends no
 *   escalation of its own. The parent escalates for all, naming the children.
 * - Clearing the parent clears every child ("cleared with parent R-1001"), each informing the
 *   Close process once; closing it closes them; cancelling it releases them, clocks running again.
 * - Reopening a cleared parent (`rejectClearance`, or a recurrence: `setStatus` from `cleared`)
 *   reopens the children that were cleared with it: `inProgress` again, still grouped (so their
 *   clocks go from the cleared pause back to the grouped one), once per reopening.
 * - A child cleared or cancelled on its own leaves the group (the parent's `children` follow).
 *
 * Links are authenticated by where they come from: a child accepts `release`, `clear`, `close`
 * and `reopen` only from its own parent, and a parent accepts `joined`, `refused` and `left` only from
 * a report it invited or holds. A `join` that the named parent never sent is answered `joined` to
 * that parent, which releases the child at once (it did not invite it).
 */
import { clear as clearReport } from './clearance';
import { changeStatus, iso, log, NO_CHANGE, withoutUndefined, type Draft, type HandlerResult, type Outcome } from './draft';
import type { Effect, GroupLinkOp, GroupLinkPayload, HistoryEntry, MessagePayload, Report } from './schemas';
import { isFinal } from './status';

/** The history actions that start and end a child's grouped pause. */
export const JOINED_GROUP = 'joinedGroup';
export const LEFT_GROUP = 'leftGroup';

export const clearedWithParent = (parentReportId: string): string => `cleared with parent ${parentReportId}`;

/** The children a parent holds or has invited. */
function membersOf(report: Report): string[] {
  return [...(report.children ?? []), ...(report.invitedChildren ?? [])];
}

function setMembers(d: Draft, children: readonly string[], invited: readonly string[]): void {
  d.r.children = children.length > 0 ? [...children] : undefined;
  d.r.invitedChildren = invited.length > 0 ? [...invited] : undefined;
  d.r = withoutUndefined(d.r);
}

function linkEffect(d: Draft, to: string, op: GroupLinkOp, extra: Omit<GroupLinkPayload, 'from' | 'op'> = {}): Effect {
  return { type: 'groupLink', reportId: d.r.reportId, to, link: withoutUndefined({ from: d.r.reportId, op, ...extra }) };
}

/** Why this report cannot be the parent of a group right now; undefined: it can. */
function parentRefusal(report: Report): string | undefined {
  if (report.parentReportId !== undefined) return `report ${report.reportId} is itself grouped under ${report.parentReportId}`;
  if (report.status === 'cleared') return `report ${report.reportId} is cleared; a cleared report takes no children`;
  return undefined;
}

/** `group` to the parent: the children are asked to join; each answers `joined` or `refused` (recorded in rejectedInputs). */
export function group(d: Draft, p: MessagePayload<'group'>): HandlerResult {
  const refusal = parentRefusal(d.r);
  if (refusal) return refusal;
  const members = new Set(membersOf(d.r));
  for (const child of p.children) {
    if (child === d.r.reportId) return `children: a report cannot be grouped under itself (${child})`;
    if (members.has(child)) return `children: ${child} is already in this group`;
  }
  setMembers(d, d.r.children ?? [], [...(d.r.invitedChildren ?? []), ...p.children]);
  log(d, { by: p.by, action: 'grouped', reason: p.reason, detail: `asked to join: ${p.children.join(', ')}` });
  for (const child of p.children) d.effects.push(linkEffect(d, child, 'join', { by: p.by, reason: p.reason }));
}

/** `ungroup` to the parent: the children leave; their clocks resume. */
export function ungroup(d: Draft, p: MessagePayload<'ungroup'>): HandlerResult {
  const members = new Set(membersOf(d.r));
  const strangers = p.children.filter((child) => !members.has(child));
  if (strangers.length > 0) return `children: ${strangers.join(', ')} ${strangers.length === 1 ? 'is' : 'are'} not in this group`;
  const leaving = new Set(p.children);
  setMembers(
    d,
    (d.r.children ?? []).filter((c) => !leaving.has(c)),
    (d.r.invitedChildren ?? []).filter((c) => !leaving.has(c)),
  );
  log(d, { by: p.by, action: 'ungrouped', reason: p.reason, detail: `released: ${p.children.join(', ')}` });
  for (const child of p.children) d.effects.push(linkEffect(d, child, 'release', { by: p.by, reason: p.reason }));
}

/** Why a report cannot join `parent`'s group; undefined: it can. */
function childRefusal(report: Report, parent: string): string | undefined {
  if (parent === report.reportId) return `a report cannot be grouped under itself (${parent})`;
  if (isFinal(report.status) || report.status === 'cleared') return `${report.reportId} is ${report.status}`;
  if (report.parentReportId !== undefined && report.parentReportId !== parent)
    return `${report.reportId} is already grouped under ${report.parentReportId}`;
  if (membersOf(report).length > 0) return `${report.reportId} is itself the parent of a group`;
  return undefined;
}

function leaveGroup(d: Draft, by: string, reason: string): void {
  const parent = d.r.parentReportId!;
  d.r.parentReportId = undefined;
  d.r = withoutUndefined(d.r);
  log(d, { by, action: 'leftGroup', reason, detail: `left the group of ${parent}; clocks running again` });
}

/** A link from another report's workflow: the child's side (join, release, clear, close) or the parent's (joined, refused, left). */
export function groupLink(d: Draft, p: GroupLinkPayload): HandlerResult {
  switch (p.op) {
    case 'join':
      return join(d, p);
    case 'release':
    case 'clear':
    case 'close':
    case 'reopen':
      return fromParent(d, p);
    case 'joined':
    case 'refused':
    case 'left':
      return fromChild(d, p);
    default: {
      const _exhaustive: never = p.op;
      return `unknown group link "${String(_exhaustive)}"`;
    }
  }
}

function join(d: Draft, p: GroupLinkPayload): HandlerResult {
  const refusal = childRefusal(d.r, p.from);
  if (refusal) {
    d.effects.push(linkEffect(d, p.from, 'refused', { reason: refusal }));
    return;
  }
  d.effects.push(linkEffect(d, p.from, 'joined'));
  if (d.r.parentReportId === p.from) return;
  d.r.parentReportId = p.from;
  log(d, {
    by: p.by ?? p.from,
    action: 'joinedGroup',
    reason: p.reason,
    detail: `grouped under ${p.from}; clocks paused, the parent escalates for the group`,
  });
}

function fromParent(d: Draft, p: GroupLinkPayload): HandlerResult {
  if (d.r.parentReportId !== p.from) return `${p.op} from ${p.from}: not this report's parent (${d.r.parentReportId ?? 'none'})`;
  const by = p.by ?? p.from;
  if (p.op === 'release') {
    if (isFinal(d.r.status)) return NO_CHANGE;
    leaveGroup(d, by, p.reason ?? `released by ${p.from}`);
    return;
  }
  if (p.op === 'clear') {
    if (d.r.status === 'cleared' || isFinal(d.r.status)) return NO_CHANGE;
    return clearReport(d, { by, resolution: p.resolution ?? clearedWithParent(p.from) });
  }
  if (p.op === 'reopen') return reopenWithParent(d, p.from, by, p.reason);
  if (d.r.status !== 'cleared') return NO_CHANGE;
  d.r.closure = { by, at: d.at, how: 'confirmed', note: `closed with parent ${p.from}` };
  changeStatus(d, 'closed', { by, action: 'closed', reason: `closed with parent ${p.from}` });
}

/** Only a child the parent cleared reopens with it: one cleared (or closed) otherwise stays as it is. */
function reopenWithParent(d: Draft, parent: string, by: string, reason: string | undefined): HandlerResult {
  if (d.r.status !== 'cleared' || d.r.clearance?.resolution !== clearedWithParent(parent)) return NO_CHANGE;
  d.r.clearance = undefined;
  d.r = withoutUndefined(d.r);
  changeStatus(d, 'inProgress', {
    by,
    action: 'statusChanged',
    reason: `reopened with parent ${parent}`,
    detail: reason === undefined ? undefined : `parent's reason: ${reason}`,
  });
}

function fromChild(d: Draft, p: GroupLinkPayload): HandlerResult {
  const child = p.from;
  const invited = d.r.invitedChildren ?? [];
  const children = d.r.children ?? [];
  if (p.op === 'joined') {
    if (children.includes(child)) return NO_CHANGE;
    // Not (or no longer) invited, or this report can no longer lead: the child is let go at once.
    if (!invited.includes(child) || parentRefusal(d.r) !== undefined || isFinal(d.r.status)) {
      d.effects.push(linkEffect(d, child, 'release', { reason: `not a member of the group of ${d.r.reportId}` }));
      if (invited.includes(child))
        setMembers(
          d,
          children,
          invited.filter((c) => c !== child),
        );
      return;
    }
    setMembers(
      d,
      [...children, child],
      invited.filter((c) => c !== child),
    );
    log(d, { by: child, action: 'grouped', detail: `${child} joined the group` });
    return;
  }
  if (p.op === 'refused') {
    if (!invited.includes(child)) return `refused from ${child}: not invited by this report`;
    setMembers(
      d,
      children,
      invited.filter((c) => c !== child),
    );
    const reason = `${child} refused: ${p.reason ?? 'no reason given'}`;
    d.r.rejectedInputs.push({ at: d.at, message: 'group', reason, payloadPreview: JSON.stringify({ children: [child] }) });
    return;
  }
  if (!children.includes(child) && !invited.includes(child)) return NO_CHANGE;
  setMembers(
    d,
    children.filter((c) => c !== child),
    invited.filter((c) => c !== child),
  );
  log(d, { by: child, action: 'ungrouped', reason: p.reason, detail: `${child} left the group` });
}

/**
 * What a change of the report's own (a message, or time passing) means for its group: a parent
 * that became cleared, closed or cancelled tells its children; a child cleared or cancelled on
 * its own leaves the group and tells its parent. A grouped child's own escalations are dropped
 * (the parent escalates for the group). Returns the outcome unchanged when the report is in no group.
 */
export function groupConsequences(before: Report, outcome: Outcome, nowMs: number): Outcome {
  const after = outcome.report;
  if (before.parentReportId === undefined && membersOf(before).length === 0) return outcome;
  if (after === before && outcome.effects.length === 0) return outcome;
  const d: Draft = { r: { ...after, history: [...after.history] }, effects: [...outcome.effects], now: nowMs, at: iso(nowMs) };
  if (before.status !== after.status) {
    if (after.parentReportId !== undefined && (after.status === 'cleared' || after.status === 'cancelled')) {
      const parent = after.parentReportId;
      const entry = lastStatusEntry(after);
      leaveGroup(d, entry?.by ?? 'system', `${after.status} on its own`);
      d.effects.push(linkEffect(d, parent, 'left', { reason: `${after.status} on its own` }));
    }
    tellChildren(d, before.status);
  }
  if (d.r.parentReportId !== undefined)
    d.effects = d.effects.filter((effect) => effect.type !== 'notifyEscalation' && effect.type !== 'notifyAssignee');
  return { report: d.r, effects: d.effects };
}

function lastStatusEntry(report: Report): HistoryEntry | undefined {
  for (let i = report.history.length - 1; i >= 0; i--) if (report.history[i].toStatus !== undefined) return report.history[i];
  return undefined;
}

function tellChildren(d: Draft, fromStatus: string): void {
  const children = d.r.children ?? [];
  const invited = d.r.invitedChildren ?? [];
  if (children.length + invited.length === 0) return;
  const by = lastStatusEntry(d.r)?.by ?? 'system';
  if (d.r.status === 'cleared' && fromStatus !== 'cleared') {
    const resolution = clearedWithParent(d.r.reportId);
    for (const child of children) d.effects.push(linkEffect(d, child, 'clear', { by, resolution }));
  } else if (d.r.status === 'closed') {
    for (const child of children) d.effects.push(linkEffect(d, child, 'close', { by }));
    // Children asked but not yet answered find the parent gone and stay on their own (see ../workflows/correlation.ts).
    setMembers(d, children, []);
  } else if (fromStatus === 'cleared' && d.r.status !== 'cancelled') {
    // Reopened (rejected clearance or recurrence): the children cleared with it reopen too.
    const reason = lastStatusEntry(d.r)?.reason;
    for (const child of children) d.effects.push(linkEffect(d, child, 'reopen', { by, reason }));
  } else if (d.r.status === 'cancelled') {
    const reason = `parent ${d.r.reportId} cancelled`;
    for (const child of [...children, ...invited]) d.effects.push(linkEffect(d, child, 'release', { by, reason }));
    setMembers(d, [], []);
    log(d, { by, action: 'ungrouped', reason, detail: `released: ${[...children, ...invited].join(', ')}` });
  }
}

const TAKES_NO_CHILDREN = new Set(['cleared', 'closed', 'cancelled']);

/**
 * A report opened with a correlation key that can no longer lead a group (cleared, closed or
 * cancelled) tells the key's coordinator, so the next report with the key starts a new group.
 * A grouped child never led one and says nothing.
 */
export function correlationConsequences(before: Report, outcome: Outcome): Outcome {
  const after = outcome.report;
  const key = after.correlationKey;
  if (key === undefined || after.parentReportId !== undefined || before.status === after.status) return outcome;
  if (!TAKES_NO_CHILDREN.has(after.status) || TAKES_NO_CHILDREN.has(before.status)) return outcome;
  return { report: after, effects: [...outcome.effects, { type: 'correlate', reportId: after.reportId, key, op: 'ended' }] };
}
