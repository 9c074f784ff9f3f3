/**
 * Business calendars: weekly open hours, holidays and an IANA time zone (`SPDR_CALENDARS`).
 * A policy that names a calendar counts its targets in open hours only: `addOpenTime` finds the
 * instant a target runs out, `openTimeBetween` measures how much of it has passed.
 *
 * Pure: the only outside fact is the zone's UTC offset at an instant, asked of a {@link ZoneOffsets}
 * function. The default reads it from `Intl` (the worker's time-zone data); a caller that must
 * not depend on that data after an upgrade passes pinned offsets instead, or records the computed
 * deadline once (a report records its deadlines, so replay never asks the zone again).
 */
import { z } from 'zod';
import { sharedSchema } from './shared-schema';

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** A target longer than ten years of open time is a configuration mistake, not a deadline. */
const MAX_DAYS_SCANNED = 3_660;

const HOURS = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]|24):([0-5]\d)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Open hours of one day in minutes since local midnight, `end` exclusive (24:00 = 1440). */
export interface OpenSpan {
  start: number;
  end: number;
}

function parseHours(text: string): OpenSpan | undefined {
  const match = HOURS.exec(text);
  if (!match) return undefined;
  const start = Number(match[1]) * 60 + Number(match[2]);
  const end = Number(match[3]) * 60 + Number(match[4]);
  return end > start && end <= 1440 ? { start, end } : undefined;
}

