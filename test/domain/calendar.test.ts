/**
 * Business calendar maths: open hours, holidays, time zones across DST changes and year ends,
 * and the properties every deadline keeps.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BusinessCalendarSpec,
  addOpenTime,
  compileCalendar,
  isOpenAt,
  openTimeBetween,
  type BusinessCalendarSpec as Spec,
  type ZoneOffsets,
} from '../../src/domain/calendar';

const HOUR = 3_600_000;
/** Hundreds of runs through Intl's zone data take ~3-5 s alone and 14 s on a loaded machine; the 10 s default is no speed assertion to keep. */
const PROPERTY_TIMEOUT_MS = 120_000;
const MINUTE = 60_000;
const at = (iso: string) => Date.parse(iso);
const isoOf = (ms: number) => new Date(ms).toISOString();

const weekdays = ['08:00-18:00'];
const office: Spec = {
  timezone: 'Europe/Berlin',
  week: { mon: weekdays, tue: weekdays, wed: weekdays, thu: weekdays, fri: ['08:00-12:00', '13:00-17:00'] },
  holidays: ['2026-12-24', '2026-12-25', '2027-01-01'],
};
const berlin = compileCalendar(office);

describe('business calendar', () => {
  it('carries a target over the weekend: Friday 16:00 + 4h of open time is Monday 11:00', () => {
    // Friday 2026-12-04 16:00 CET = 15:00Z: one hour left on Friday, three on Monday from 08:00.
    expect(isoOf(addOpenTime(berlin, at('2026-12-04T15:00:00Z'), 4 * HOUR))).toBe('2026-12-07T10:00:00.000Z');
  });

  it('skips the lunch break and counts a start outside open hours from the next opening', () => {
    expect(isoOf(addOpenTime(berlin, at('2026-12-04T10:30:00Z'), 1 * HOUR))).toBe('2026-12-04T12:30:00.000Z');
    // Saturday night: the clock starts on Monday 08:00 CET.
    expect(isoOf(addOpenTime(berlin, at('2026-12-05T22:00:00Z'), 30 * MINUTE))).toBe('2026-12-07T07:30:00.000Z');
  });

  it('skips holidays and the year end: Wednesday 23 December 17:00 + 2h is Monday 28 December 09:00', () => {
    // 24 and 25 December are holidays, 26-27 the weekend.
    expect(isoOf(addOpenTime(berlin, at('2026-12-23T16:00:00Z'), 2 * HOUR))).toBe('2026-12-28T08:00:00.000Z');
    // 31 December 2026 (Thursday) 17:00 + 2h: 1 January is a holiday, so Monday 4 January 2027 09:00.
    expect(isoOf(addOpenTime(berlin, at('2026-12-31T16:00:00Z'), 2 * HOUR))).toBe('2027-01-04T08:00:00.000Z');
  });

  it('counts wall-clock open hours across the spring DST change (CET to CEST)', () => {
    // Friday 27 March 2026 16:00 CET (15:00Z): one hour on Friday. Sunday 29 March the clocks go
    // forward, so Monday 08:00 CEST is 06:00Z and the second hour ends at 07:00Z (not 08:00Z).
    expect(isoOf(addOpenTime(berlin, at('2026-03-27T15:00:00Z'), 2 * HOUR))).toBe('2026-03-30T07:00:00.000Z');
    expect(openTimeBetween(berlin, at('2026-03-27T15:00:00Z'), at('2026-03-30T07:00:00Z'))).toBe(2 * HOUR);
  });

  it('a 24-hour day is 23 hours long at the spring change and 25 at the autumn one', () => {
    const always = compileCalendar({ timezone: 'Europe/Berlin', week: { sun: ['00:00-24:00'] } });
    expect(openTimeBetween(always, at('2026-03-28T00:00:00Z'), at('2026-03-30T00:00:00Z'))).toBe(23 * HOUR);
    expect(openTimeBetween(always, at('2026-10-24T00:00:00Z'), at('2026-10-26T00:00:00Z'))).toBe(25 * HOUR);
  });

  it('uses the calendar zone, not UTC: New York opens at 09:00 local (14:00Z in winter, 13:00Z in summer)', () => {
    const ny = compileCalendar({ timezone: 'America/New_York', week: { mon: ['09:00-17:00'] } });
    expect(isoOf(addOpenTime(ny, at('2026-01-05T00:00:00Z'), MINUTE))).toBe('2026-01-05T14:01:00.000Z');
    expect(isoOf(addOpenTime(ny, at('2026-07-06T00:00:00Z'), MINUTE))).toBe('2026-07-06T13:01:00.000Z');
  });

  it('computes with pinned offsets when given them, independent of the worker time-zone data', () => {
    // A fixed +01:00 zone: the spring change no longer moves Monday's opening (07:00Z + 1h).
    const pinned: ZoneOffsets = () => 60;
    expect(isoOf(addOpenTime(berlin, at('2026-03-27T15:00:00Z'), 2 * HOUR, pinned))).toBe('2026-03-30T08:00:00.000Z');
  });

  it('refuses a negative duration with a clear error', () => {
    expect(() => addOpenTime(berlin, 0, -1)).toThrow('durationMs must be a non-negative number of milliseconds (got -1)');
  });

  it('validates a calendar: overlapping hours, an unknown time zone, a holiday that is not a date', () => {
    const result = BusinessCalendarSpec.safeParse({
      timezone: 'Europe/Atlantis',
      week: { mon: ['08:00-12:00', '11:00-18:00'], tue: ['18:00-08:00'], funday: ['08:00-09:00'] },
      holidays: ['2026-02-30', 'Christmas'],
    });
    expect(result.success).toBe(false);
    const lines = result.error!.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        'timezone: is not a known IANA time zone (such as "Europe/Berlin")',
        'week.tue.0: must be open hours such as "08:00-18:00" (start before end, 24:00 at most)',
        'holidays.0: must be a date such as "2026-12-25"',
        'holidays.1: must be a date such as "2026-12-25"',
      ]),
    );
    expect(result.error!.issues.some((issue) => issue.code === 'unrecognized_keys' && issue.keys.includes('funday'))).toBe(true);
    const overlap = BusinessCalendarSpec.safeParse({ timezone: 'Europe/Berlin', week: { mon: ['08:00-12:00', '11:00-18:00'] } });
    expect(overlap.error!.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual([
      'week.mon: hours 08:00-12:00 and 11:00-18:00 overlap',
    ]);
    expect(() => compileCalendar({ timezone: 'UTC', week: {} })).toThrow('calendar week: has no open hours on any day');
  });
});

