/**
 * Maintenance windows, pure: the start input and its reasons, the phases, `cancelWindow` and
 * `extendWindow`, and a report held by a window (status, reason, paused clocks, return).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyCommand, tick, type Report } from '../../src/domain';
import {
  advanceWindow,
  applyWindowMessage,
  holdsNow,
  nextWindowWakeUp,
  openWindow,
  parseWindowInput,
  windowView,
  type MaintenanceWindowInput,
  type MaintenanceWindowInputJson,
  type WindowState,
} from '../../src/domain/maintenance';
import { scopeFactsOf } from '../../src/domain/maintenance-hold';
import { accept, HOUR, MINUTE, msg, open, T0 } from './fixtures';

const at = (iso: string) => Date.parse(iso);
const RUNS = Number(process.env.DOMAIN_PROPERTY_RUNS ?? 200);

const oneOff: MaintenanceWindowInputJson = {
  windowId: 'CHG-778',
  scope: { serviceIds: ['svc-volte-fra1'], resourceIds: ['PE-7'] },
  start: '2026-12-02T01:00:00Z',
  end: '2026-12-02T03:00:00Z',
  changeRequest: 'CHG-778',
  createdBy: 'noc.anna',
};

function valid(input: MaintenanceWindowInputJson): MaintenanceWindowInput {
  const parsed = parseWindowInput(input);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

function reason(input: unknown): string {
  const parsed = parseWindowInput(input);
  expect(parsed.ok).toBe(false);
  return parsed.ok ? '' : parsed.reason;
}

describe('maintenance window start input', () => {
  it('the contract example is valid, with or without a recurrence', () => {
    expect(parseWindowInput(oneOff).ok).toBe(true);
    const weekly = { ...oneOff, recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=TU', timezone: 'Europe/Berlin', until: '2027-06-30T00:00:00Z' } };
    expect(parseWindowInput(weekly).ok).toBe(true);
  });

  it.each([
    [{ ...oneOff, end: oneOff.start }, 'window.end: must be after start'],
    [{ ...oneOff, scope: { serviceIds: [], resourceIds: [] } }, 'window.scope: names no service and no resource'],
    [
      { ...oneOff, recurrence: { rrule: 'FREQ=WEEKLY', timezone: 'Europe/Frankfurt' } },
      'window.recurrence.timezone: is not a known IANA time zone',
    ],
    [{ ...oneOff, recurrence: { rrule: 'FREQ=HOURLY', timezone: 'UTC' } }, 'window.recurrence.rrule: rrule FREQ=HOURLY is not supported'],
    [{ ...oneOff, recurrence: { rrule: 'FREQ=DAILY;BYHOUR=1,2', timezone: 'UTC' } }, 'occurrences overlap'],
    [
      { ...oneOff, recurrence: { rrule: 'FREQ=DAILY', timezone: 'UTC', until: '2026-12-01T00:00:00Z' } },
      'window.recurrence.until: must be after start',
    ],
    [{ ...oneOff, windowId: 'CHG 778' }, 'window.windowId'],
    [{ ...oneOff, startt: 'x' }, 'Unrecognized key: "startt"'],
  ])('refuses a bad window with a clear reason (%#)', (input, expected) => {
    expect(reason(input)).toContain(expected);
  });
});

describe('maintenance window phases', () => {
  const window = valid(oneOff);

  it('scheduled until its start, active until its end, then ended; the query tells state, next occurrence and held reports', () => {
    let state = openWindow(window, at('2026-12-01T12:00:00Z'));
    expect(state.phase).toBe('scheduled');
    expect(nextWindowWakeUp(state)).toBe(at('2026-12-02T01:00:00Z'));
    expect(windowView(state)).toMatchObject({
      state: 'scheduled',
      nextOccurrence: { number: 1, start: '2026-12-02T01:00:00.000Z' },
      heldReports: 0,
    });
    state = advanceWindow(state, at('2026-12-02T01:00:00Z'));
    expect(state.phase).toBe('active');
    expect(nextWindowWakeUp(state)).toBe(at('2026-12-02T03:00:00Z'));
    state = { ...state, heldReportIds: ['R-1001'] };
    expect(windowView(state)).toMatchObject({ state: 'active', currentOccurrence: { number: 1 }, heldReports: 1 });
    expect(windowView(state).nextOccurrence).toBeUndefined();
    state = advanceWindow(state, at('2026-12-02T03:00:00Z'));
    expect(state.phase).toBe('ended');
    expect(windowView(state).heldReports).toBe(0);
  });

  it('a window created after its end is ended at once; one created inside is active at once', () => {
    expect(openWindow(window, at('2026-12-02T04:00:00Z')).phase).toBe('ended');
    expect(openWindow(window, at('2026-12-02T02:00:00Z')).phase).toBe('active');
  });

  it('a recurring window goes to its next occurrence when one ends', () => {
    const weekly = valid({ ...oneOff, recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=WE', timezone: 'UTC' } });
    let state = openWindow(weekly, at('2026-12-02T02:00:00Z'));
    expect(windowView(state).nextOccurrence).toMatchObject({ number: 2, start: '2026-12-09T01:00:00.000Z' });
    state = advanceWindow(state, at('2026-12-02T03:00:00Z'));
    expect(state).toMatchObject({ phase: 'scheduled', occurrence: { index: 1, start: at('2026-12-09T01:00:00Z') } });
  });

  it('cancelWindow ends it now; a second cancel, or any message after, is refused', () => {
    const state = openWindow(window, at('2026-12-02T02:00:00Z'));
    const cancelled = applyWindowMessage(
      state,
      'cancelWindow',
      { by: 'noc.anna', reason: 'change rolled back' },
      at('2026-12-02T02:10:00Z'),
    );
    expect(cancelled).toMatchObject({
      ok: true,
      state: { phase: 'cancelled', cancellation: { by: 'noc.anna', reason: 'change rolled back' } },
    });
    const after = (cancelled as { state: WindowState }).state;
    expect(nextWindowWakeUp(after)).toBeUndefined();
    expect(applyWindowMessage(after, 'cancelWindow', { by: 'noc.anna', reason: 'again' }, T0)).toEqual({
      ok: false,
      reason: 'cancelWindow: window is cancelled',
    });
    expect(applyWindowMessage(state, 'cancelWindow', { by: 'noc.anna' }, T0)).toMatchObject({
      ok: false,
      reason: 'cancelWindow.reason: Required',
    });
  });

  it('extendWindow moves the end later; earlier, past, or past the next occurrence is refused with the reason', () => {
    const now = at('2026-12-02T02:00:00Z');
    const state = openWindow(window, now);
    const extended = applyWindowMessage(state, 'extendWindow', { by: 'noc.anna', end: '2026-12-02T04:00:00Z' }, now);
    expect(extended).toMatchObject({ ok: true, state: { occurrence: { end: at('2026-12-02T04:00:00Z') } } });
    expect(applyWindowMessage(state, 'extendWindow', { by: 'noc.anna', end: '2026-12-02T02:30:00Z' }, now)).toMatchObject({
      ok: false,
      reason: 'extendWindow: end must be after the current end 2026-12-02T03:00:00.000Z (got 2026-12-02T02:30:00Z)',
    });
    expect(applyWindowMessage(state, 'extendWindow', { by: 'noc.anna', end: 'tomorrow' }, now)).toMatchObject({ ok: false });
    const daily = openWindow(valid({ ...oneOff, recurrence: { rrule: 'FREQ=DAILY', timezone: 'UTC' } }), now);
    expect(applyWindowMessage(daily, 'extendWindow', { by: 'noc.anna', end: '2026-12-03T02:00:00Z' }, now)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('must not pass the start of the next occurrence 2026-12-03T01:00:00.000Z') as string,
    });
  });

  it('property: whatever the time steps, an occurrence is active exactly between its start and its end', () => {
    const daily = valid({ ...oneOff, recurrence: { rrule: 'FREQ=DAILY;COUNT=5', timezone: 'Europe/Berlin' } });
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 10 * HOUR }), { maxLength: 30 }), (steps) => {
        let now = at('2026-12-01T00:00:00Z');
        let state = openWindow(daily, now);
        for (const step of steps) {
          now += step;
          state = advanceWindow(state, now);
          const o = state.occurrence;
          if (state.phase === 'active') expect(o && o.start <= now && now < o.end).toBe(true);
          if (state.phase === 'scheduled') expect(o && now < o.start).toBe(true);
          if (state.phase === 'ended') expect(now).toBeGreaterThanOrEqual(at('2026-12-06T03:00:00Z'));
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('a report held by a maintenance window', () => {
  const observe = (report: Report, windowId: string | undefined, nowMs: number) =>
    accept(report, { name: 'maintenanceObserved', payload: windowId === undefined ? {} : { windowId } }, nowMs).report;

  it('is held with the reason naming the window, its clock paused for exactly the window, and returns to the status it had', () => {
    let r = open();
    r = accept(r, msg('setStatus', { by: 'noc.anna', status: 'inProgress', reason: 'on it' }), T0 + 10 * MINUTE).report;
    r = observe(r, 'CHG-778', T0 + 1 * HOUR);
    expect(r).toMatchObject({ status: 'held', maintenanceWindowId: 'CHG-778', statusBeforeMaintenance: 'inProgress' });
    expect(r.history.at(-1)).toMatchObject({
      by: 'mw-CHG-778',
      action: 'maintenanceHeld',
      reason: 'maintenance CHG-778',
      toStatus: 'held',
    });
    expect(r.jeopardy.pausedSince).toBe(new Date(T0 + HOUR).toISOString());
    // A critical report breaches at 4 h: the 2 h window pushes it to 6 h; no escalation falls inside.
    const inside = tick(r, T0 + 3 * HOUR + 30 * MINUTE);
    expect(inside.effects).toEqual([]);
    r = observe(inside.report, undefined, T0 + 3 * HOUR);
    expect(r.status).toBe('inProgress');
    expect(r.maintenanceWindowId).toBeUndefined();
    expect(r.jeopardy.pausedMs).toBe(2 * HOUR);
    expect(r.jeopardy.deadline).toBe(new Date(T0 + 6 * HOUR).toISOString());
  });

  it('the clock stays paused though an operator changes the status during the window, and the operator status stays after it', () => {
    let r = observe(open(), 'CHG-778', T0 + HOUR);
    r = accept(r, msg('setStatus', { by: 'noc.anna', status: 'inProgress', reason: 'working through it' }), T0 + 90 * MINUTE).report;
    expect(r.jeopardy.pausedSince).toBeDefined();
    r = observe(r, undefined, T0 + 2 * HOUR);
    expect(r.status).toBe('inProgress');
    expect(r.history.at(-1)).toMatchObject({ action: 'maintenanceReleased', detail: 'status inProgress kept' });
    expect(r.jeopardy.pausedMs).toBe(HOUR);
  });

  it('the same answer twice changes nothing; a cleared or final report is not held', () => {
    const held = observe(open(), 'CHG-778', T0 + HOUR);
    expect(applyCommand(held, { name: 'maintenanceObserved', payload: { windowId: 'CHG-778' } }, T0 + 2 * HOUR)).toMatchObject({
      ok: true,
      report: held,
    });
    let cleared = accept(open(), msg('clear', { by: 'noc.anna', resolution: 'fixed' }), T0 + MINUTE).report;
    cleared = observe(cleared, 'CHG-778', T0 + HOUR);
    expect(cleared.status).toBe('cleared');
    expect(cleared.maintenanceWindowId).toBeUndefined();
  });

  it('a report in scope by its root-cause resource', () => {
    const r = accept(
      open({ service: { id: 'svc-other' } }),
      msg('addAnalysis', {
        author: 'noc.anna',
        summary: 'Packet loss on PE-7 uplink',
        rootCause: { domain: 'resource', resourceId: 'PE-7' },
      }),
      T0 + MINUTE,
    ).report;
    const view = windowView(openWindow(valid(oneOff), at('2026-12-02T02:00:00Z')));
    expect(scopeFactsOf(r)).toEqual({ serviceId: 'svc-other', resourceIds: ['PE-7'] });
    expect(holdsNow(view, scopeFactsOf(r))).toBe(true);
    expect(holdsNow(view, scopeFactsOf(open({ service: { id: 'svc-other' } })))).toBe(false);
  });

  it('a report with no window has no maintenance fields (old reports unchanged)', () => {
    const r = open();
    expect('maintenanceWindowId' in r).toBe(false);
    expect('statusBeforeMaintenance' in r).toBe(false);
  });
});
