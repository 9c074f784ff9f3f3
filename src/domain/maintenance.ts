/**
 * Maintenance windows (contract, second edition): one window per change, one-off or recurring,
 * holding every open report in its scope while it is active. This module is the window's pure
 * core: its start input, its phases (scheduled -> active -> ... -> ended, or cancelled), the
 * `cancelWindow` and `extendWindow` messages and the `window` query view. Which reports a window
 * holds and how a report is held are in ./maintenance-hold.
 *
 * Like the report core, every function takes "now" and returns new state; nothing is mutated.
 */
import { z } from 'zod';
import { sharedSchema } from './shared-schema';
import { isKnownTimeZone } from './calendar';
import { iso, msOf } from './draft';
import { occurrenceAfter, occurrenceFrom, overlapProblem, parseRrule, type Occurrence, type Recurrence } from './rrule';
import { parseWith } from './validation';
import { Actor, Identifier, IsoDateTime, RequiredText } from './vocabulary';

/** Workflow id of a maintenance window (operator contract): `mw-<windowId>`. */
export const windowWorkflowId = (windowId: string): string => `mw-${windowId}`;
/** The window id of a window's workflow id; undefined for any other id. */
export const windowIdOfWorkflowId = (workflowId: string): string | undefined =>
  workflowId.startsWith('mw-') ? workflowId.slice(3) : undefined;

/** The reason a held report shows, naming the window (operator contract: `maintenance CHG-778`). */
export const maintenanceReason = (windowId: string): string => `maintenance ${windowId}`;

export const MaintenanceScope = sharedSchema('maintenance.MaintenanceScope', () =>
  z
    .strictObject({
      serviceIds: z.array(Identifier).max(500).default([]),
      resourceIds: z.array(Identifier).max(500).default([]),
    })
    .refine((scope) => scope.serviceIds.length + scope.resourceIds.length > 0, {
      message: 'names no service and no resource (serviceIds or resourceIds must list at least one)',
    }),
);
export type MaintenanceScope = z.output<typeof MaintenanceScope>;

export const RecurrenceInput = sharedSchema('maintenance.RecurrenceInput', () =>
  z.strictObject({
    rrule: z.string().max(500),
    timezone: z
      .string({ error: 'is required (an IANA time zone such as "Europe/Berlin")' })
      .refine(isKnownTimeZone, 'is not a known IANA time zone (such as "Europe/Berlin")'),
    until: IsoDateTime.optional(),
  }),
);

export const MaintenanceWindowInput = sharedSchema('maintenance.MaintenanceWindowInput', () =>
  z
    .strictObject({
      windowId: Identifier,
      scope: MaintenanceScope,
      start: IsoDateTime,
      end: IsoDateTime,
      changeRequest: RequiredText(200),
      createdBy: Actor,
      recurrence: RecurrenceInput.optional(),
    })
    .superRefine((input, ctx) => {
      const start = msOf(input.start);
      const end = msOf(input.end);
      if (!(end > start)) ctx.addIssue({ code: 'custom', path: ['end'], message: `must be after start (${input.start})` });
      if (!input.recurrence) return;
      const rule = parseRrule(input.recurrence.rrule);
      if (!rule.ok) return ctx.addIssue({ code: 'custom', path: ['recurrence', 'rrule'], message: rule.reason });
      if (input.recurrence.until !== undefined && !(msOf(input.recurrence.until) > start))
        ctx.addIssue({ code: 'custom', path: ['recurrence', 'until'], message: `must be after start (${input.start})` });
      if (end > start && isKnownTimeZone(input.recurrence.timezone)) {
        const overlap = overlapProblem(recurrenceOfParts(input, rule.value));
        if (overlap) ctx.addIssue({ code: 'custom', path: ['recurrence', 'rrule'], message: overlap });
      }
    }),
);
/** A window's start input as a client sends it. */
export type MaintenanceWindowInputJson = z.input<typeof MaintenanceWindowInput>;
export type MaintenanceWindowInput = z.output<typeof MaintenanceWindowInput>;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

