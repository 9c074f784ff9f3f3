/**
 * The business calendars a report reads with its settings, zone offsets pinned from this worker's
 * time-zone data (`Intl`). Read once per report and recorded in history, so the report's deadlines
 * never ask the time-zone data again (see domain/business-time.ts).
 */
import { intlZoneOffsets, type BusinessCalendar } from '../domain/calendar';
import { pinCalendar, type PinnedCalendar } from '../domain/business-time';

const DAY_MS = 86_400_000;
// Pinning scans five years of offsets (a few ms); once per calendar and day is plenty.
const memo = new WeakMap<BusinessCalendar, { day: number; pinned: PinnedCalendar }>();

/** The configured calendars pinned around `nowMs`; undefined when none is configured (the settings stay as before calendars). */
export function pinnedCalendars(calendars: Record<string, BusinessCalendar>, nowMs: number): Record<string, PinnedCalendar> | undefined {
  const names = Object.keys(calendars);
  if (names.length === 0) return undefined;
  const day = Math.floor(nowMs / DAY_MS);
  const result: Record<string, PinnedCalendar> = {};
  for (const name of names) {
    const calendar = calendars[name];
    let entry = memo.get(calendar);
    if (entry === undefined || entry.day !== day) {
      entry = { day, pinned: pinCalendar(calendar, intlZoneOffsets(calendar.timezone), day * DAY_MS) };
      memo.set(calendar, entry);
    }
    result[name] = entry.pinned;
  }
  return result;
}
