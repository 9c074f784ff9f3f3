/**
 * Business calendars applied to a report's clocks: the resolution, response and update targets and
 * every threshold of their ladders count open hours only; a pause moves a deadline by the open
 * hours it paused; deadlines come from the calendar recorded in the report (zone offsets pinned),
 * never from the time-zone data of the worker that replays them.
 */
import { describe, expect, it } from 'vitest';
import { applyCommand, nextWakeUp, tick, type CommandContext, type Report } from '../../src/domain';
import { pinCalendar, pinnedZoneOffsets, zoneOffsetTable, type PinnedCalendar } from '../../src/domain/business-time';
import { compileCalendar, intlZoneOffsets, type BusinessCalendarSpec } from '../../src/domain/calendar';
import { accept, HOUR, MINUTE, msg, open } from './fixtures';

const at = (iso: string) => Date.parse(iso);
const weekdays = ['08:00-18:00'];
const officeSpec: BusinessCalendarSpec = {
  timezone: 'Europe/Berlin',
  week: { mon: weekdays, tue: weekdays, wed: weekdays, thu: weekdays, fri: weekdays },
  holidays: ['2026-12-24', '2026-12-25'],
};
const everyDaySpec: BusinessCalendarSpec = {
  timezone: 'Europe/Berlin',
  week: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, weekdays])),
};
const PIN_AT = at('2026-12-01T00:00:00Z');
const pin = (spec: BusinessCalendarSpec): PinnedCalendar => {
  const compiled = compileCalendar(spec);
  return pinCalendar(compiled, intlZoneOffsets(compiled.timezone), PIN_AT);
};
const calendars = { office: pin(officeSpec), everyDay: pin(everyDaySpec) };

function openIn(calendar: string, nowIso: string, policy: Record<string, unknown> = {}): Report {
  return open({ jeopardyPolicy: { resolutionTarget: '4h', calendar, ...policy } }, at(nowIso), { calendars });
}