export function parseWindowInput(raw: unknown): ParseResult<MaintenanceWindowInput> {
  return parseWith(MaintenanceWindowInput, 'window', raw);
}

function recurrenceOfParts(input: MaintenanceWindowInput, rule: Recurrence['rule']): Recurrence {
  const firstStartMs = msOf(input.start);
  return {
    rule,
    timezone: input.recurrence!.timezone,
    firstStartMs,
    durationMs: msOf(input.end) - firstStartMs,
    ...(input.recurrence!.until !== undefined ? { untilMs: msOf(input.recurrence!.until) } : {}),
  };
}

/** The recurrence of a validated window, or undefined for a one-off. */
export function recurrenceOf(input: MaintenanceWindowInput): Recurrence | undefined {
  if (!input.recurrence) return undefined;
  const rule = parseRrule(input.recurrence.rrule);
  if (!rule.ok) throw new Error(rule.reason);
  return recurrenceOfParts(input, rule.value);
}

export const CancelWindow = sharedSchema('maintenance.CancelWindow', () => z.strictObject({ by: Actor, reason: RequiredText(2000) }));
export const ExtendWindow = sharedSchema('maintenance.ExtendWindow', () => z.strictObject({ by: Actor, end: IsoDateTime }));
export const WindowMessageSchemas = { cancelWindow: CancelWindow, extendWindow: ExtendWindow } as const;
export type WindowMessageName = keyof typeof WindowMessageSchemas;
export const WINDOW_MESSAGE_NAMES = Object.keys(WindowMessageSchemas) as WindowMessageName[];

export const WindowPhase = sharedSchema('maintenance.WindowPhase', () => z.enum(['scheduled', 'active', 'ended', 'cancelled']));
export type WindowPhase = z.infer<typeof WindowPhase>;

export interface WindowHistoryEntry {
  at: string;
  by: string;
  action: 'created' | 'started' | 'ended' | 'extended' | 'cancelled';
  detail?: string;
}

export interface WindowRejection {
  at: string;
  message: string;
  reason: string;
}

/** The window as its workflow holds it and continue-as-new carries it. */
export interface WindowState {
  input: MaintenanceWindowInput;
  phase: WindowPhase;
  /** The occurrence running (`active`) or to come (`scheduled`); its end moves with `extendWindow`. */
  occurrence?: Occurrence;
  /** Reports told to hold during the current occurrence. */
  heldReportIds: string[];
  history: WindowHistoryEntry[];
  rejectedInputs: WindowRejection[];
  cancellation?: { by: string; at: string; reason: string };
}

/** Entries kept in the window's own lists (a window lives for months): the most recent. */
const MAX_ENTRIES = 200;
const keepRecent = <T>(list: T[]): T[] => (list.length > MAX_ENTRIES ? list.slice(list.length - MAX_ENTRIES) : list);

export const SYSTEM = 'system';

function firstOccurrence(input: MaintenanceWindowInput, nowMs: number): Occurrence | undefined {
  const recurrence = recurrenceOf(input);
  if (recurrence) return occurrenceFrom(recurrence, nowMs);
  const start = msOf(input.start);
  const end = msOf(input.end);
  return end > nowMs ? { index: 0, start, end } : undefined;
}

/** A new window at `nowMs`: past occurrences are skipped; a window whose every occurrence is over is ended at once. */
export function openWindow(input: MaintenanceWindowInput, nowMs: number): WindowState {
  const state: WindowState = {
    input,
    phase: 'scheduled',
    heldReportIds: [],
    history: [{ at: iso(nowMs), by: input.createdBy, action: 'created', detail: `change ${input.changeRequest}` }],
    rejectedInputs: [],
  };
  const occurrence = firstOccurrence(input, nowMs);
  if (occurrence) state.occurrence = occurrence;
  else {
    state.phase = 'ended';
    state.history.push({ at: iso(nowMs), by: SYSTEM, action: 'ended', detail: 'no occurrence left' });
  }
  return advanceWindow(state, nowMs);
}

