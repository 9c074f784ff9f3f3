/**
 * Recurring maintenance windows: the RRULE subset, expanded in an IANA zone across DST changes,
 * and the properties every expansion keeps.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { intlZoneOffsets } from '../../src/domain/calendar';
import { occurrenceFrom, occurrenceStarts, overlapProblem, parseRrule, type Recurrence } from '../../src/domain/rrule';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const at = (iso: string) => Date.parse(iso);
const isoOf = (ms: number) => new Date(ms).toISOString();
const RUNS = Number(process.env.DOMAIN_PROPERTY_RUNS ?? 200);

function recurrence(rrule: string, start: string, durationMs: number, timezone = 'Europe/Berlin', until?: string): Recurrence {
  const parsed = parseRrule(rrule);
  if (!parsed.ok) throw new Error(parsed.reason);
  return { rule: parsed.value, timezone, firstStartMs: at(start), durationMs, ...(until ? { untilMs: at(until) } : {}) };
}

function take(rec: Recurrence, n: number): string[] {
  const out: string[] = [];
  for (const start of occurrenceStarts(rec)) {
    out.push(isoOf(start));
    if (out.length >= n) break;
  }
  return out;
}

/** Local "HH:MM" of an instant in a zone. */
function localTime(ms: number, timezone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    new Date(ms),
  );
}

describe('rrule parsing', () => {
  it('reads the parts change calendars use', () => {
    expect(parseRrule('RRULE:FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=1;BYMINUTE=30;COUNT=10')).toEqual({
      ok: true,
      value: { freq: 'WEEKLY', interval: 1, byDay: [2, 4], byHour: [1], byMinute: [30], count: 10 },
    });
    expect(parseRrule('FREQ=DAILY;INTERVAL=2;UNTIL=20270630T000000Z')).toEqual({
      ok: true,
      value: { freq: 'DAILY', interval: 2, until: at('2027-06-30T00:00:00Z') },
    });
  });

  it.each([
    ['', 'rrule is empty'],
    ['BYDAY=TU', 'rrule needs FREQ'],
    ['FREQ=MONTHLY', 'FREQ=MONTHLY is not supported'],
    ['FREQ=WEEKLY;BYSETPOS=1', 'part "BYSETPOS" is not supported'],
    ['FREQ=WEEKLY;BYDAY=TUE', 'BYDAY=TUE: use two-letter weekdays'],
    ['FREQ=WEEKLY;BYDAY=1TU', 'BYDAY=1TU'],
    ['FREQ=DAILY;BYHOUR=24', 'BYHOUR=24: each value must be a whole number 0-23'],
    ['FREQ=DAILY;BYMINUTE=60', 'BYMINUTE=60'],
    ['FREQ=DAILY;COUNT=0', 'COUNT=0'],
    ['FREQ=DAILY;COUNT=3;UNTIL=20270101T000000Z', 'COUNT or UNTIL, not both'],
    ['FREQ=DAILY;UNTIL=20270231T000000Z', 'UNTIL=20270231T000000Z'],
    ['FREQ=DAILY;FREQ=WEEKLY', 'FREQ appears twice'],
    ['FREQ=DAILY;INTERVAL', 'INTERVAL has no value'],
    ['FREQ=WEEKLY;WKST=SU', 'WKST=SU'],
  ])('refuses %j with a reason naming the part', (text, reason) => {
    const parsed = parseRrule(text);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.reason).toContain(reason);
  });
});

describe('rrule expansion', () => {
  it('a weekly Tuesday 01:00 Berlin window keeps 01:00 local across the March DST change (00:00Z in winter, 23:00Z Monday in summer)', () => {
    const rec = recurrence('FREQ=WEEKLY;BYDAY=TU', '2027-03-16T00:00:00Z', 2 * HOUR);
    expect(take(rec, 4)).toEqual([
      '2027-03-16T00:00:00.000Z',
      '2027-03-23T00:00:00.000Z',
      '2027-03-29T23:00:00.000Z',
      '2027-04-05T23:00:00.000Z',
    ]);
  });

  it('and back across the October change', () => {
    const rec = recurrence('FREQ=WEEKLY;BYDAY=TU', '2026-10-19T23:00:00Z', 2 * HOUR);
    expect(take(rec, 3)).toEqual(['2026-10-19T23:00:00.000Z', '2026-10-27T00:00:00.000Z', '2026-11-03T00:00:00.000Z']);
  });

  it('a local time the spring change skips maps past the gap (02:30 -> 03:30 CEST), once', () => {
    const rec = recurrence('FREQ=DAILY', '2027-03-27T01:30:00Z', 30 * MINUTE); // 02:30 CET
    expect(take(rec, 3)).toEqual(['2027-03-27T01:30:00.000Z', '2027-03-28T01:30:00.000Z', '2027-03-29T00:30:00.000Z']);
  });

  it('BYHOUR and BYMINUTE set the time of every occurrence after the first; COUNT counts the first', () => {
    const rec = recurrence('FREQ=DAILY;BYHOUR=2,22;BYMINUTE=0;COUNT=4', '2026-12-01T21:00:00Z', HOUR); // 22:00 CET
    expect(take(rec, 10)).toEqual([
      '2026-12-01T21:00:00.000Z',
      '2026-12-02T01:00:00.000Z',
      '2026-12-02T21:00:00.000Z',
      '2026-12-03T01:00:00.000Z',
    ]);
  });

  it('WEEKLY with INTERVAL=2 counts weeks from the first occurrence and stops at UNTIL (inclusive)', () => {
    const rec = recurrence('FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR', '2026-12-07T09:00:00Z', HOUR, 'Europe/Berlin', '2026-12-21T09:00:00Z');
    expect(take(rec, 10)).toEqual(['2026-12-07T09:00:00.000Z', '2026-12-11T09:00:00.000Z', '2026-12-21T09:00:00.000Z']);
  });

  it('occurrenceFrom finds the running or the next occurrence, and nothing past the last', () => {
    const rec = recurrence('FREQ=DAILY;COUNT=3', '2026-12-01T01:00:00Z', 2 * HOUR, 'UTC');
    expect(occurrenceFrom(rec, at('2026-12-02T02:00:00Z'))).toEqual({
      index: 1,
      start: at('2026-12-02T01:00:00Z'),
      end: at('2026-12-02T03:00:00Z'),
    });
    expect(occurrenceFrom(rec, at('2026-12-02T03:00:00Z'))?.index).toBe(2);
    expect(occurrenceFrom(rec, at('2026-12-03T03:00:00Z'))).toBeUndefined();
  });

  it('overlapping occurrences are a problem', () => {
    expect(overlapProblem(recurrence('FREQ=DAILY;BYHOUR=1,2', '2026-12-01T00:00:00Z', 2 * HOUR))).toContain('occurrences overlap');
    expect(overlapProblem(recurrence('FREQ=DAILY', '2026-12-01T00:00:00Z', 2 * HOUR))).toBeUndefined();
  });
});