const zones = fc.constantFrom('Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'UTC', 'America/St_Johns');
const hm = (halfHours: number) => `${String(Math.floor(halfHours / 2)).padStart(2, '0')}:${halfHours % 2 ? '30' : '00'}`;
const span = fc
  .integer({ min: 0, max: 47 })
  .chain((start) => fc.integer({ min: start + 1, max: 48 }).map((end) => `${hm(start)}-${hm(end)}`));
const calendars: fc.Arbitrary<Spec> = fc
  .record({
    timezone: zones,
    days: fc.uniqueArray(fc.constantFrom('sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'), { minLength: 1, maxLength: 7 }),
    hours: span,
    holidays: fc.array(
      fc.integer({ min: 0, max: 730 }).map((d) => new Date(Date.UTC(2026, 0, 1) + d * 86_400_000).toISOString().slice(0, 10)),
      { maxLength: 20 },
    ),
  })
  .map(({ timezone, days, hours, holidays }) => ({ timezone, week: Object.fromEntries(days.map((day) => [day, [hours]])), holidays }));
// Instants from 2026 to the end of 2027: both DST changes of every zone and a year end.
const instants = fc.integer({ min: at('2026-01-01T00:00:00Z'), max: at('2027-12-31T00:00:00Z') }).map((ms) => Math.floor(ms / 1000) * 1000);
const durations = fc.integer({ min: 1, max: 200 * HOUR });

describe('business calendar properties', () => {
  it('adding open time then measuring it gives the same duration', { timeout: PROPERTY_TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(calendars, instants, durations, (spec, from, duration) => {
        const calendar = compileCalendar(spec);
        const deadline = addOpenTime(calendar, from, duration);
        expect(deadline).toBeGreaterThan(from);
        expect(openTimeBetween(calendar, from, deadline)).toBe(duration);
      }),
      { numRuns: 300 },
    );
  });

  it('a deadline never falls outside open hours', { timeout: PROPERTY_TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(calendars, instants, durations, (spec, from, duration) => {
        const calendar = compileCalendar(spec);
        expect(isOpenAt(calendar, addOpenTime(calendar, from, duration))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('open time is additive: measuring in two parts equals measuring at once', { timeout: PROPERTY_TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(
        calendars,
        instants,
        fc.integer({ min: 0, max: 30 * 24 * HOUR }),
        fc.integer({ min: 0, max: 30 * 24 * HOUR }),
        (spec, from, a, b) => {
          const calendar = compileCalendar(spec);
          expect(openTimeBetween(calendar, from, from + a) + openTimeBetween(calendar, from + a, from + a + b)).toBe(
            openTimeBetween(calendar, from, from + a + b),
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});