/** Lets time pass: a scheduled occurrence whose start came is active; an active one whose end came is over, and the next is scheduled. */
export function advanceWindow(state: WindowState, nowMs: number): WindowState {
  let next = state;
  for (let guard = 0; guard < 10_000; guard++) {
    const occurrence = next.occurrence;
    if (next.phase === 'ended' || next.phase === 'cancelled' || !occurrence) return next;
    if (nowMs >= occurrence.end) {
      const following = nextOccurrenceOf(next, nowMs);
      next = {
        ...next,
        heldReportIds: [],
        history: keepRecent([
          ...next.history,
          { at: iso(Math.min(nowMs, occurrence.end)), by: SYSTEM, action: 'ended', detail: `occurrence ${occurrence.index + 1} ended` },
        ]),
        ...(following ? { occurrence: following, phase: 'scheduled' as const } : { phase: 'ended' as const }),
      };
      if (!following) return next;
      continue;
    }
    if (next.phase === 'scheduled' && nowMs >= occurrence.start) {
      next = {
        ...next,
        phase: 'active',
        history: keepRecent([
          ...next.history,
          {
            at: iso(occurrence.start),
            by: SYSTEM,
            action: 'started',
            detail: `occurrence ${occurrence.index + 1} until ${iso(occurrence.end)}`,
          },
        ]),
      };
    }
    return next;
  }
  return next;
}

/** The next occurrence after the current one that has not ended at `nowMs`. */
function nextOccurrenceOf(state: WindowState, nowMs: number): Occurrence | undefined {
  const recurrence = recurrenceOf(state.input);
  if (!recurrence || !state.occurrence) return undefined;
  const following = occurrenceFrom(recurrence, Math.max(nowMs, state.occurrence.end));
  return following && following.index > state.occurrence.index ? following : undefined;
}

/** When time next matters to the window: the start of a scheduled occurrence or the end of an active one. */
export function nextWindowWakeUp(state: WindowState): number | undefined {
  if (!state.occurrence) return undefined;
  if (state.phase === 'scheduled') return state.occurrence.start;
  if (state.phase === 'active') return state.occurrence.end;
  return undefined;
}

export const isWindowOver = (state: WindowState): boolean => state.phase === 'ended' || state.phase === 'cancelled';

export type WindowResult = { ok: true; state: WindowState } | { ok: false; reason: string };

/** Applies `cancelWindow` or `extendWindow`; a rejection names the reason and changes nothing. */
export function applyWindowMessage(state: WindowState, name: string, payload: unknown, nowMs: number): WindowResult {
  if (name !== 'cancelWindow' && name !== 'extendWindow') return { ok: false, reason: `unknown message "${name}"` };
  const parsed = parseWith(WindowMessageSchemas[name], name, payload);
  if (!parsed.ok) return parsed;
  if (isWindowOver(state)) return { ok: false, reason: `${name}: window is ${state.phase}` };
  const at = iso(nowMs);
  if (name === 'cancelWindow') {
    const { by, reason } = parsed.value as z.output<typeof CancelWindow>;
    return {
      ok: true,
      state: {
        ...state,
        phase: 'cancelled',
        cancellation: { by, at, reason },
        history: keepRecent([...state.history, { at, by, action: 'cancelled', detail: reason }]),
      },
    };
  }
  const { by, end } = parsed.value as z.output<typeof ExtendWindow>;
  const occurrence = state.occurrence!;
  const endMs = msOf(end);
  if (!(endMs > occurrence.end))
    return { ok: false, reason: `extendWindow: end must be after the current end ${iso(occurrence.end)} (got ${end})` };
  if (!(endMs > nowMs)) return { ok: false, reason: `extendWindow: end must be in the future (got ${end})` };
  const recurrence = recurrenceOf(state.input);
  const following = recurrence ? occurrenceAfter(recurrence, occurrence.index) : undefined;
  if (following && endMs > following.start)
    return { ok: false, reason: `extendWindow: end must not pass the start of the next occurrence ${iso(following.start)} (got ${end})` };
  return {
    ok: true,
    state: {
      ...state,
      occurrence: { ...occurrence, end: endMs },
      history: keepRecent([...state.history, { at, by, action: 'extended', detail: `end ${iso(occurrence.end)} -> ${iso(endMs)}` }]),
    },
  };
}