describe('business calendars on the clocks', () => {
  it('a report opened Friday 16:00 Berlin with 4h counts 2h on Friday and 2h on Monday: deadline Monday 10:00', () => {
    const r = openIn('office', '2026-12-04T15:00:00Z');
    expect(r.jeopardy.deadline).toBe('2026-12-07T09:00:00.000Z');
    expect(r.jeopardy.calendar?.name).toBe('office');
    expect(r.history[0].detail).toContain('in the open hours of calendar "office" (Europe/Berlin)');
  });

  it('thresholds sit on open time: 50% (2h) falls on Friday 18:00, 75% (3h) on Monday 09:00, not Saturday', () => {
    const r = openIn('office', '2026-12-04T15:00:00Z');
    expect(nextWakeUp(r)).toBe(at('2026-12-04T17:00:00Z'));
    const friday = tick(r, at('2026-12-04T17:00:00Z'));
    expect(friday.effects.map((e) => e.type)).toEqual(['notifyAssignee']);
    expect(nextWakeUp(friday.report)).toBe(at('2026-12-07T08:00:00Z'));
    // All Saturday and Sunday nothing falls due.
    expect(tick(friday.report, at('2026-12-06T20:00:00Z')).effects).toEqual([]);
    const monday = tick(friday.report, at('2026-12-07T08:00:00Z'));
    expect(monday.effects.map((e) => e.type)).toEqual(['notifyEscalation']);
  });

  it('a holiday counts nothing: opened 23 Dec 17:00 Berlin, 4h runs 1h that day and 3h on 28 Dec (24th, 25th, weekend closed)', () => {
    const r = openIn('office', '2026-12-23T16:00:00Z');
    expect(r.jeopardy.deadline).toBe('2026-12-28T10:00:00.000Z');
  });

  it('pending over the weekend moves the deadline by the open hours paused only (2h), not by the 64 wall hours', () => {
    let r = openIn('office', '2026-12-04T14:00:00Z', { resolutionTarget: '8h' }); // Friday 15:00 Berlin
    r = accept(
      r,
      msg('setStatus', { by: 'noc.anna', status: 'pending', reason: 'waiting on customer' }),
      at('2026-12-04T15:00:00Z'),
    ).report;
    r = accept(
      r,
      msg('setStatus', { by: 'noc.anna', status: 'inProgress', reason: 'customer answered' }),
      at('2026-12-07T08:00:00Z'),
    ).report;
    // Paused: Friday 16:00-18:00 (2h) plus Monday 08:00-09:00 (1h) of open hours.
    expect(r.jeopardy.pausedMs).toBe(3 * HOUR);
    // Counted: Friday 15-16 (1h); 7h left from Monday 09:00 -> 16:00 Berlin.
    expect(r.jeopardy.deadline).toBe('2026-12-07T15:00:00.000Z');
  });

  it('across the spring DST change (Berlin, 28 Mar 2027) open hours count local time: Saturday 17:00 + 2h is Sunday 09:00 CEST', () => {
    const r = openIn('everyDay', '2027-03-27T16:00:00Z', { resolutionTarget: '2h' }); // 17:00 CET
    expect(r.jeopardy.deadline).toBe('2027-03-28T07:00:00.000Z'); // 09:00 CEST
  });

  it('across the autumn DST change (Berlin, 31 Oct 2027): Saturday 17:00 CEST + 2h is Sunday 09:00 CET', () => {
    const r = openIn('everyDay', '2027-10-30T15:00:00Z', { resolutionTarget: '2h' }); // 17:00 CEST
    expect(r.jeopardy.deadline).toBe('2027-10-31T08:00:00.000Z'); // 09:00 CET
  });

  it('the response and update clocks count the same open hours', () => {
    const r = openIn('office', '2026-12-04T16:30:00Z', { responseTarget: '1h', updateEvery: '2h' }); // Friday 17:30 Berlin
    expect(r.jeopardy.clocks?.response?.deadline).toBe('2026-12-07T07:30:00.000Z'); // 30 min Friday, 30 min Monday
    expect(r.jeopardy.clocks?.update?.deadline).toBe('2026-12-07T08:30:00.000Z');
    // The response clock's 50% threshold (30 min) is Friday 18:00; its 75% (45 min) Monday 08:15 Berlin.
    const friday = tick(r, at('2026-12-04T17:00:00Z'));
    expect(friday.effects.map((e) => e.type)).toEqual(['notifyAssignee']);
    expect(nextWakeUp(friday.report)).toBe(at('2026-12-07T07:15:00Z'));
  });

  it('a report without a calendar keeps wall-time deadlines (24x7) and records no calendar', () => {
    const r = open({ jeopardyPolicy: { resolutionTarget: '4h' } }, at('2026-12-04T15:00:00Z'), { calendars });
    expect(r.jeopardy.deadline).toBe('2026-12-04T19:00:00.000Z');
    expect('calendar' in r.jeopardy).toBe(false);
  });

  it('an unknown calendar name is refused at opening, naming the configured ones', () => {
    expect(() => openIn('ofice', '2026-12-04T15:00:00Z')).toThrow(
      'jeopardyPolicy.calendar: unknown business calendar "ofice" (SPDR_CALENDARS defines "everyDay", "office")',
    );
    expect(() => open({ jeopardyPolicy: { calendar: 'office' } }, at('2026-12-04T15:00:00Z'))).toThrow('SPDR_CALENDARS defines none');
  });

  it('setSeverity to a severity whose configured policy names another calendar records that calendar; an unknown one is refused', () => {
    const defaults = { major: { calendar: 'everyDay' }, minor: { calendar: 'nowhere' } };
    const ownOffice = open({ jeopardyPolicy: { calendar: 'office' } }, at('2026-12-04T15:00:00Z'), { calendars });
    // The report's own policy names "office", which wins over the configured default of every severity.
    expect(severityTo(ownOffice, 'major', { calendars, defaults, override: { calendar: 'office' } })).toBe('office');
    const plain = open({}, at('2026-12-04T15:00:00Z'), { calendars });
    expect(severityTo(plain, 'major', { calendars, defaults })).toBe('everyDay');
    expect(severityTo(plain, 'minor', { calendars, defaults })).toBe(
      'minor: jeopardyPolicy.calendar: unknown business calendar "nowhere" (SPDR_CALENDARS defines "everyDay", "office")',
    );
  });

  it('deadlines come from the recorded offsets, not the replaying worker: a record made with other zone data keeps its deadline', () => {
    // Friday 16:00 CET + 2h of open time is 18:00 CET, the same day.
    const here = openIn2(calendars.office);
    expect(here.jeopardy.deadline).toBe('2026-12-04T17:00:00.000Z');
    // The same calendar recorded by a worker whose zone data put Berlin at UTC+2 all year: Friday
    // 17:00 local, 1h that day and 1h from Monday 08:00 local.
    const elsewhere = openIn2({ ...calendars.office, offsets: [{ at: 0, minutes: 120 }] });
    expect(elsewhere.jeopardy.deadline).toBe('2026-12-07T07:00:00.000Z');
    // Letting time pass (what a replay does) never asks the zone again: the recorded offsets hold.
    const later = tick(elsewhere, at('2026-12-04T15:59:00Z')).report;
    expect(later.jeopardy.deadline).toBe('2026-12-07T07:00:00.000Z');
    expect(nextWakeUp(later)).toBe(at('2026-12-04T16:00:00Z')); // 50%: 1h of open time at UTC+2 is 18:00 local
  });

  it('the pinned offset table reproduces the zone data to the minute around both DST changes', () => {
    const offsets = intlZoneOffsets('Europe/Berlin');
    const table = zoneOffsetTable(offsets, at('2027-01-01T00:00:00Z'), at('2028-01-01T00:00:00Z'));
    expect(table.map((c) => [new Date(c.at).toISOString(), c.minutes])).toEqual([
      ['2027-01-01T00:00:00.000Z', 60],
      ['2027-03-28T01:00:00.000Z', 120],
      ['2027-10-31T01:00:00.000Z', 60],
    ]);
    const pinned = pinnedZoneOffsets(table);
    for (let t = at('2027-03-27T00:00:00Z'); t < at('2027-11-02T00:00:00Z'); t += 7 * MINUTE * 13) expect(pinned(t)).toBe(offsets(t));
  });

  it('the pinned table finds every offset change to the minute, in zones north and south, east and west', () => {
    for (const zone of ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Pacific/Chatham', 'Asia/Kolkata']) {
      const offsets = intlZoneOffsets(zone);
      const pinned = pinCalendar(compileCalendar({ timezone: zone, week: { mon: ['08:00-18:00'] } }), offsets, PIN_AT);
      const [first, ...changes] = pinned.offsets;
      expect(first.minutes).toBe(offsets(first.at));
      let previous = first.minutes;
      for (const change of changes) {
        expect([zone, offsets(change.at - MINUTE), offsets(change.at)]).toEqual([zone, previous, change.minutes]);
        previous = change.minutes;
      }
      // Zones with DST change about twice a year over the five pinned years; Kolkata never.
      if (zone === 'Asia/Kolkata') expect(changes).toEqual([]);
      else expect(changes.length).toBeGreaterThanOrEqual(9);
    }
  });
});

function openIn2(calendar: PinnedCalendar): Report {
  return open({ jeopardyPolicy: { resolutionTarget: '2h', calendar: 'office' } }, at('2026-12-04T15:00:00Z'), {
    calendars: { office: calendar },
  });
}

/** The calendar recorded after `setSeverity`, or the refusal. */
function severityTo(r: Report, severity: 'major' | 'minor', context: CommandContext): string | undefined {
  const result = applyCommand(r, msg('setSeverity', { by: 'noc.anna', severity, reason: 'check' }), at('2026-12-04T15:30:00Z'), context);
  return result.ok ? result.report.jeopardy.calendar?.name : result.reason;
}