function isRealDate(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const probe = new Date(Date.UTC(y, m - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d;
}

/** Whether `Intl` knows the zone (an unknown name throws a RangeError there). */
export function isKnownTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/** One calendar as configured: `{"timezone":"Europe/Berlin","week":{"mon":["08:00-18:00"]},"holidays":["2026-12-25"]}`. */
export const BusinessCalendarSpec = sharedSchema('calendar.BusinessCalendarSpec', () =>
  z
    .object({
      timezone: z
        .string({ error: 'is required (an IANA time zone such as "Europe/Berlin")' })
        .refine(isKnownTimeZone, 'is not a known IANA time zone (such as "Europe/Berlin")'),
      week: z
        .object(
          Object.fromEntries(
            WEEKDAYS.map((day) => [
              day,
              z
                .array(
                  z
                    .string()
                    .refine(
                      (text) => parseHours(text) !== undefined,
                      'must be open hours such as "08:00-18:00" (start before end, 24:00 at most)',
                    ),
                )
                .optional(),
            ]),
          ) as Record<Weekday, z.ZodOptional<z.ZodArray<z.ZodString>>>,
          { error: 'must be an object of weekdays (mon..sun) to open hours' },
        )
        .strict(),
      holidays: z.array(z.string().refine(isRealDate, 'must be a date such as "2026-12-25"')).default([]),
    })
    .strict()
    .superRefine((spec, ctx) => {
      let anyOpen = false;
      for (const day of WEEKDAYS) {
        const spans = (spec.week[day] ?? []).map((text) => ({ text, span: parseHours(text) }));
        const parsed = spans
          .filter((s): s is { text: string; span: OpenSpan } => s.span !== undefined)
          .sort((a, b) => a.span.start - b.span.start);
        if (parsed.length > 0) anyOpen = true;
        for (let i = 1; i < parsed.length; i++) {
          if (parsed[i].span.start < parsed[i - 1].span.end) {
            ctx.addIssue({ code: 'custom', path: ['week', day], message: `hours ${parsed[i - 1].text} and ${parsed[i].text} overlap` });
          }
        }
      }
      if (!anyOpen) ctx.addIssue({ code: 'custom', path: ['week'], message: 'has no open hours on any day' });
    }),
);
export type BusinessCalendarSpec = z.input<typeof BusinessCalendarSpec>;

/** `SPDR_CALENDARS`: calendar name -> calendar. */
export const BusinessCalendars = sharedSchema('calendar.BusinessCalendars', () =>
  z.record(
    z.string().regex(/^[A-Za-z0-9._-]+$/, 'a calendar name may only contain letters, digits, ".", "_" and "-"'),
    BusinessCalendarSpec,
  ),
);

/** A validated calendar, ready for the maths. */
export interface BusinessCalendar {
  timezone: string;
  /** Index 0 = Sunday, as `Date.getUTCDay()`; spans sorted and non-overlapping. */
  week: readonly (readonly OpenSpan[])[];
  holidays: ReadonlySet<string>;
}

/** Turns a configured calendar into the form the maths uses. @throws Error naming the first problem. */
export function compileCalendar(spec: BusinessCalendarSpec): BusinessCalendar {
  const result = BusinessCalendarSpec.safeParse(spec);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`calendar ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const valid = result.data;
  return {
    timezone: valid.timezone,
    week: WEEKDAYS.map((day) => (valid.week[day] ?? []).map((text) => parseHours(text)!).sort((a, b) => a.start - b.start)),
    holidays: new Set(valid.holidays),
  };
}

/** The zone's offset from UTC in minutes (east positive) at a UTC instant. */
export type ZoneOffsets = (utcMs: number) => number;

/** Offsets read from the worker's time-zone data through `Intl`. */
export function intlZoneOffsets(timezone: string): ZoneOffsets {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  return (utcMs) => {
    const parts: Record<string, number> = {};
    for (const part of format.formatToParts(new Date(utcMs))) if (part.type !== 'literal') parts[part.type] = Number(part.value);
    const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
    return Math.round((wall - Math.floor(utcMs / 1000) * 1000) / MINUTE_MS);
  };
}

/** The UTC instant of a local wall time; a wall time skipped by a DST change maps past the gap. */
function localToUtc(localMs: number, offsets: ZoneOffsets): number {
  const first = localMs - offsets(localMs) * MINUTE_MS;
  return localMs - offsets(first) * MINUTE_MS;
}

/** Local midnight (as a "local ms" number) of the local day containing a UTC instant. */
function localDayOf(utcMs: number, offsets: ZoneOffsets): number {
  const local = utcMs + offsets(utcMs) * MINUTE_MS;
  return Math.floor(local / DAY_MS) * DAY_MS;
}

function dateKey(localDay: number): string {
  return new Date(localDay).toISOString().slice(0, 10);
}

/** The open intervals of one local day in UTC ms, in order. */
function openIntervals(calendar: BusinessCalendar, localDay: number, offsets: ZoneOffsets): Array<[number, number]> {
  if (calendar.holidays.has(dateKey(localDay))) return [];
  const spans = calendar.week[new Date(localDay).getUTCDay()] ?? [];
  const intervals: Array<[number, number]> = [];
  for (const span of spans) {
    const from = localToUtc(localDay + span.start * MINUTE_MS, offsets);
    const to = localToUtc(localDay + span.end * MINUTE_MS, offsets);
    // A span that falls wholly into a DST gap has no length.
    if (to > from) intervals.push([from, to]);
  }
  return intervals;
}

function checkedMs(value: number, what: string): void {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${what} must be a non-negative number of milliseconds (got ${value})`);
}

/**
 * The instant at which `durationMs` of open time has passed since `fromMs`. With a positive
 * duration the result always lies inside open hours (a span's closing minute counts as inside).
 */
export function addOpenTime(
  calendar: BusinessCalendar,
  fromMs: number,
  durationMs: number,
  offsets: ZoneOffsets = intlZoneOffsets(calendar.timezone),
): number {
  checkedMs(durationMs, 'durationMs');
  if (durationMs === 0) return fromMs;
  let left = durationMs;
  // Start one local day early: a span of yesterday can still be open (a zone offset near midnight).
  let day = localDayOf(fromMs, offsets) - DAY_MS;
  for (let scanned = 0; scanned < MAX_DAYS_SCANNED; scanned++, day += DAY_MS) {
    for (const [open, close] of openIntervals(calendar, day, offsets)) {
      const from = Math.max(open, fromMs);
      if (from >= close) continue;
      if (close - from >= left) return from + left;
      left -= close - from;
    }
  }
  throw new RangeError(`calendar in ${calendar.timezone} has not enough open time within ${MAX_DAYS_SCANNED} days`);
}

/** The open time between two instants (0 when `toMs` is not after `fromMs`). */
export function openTimeBetween(
  calendar: BusinessCalendar,
  fromMs: number,
  toMs: number,
  offsets: ZoneOffsets = intlZoneOffsets(calendar.timezone),
): number {
  if (!(toMs > fromMs)) return 0;
  let total = 0;
  const last = localDayOf(toMs, offsets) + DAY_MS;
  for (let day = localDayOf(fromMs, offsets) - DAY_MS; day <= last; day += DAY_MS) {
    for (const [open, close] of openIntervals(calendar, day, offsets)) {
      const from = Math.max(open, fromMs);
      const to = Math.min(close, toMs);
      if (to > from) total += to - from;
    }
  }
  return total;
}

/** Whether an instant lies inside open hours (closing minute included, as `addOpenTime` may end there). */
export function isOpenAt(calendar: BusinessCalendar, atMs: number, offsets: ZoneOffsets = intlZoneOffsets(calendar.timezone)): boolean {
  const day = localDayOf(atMs, offsets);
  for (const d of [day - DAY_MS, day, day + DAY_MS]) {
    for (const [open, close] of openIntervals(calendar, d, offsets)) if (atMs >= open && atMs <= close) return true;
  }
  return false;
}
