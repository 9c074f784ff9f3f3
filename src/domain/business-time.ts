/**
 * Business calendars applied to the clocks. A policy that names a calendar counts every target
 * (resolution, response, update cadence, and so every threshold and re-escalation of their ladders)
 * in that calendar's open hours only, and a pause moves a deadline by the open hours it paused.
 *
 * Replay after an upgrade: the only outside fact of the calendar maths is the zone's UTC offset at
 * an instant (see ./calendar). The worker reads those offsets from its time-zone data once, when a
 * report reads its settings (a local activity, so the answer is recorded in history), as a table of
 * offset changes ({@link PinnedCalendar}); the report records the calendar it counts in, table
 * included, in `jeopardy.calendar`, and every deadline is a pure function of that record. A worker
 * with another Node or other time-zone data replays the same deadlines, and a continued run carries
 * the same record. Outside the table's span the nearest recorded offset holds.
 */
import { z } from 'zod';
import { sharedSchema } from './shared-schema';
import { addOpenTime, openTimeBetween, WEEKDAYS, type BusinessCalendar, type ZoneOffsets } from './calendar';

/** One change of a zone's UTC offset: from `at` (UTC ms) on, local time is UTC + `minutes`. */
export const ZoneOffsetChange = sharedSchema('business-time.ZoneOffsetChange', () =>
  z.strictObject({ at: z.number(), minutes: z.number().int() }),
);
export type ZoneOffsetChange = z.infer<typeof ZoneOffsetChange>;

const OpenSpanSchema = sharedSchema('business-time.OpenSpanSchema', () =>
  z.strictObject({ start: z.number().int().min(0).max(1440), end: z.number().int().min(0).max(1440) }),
);

/** A calendar as the worker hands it to a report: open hours, holidays and the zone offsets pinned. */
export const PinnedCalendar = sharedSchema('business-time.PinnedCalendar', () =>
  z.strictObject({
    timezone: z.string(),
    /** Open hours per weekday, index 0 = Sunday, in minutes since local midnight. */
    week: z.array(z.array(OpenSpanSchema)).length(WEEKDAYS.length),
    holidays: z.array(z.string()),
    /** Offset changes in time order; the first also holds before its `at`. */
    offsets: z.array(ZoneOffsetChange).min(1),
  }),
);
export type PinnedCalendar = z.infer<typeof PinnedCalendar>;

/** The calendar a report counts in, as recorded in `jeopardy.calendar`. */
export const RecordedCalendar = sharedSchema('business-time.RecordedCalendar', () => PinnedCalendar.extend({ name: z.string() }));
export type RecordedCalendar = z.infer<typeof RecordedCalendar>;

/** How a clock counts time: wall time (24x7), or a calendar's open hours. */
export interface ClockTime {
  /** Counted ms between two instants (0 when `toMs` is not after `fromMs`). */
  measure(fromMs: number, toMs: number): number;
  /** The instant at which `ms` of counted time has passed since `fromMs`. */
  add(fromMs: number, ms: number): number;
}

/** Offsets from a recorded table: the last change at or before the instant (the first before it). */
export function pinnedZoneOffsets(table: readonly ZoneOffsetChange[]): ZoneOffsets {
  return (utcMs) => {
    let lo = 0;
    let hi = table.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (table[mid].at <= utcMs) lo = mid;
      else hi = mid - 1;
    }
    return table[lo].minutes;
  };
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/**
 * Offsets are sampled once a day, then each change is found to the minute: zones change their
 * offset months apart, and five years of samples cost ~150 ms (6-hourly samples cost ~600 ms).
 */
const SAMPLE_MS = DAY_MS;

/**
 * The offset changes of a zone between two instants, read through `offsets` (the worker passes its
 * `Intl` data). Only for the worker side: a report never calls it, it uses the recorded table.
 */
export function zoneOffsetTable(offsets: ZoneOffsets, fromMs: number, toMs: number): ZoneOffsetChange[] {
  const start = Math.floor(fromMs / HOUR_MS) * HOUR_MS;
  const table: ZoneOffsetChange[] = [{ at: start, minutes: offsets(start) }];
  let previousAt = start;
  let previous = table[0].minutes;
  for (let at = start + SAMPLE_MS; at <= toMs + SAMPLE_MS; at += SAMPLE_MS) {
    const minutes = offsets(at);
    if (minutes !== previous) {
      // The change lies in (previousAt, at]: halve to the minute.
      let lo = previousAt;
      let hi = at;
      while (hi - lo > MINUTE_MS) {
        const mid = lo + Math.floor((hi - lo) / 2 / MINUTE_MS) * MINUTE_MS;
        if (offsets(mid) === previous) lo = mid;
        else hi = mid;
      }
      table.push({ at: hi, minutes });
      previous = minutes;
    }
    previousAt = at;
  }
  return table;
}

/** How far around "now" the worker pins offsets: a retroactive start a year back, a report living four years. */
export const PINNED_BEFORE_MS = 400 * DAY_MS;
export const PINNED_AFTER_MS = 4 * 366 * DAY_MS;

/** A validated calendar with its zone offsets pinned around `nowMs`. */
export function pinCalendar(calendar: BusinessCalendar, offsets: ZoneOffsets, nowMs: number): PinnedCalendar {
  return {
    timezone: calendar.timezone,
    week: calendar.week.map((spans) => spans.map((span) => ({ start: span.start, end: span.end }))),
    holidays: [...calendar.holidays].sort(),
    offsets: zoneOffsetTable(offsets, nowMs - PINNED_BEFORE_MS, nowMs + PINNED_AFTER_MS),
  };
}

/** The message for a policy naming a calendar the configuration does not define. */
export function unknownCalendarReason(name: string, known: Record<string, unknown> | undefined): string {
  const names = Object.keys(known ?? {}).sort();
  return `jeopardyPolicy.calendar: unknown business calendar "${name}" (SPDR_CALENDARS defines ${names.length > 0 ? names.map((n) => `"${n}"`).join(', ') : 'none'})`;
}

/** The record of the calendar a policy names, or a reason when the configuration does not define it. */
export function recordCalendar(
  name: string,
  calendars: Record<string, PinnedCalendar> | undefined,
): { ok: true; calendar: RecordedCalendar } | { ok: false; reason: string } {
  const pinned = calendars !== undefined && Object.prototype.hasOwnProperty.call(calendars, name) ? calendars[name] : undefined;
  if (pinned === undefined) return { ok: false, reason: unknownCalendarReason(name, calendars) };
  return { ok: true, calendar: { name, ...pinned } };
}

// One compiled form per record: records are shared between report versions (the core copies shallowly).
const compiled = new WeakMap<RecordedCalendar, ClockTime>();

/** How the clocks of a report count: undefined (wall time, exactly as before calendars) unless a calendar is recorded. */
export function clockTimeOf(jeopardy: { calendar?: RecordedCalendar }): ClockTime | undefined {
  const record = jeopardy.calendar;
  if (record === undefined) return undefined;
  let time = compiled.get(record);
  if (time === undefined) {
    const calendar: BusinessCalendar = { timezone: record.timezone, week: record.week, holidays: new Set(record.holidays) };
    const offsets = pinnedZoneOffsets(record.offsets);
    time = {
      measure: (fromMs, toMs) => openTimeBetween(calendar, fromMs, toMs, offsets),
      add: (fromMs, ms) => addOpenTime(calendar, fromMs, ms, offsets),
    };
    compiled.set(record, time);
  }
  return time;
}