/** Records a refused message (and nothing else). */
export function recordWindowRejection(state: WindowState, name: string, reason: string, nowMs: number): WindowState {
  return { ...state, rejectedInputs: keepRecent([...state.rejectedInputs, { at: iso(nowMs), message: name, reason }]) };
}

/** The reports a window has told to hold (a set, in order of telling). */
export function withHeldReports(state: WindowState, reportIds: readonly string[]): WindowState {
  const added = reportIds.filter((id) => !state.heldReportIds.includes(id));
  return added.length === 0 ? state : { ...state, heldReportIds: [...state.heldReportIds, ...added] };
}

export interface OccurrenceView {
  number: number;
  start: string;
  end: string;
}

/** What the `window` query returns. */
export interface WindowView {
  windowId: string;
  state: WindowPhase;
  changeRequest: string;
  createdBy: string;
  scope: MaintenanceScope;
  recurrence?: MaintenanceWindowInput['recurrence'];
  /** The occurrence running now (state `active`). */
  currentOccurrence?: OccurrenceView;
  /** The next occurrence to start. */
  nextOccurrence?: OccurrenceView;
  heldReports: number;
  heldReportIds: string[];
  cancellation?: WindowState['cancellation'];
  history: WindowHistoryEntry[];
  rejectedInputs: WindowRejection[];
}

const viewOf = (o: Occurrence): OccurrenceView => ({ number: o.index + 1, start: iso(o.start), end: iso(o.end) });

export function windowView(state: WindowState): WindowView {
  const { input, occurrence } = state;
  let nextOccurrence: Occurrence | undefined;
  if (state.phase === 'scheduled') nextOccurrence = occurrence;
  else if (state.phase === 'active' && occurrence) {
    const recurrence = recurrenceOf(input);
    nextOccurrence = recurrence ? occurrenceAfter(recurrence, occurrence.index) : undefined;
  }
  return {
    windowId: input.windowId,
    state: state.phase,
    changeRequest: input.changeRequest,
    createdBy: input.createdBy,
    scope: input.scope,
    ...(input.recurrence ? { recurrence: input.recurrence } : {}),
    ...(state.phase === 'active' && occurrence ? { currentOccurrence: viewOf(occurrence) } : {}),
    ...(nextOccurrence ? { nextOccurrence: viewOf(nextOccurrence) } : {}),
    heldReports: state.phase === 'active' ? state.heldReportIds.length : 0,
    heldReportIds: state.phase === 'active' ? state.heldReportIds : [],
    ...(state.cancellation ? { cancellation: state.cancellation } : {}),
    history: state.history,
    rejectedInputs: state.rejectedInputs,
  };
}

/** What decides whether a report is in a window's scope. */
export interface ScopeFacts {
  serviceId: string;
  /** Resources named as root cause in the report's analysis (and its trouble reports). */
  resourceIds: readonly string[];
}

/** Search attribute values of a window's scope (`SpdrWindowScope`): `service:<id>` and `resource:<id>`. */
export function scopeKeys(scope: { serviceIds: readonly string[]; resourceIds: readonly string[] }): string[] {
  return [...scope.serviceIds.map((id) => `service:${id}`), ...scope.resourceIds.map((id) => `resource:${id}`)];
}

export function inScope(scope: MaintenanceScope, facts: ScopeFacts): boolean {
  return scope.serviceIds.includes(facts.serviceId) || facts.resourceIds.some((id) => scope.resourceIds.includes(id));
}

/** Whether a window, as its `window` query shows it, holds a report with these facts now. */
export function holdsNow(view: Pick<WindowView, 'state' | 'scope'>, facts: ScopeFacts): boolean {
  return view.state === 'active' && inScope(view.scope, facts);
}