const zones = fc.constantFrom('Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'UTC');
const rules = fc
  .record({
    freq: fc.constantFrom('DAILY', 'WEEKLY'),
    interval: fc.integer({ min: 1, max: 3 }),
    days: fc.subarray(['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'], { minLength: 1 }),
    useDays: fc.boolean(),
    hours: fc.option(fc.uniqueArray(fc.integer({ min: 0, max: 23 }), { minLength: 1, maxLength: 3 }), { nil: undefined }),
    minute: fc.option(fc.integer({ min: 0, max: 59 }), { nil: undefined }),
    count: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
  })
  .map(({ freq, interval, days, useDays, hours, minute, count }) =>
    [
      `FREQ=${freq}`,
      `INTERVAL=${interval}`,
      useDays ? `BYDAY=${days.join(',')}` : undefined,
      hours ? `BYHOUR=${hours.join(',')}` : undefined,
      minute !== undefined ? `BYMINUTE=${minute}` : undefined,
      count !== undefined ? `COUNT=${count}` : undefined,
    ]
      .filter((part) => part !== undefined)
      .join(';'),
  );
const starts = fc
  .integer({ min: at('2026-01-01T00:00:00Z'), max: at('2028-12-31T00:00:00Z') })
  .map((ms) => Math.floor(ms / MINUTE) * MINUTE);

describe('rrule properties', () => {
  it('occurrences are strictly increasing, start with the window start, keep within COUNT and UNTIL, and all last as long', () => {
    fc.assert(
      fc.property(rules, zones, starts, fc.integer({ min: 1, max: 400 }), (rrule, timezone, start, untilDays) => {
        const until = isoOf(start + untilDays * 24 * HOUR);
        const rec = recurrence(rrule, isoOf(start), 30 * MINUTE, timezone, until);
        const list: number[] = [];
        for (const s of occurrenceStarts(rec)) if (list.push(s) >= 200) break;
        expect(list[0]).toBe(start);
        for (let i = 1; i < list.length; i++) expect(list[i]).toBeGreaterThan(list[i - 1]);
        for (const s of list) expect(s).toBeLessThanOrEqual(at(until));
        if (rec.rule.count !== undefined) expect(list.length).toBeLessThanOrEqual(rec.rule.count);
        const first = occurrenceFrom(rec, start);
        expect(first && first.end - first.start).toBe(30 * MINUTE);
      }),
      { numRuns: RUNS },
    );
  });

  it('every occurrence after the first falls on the local wall-clock time the rule names, whatever the DST state (unless a DST gap skips it)', () => {
    fc.assert(
      fc.property(zones, starts, fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), (timezone, start, hour, minute) => {
        const rec = recurrence(`FREQ=WEEKLY;BYDAY=TU;BYHOUR=${hour};BYMINUTE=${minute};COUNT=60`, isoOf(start), HOUR, timezone);
        const offsets = intlZoneOffsets(timezone);
        const wanted = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
        let i = 0;
        for (const s of occurrenceStarts(rec, offsets)) {
          if (i++ === 0) continue;
          const local = localTime(s, timezone);
          // Only a time the zone skipped may differ, and then by the size of the gap (one hour here).
          if (local !== wanted) expect(offsets(s) - offsets(s - 2 * HOUR)).toBeGreaterThan(0);
          const weekday = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'short' }).format(new Date(s));
          expect(weekday).toBe('Tue');
        }
      }),
      { numRuns: Math.min(RUNS, 100) },
    );
  });
});
