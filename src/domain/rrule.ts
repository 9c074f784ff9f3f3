/**
 * Recurring maintenance windows: the subset of RFC 5545 recurrence rules that change calendars
 * use (FREQ=DAILY/WEEKLY, INTERVAL, BYDAY, BYHOUR, BYMINUTE, COUNT, UNTIL), expanded in an IANA
 * time zone. Occurrences keep their local wall-clock time across daylight-saving changes (a
 * Tuesday 01:00 Berlin window is 00:00Z in winter and 23:00Z the day before in summer); a local
 * time that a change skips maps past the gap, as RFC 5545 says. Every occurrence lasts as long
 * as the first one.
 *
 * Pure: the only outside fact is the zone's UTC offset, asked of a {@link ZoneOffsets} function
 * (./calendar). The first occurrence is the window's own `start`, whether or not it matches the rule.
 */
import { intlZoneOffsets, type ZoneOffsets } from './calendar';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Expansion looks this far ahead at most; a rule with nothing in 20 years is a mistake, not a window. */
const MAX_SCAN_DAYS = 366 * 20;

export const RRULE_WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'] as const;
const SUPPORTED_PARTS = ['FREQ', 'INTERVAL', 'BYDAY', 'BYHOUR', 'BYMINUTE', 'COUNT', 'UNTIL', 'WKST'] as const;

/** A parsed rule; weekdays as `Date.getUTCDay()` numbers (0 = Sunday). */
export interface Rrule {
  freq: 'DAILY' | 'WEEKLY';
  interval: number;
  byDay?: number[];
  byHour?: number[];
  byMinute?: number[];
  count?: number;
  /** UTC ms; starts after it are not occurrences. */
  until?: number;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

function numbers(part: string, text: string, min: number, max: number): number[] | string {
  const values = text.split(',').map((item) => (/^\d{1,2}$/.test(item) ? Number(item) : NaN));
  if (values.some((v) => !Number.isInteger(v) || v < min || v > max))
    return `${part}=${text}: each value must be a whole number ${min}-${max}`;
  return [...new Set(values)].sort((a, b) => a - b);
}

/** `20270630T000000Z` (UTC, as RFC 5545 requires with a zoned start) or an ISO date-time. */
function parseUntil(text: string): number | undefined {
  const basic = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z)?$/.exec(text);
  if (basic) {
    const [y, mo, d, h, mi, s] = basic.slice(1).map((v) => Number(v ?? 0));
    const ms = Date.UTC(y, mo - 1, d, h, mi, s);
    const probe = new Date(ms);
    return probe.getUTCMonth() === mo - 1 && probe.getUTCDate() === d && h < 24 && mi < 60 && s < 60 ? ms : undefined;
  }
  return undefined;
}

/** Parses `FREQ=WEEKLY;BYDAY=TU;BYHOUR=1` (an `RRULE:` prefix is allowed); the reason names the part at fault. */
export function parseRrule(text: string): Parsed<Rrule> {
  const body = text.trim().replace(/^RRULE:/i, '');
  if (body === '') return { ok: false, reason: 'rrule is empty (for example "FREQ=WEEKLY;BYDAY=TU")' };
  const parts = new Map<string, string>();
  for (const item of body.split(';')) {
    const eq = item.indexOf('=');
    const name = (eq < 0 ? item : item.slice(0, eq)).trim().toUpperCase();
    const value =
      eq < 0
        ? ''
        : item
            .slice(eq + 1)
            .trim()
            .toUpperCase();
    if (!(SUPPORTED_PARTS as readonly string[]).includes(name))
      return { ok: false, reason: `rrule part "${name}" is not supported (supported: ${SUPPORTED_PARTS.join(', ')})` };
    if (parts.has(name)) return { ok: false, reason: `rrule part ${name} appears twice` };
    if (value === '') return { ok: false, reason: `rrule part ${name} has no value` };
    parts.set(name, value);
  }
  const freq = parts.get('FREQ');
  if (freq === undefined) return { ok: false, reason: 'rrule needs FREQ (DAILY or WEEKLY)' };
  if (freq !== 'DAILY' && freq !== 'WEEKLY') return { ok: false, reason: `rrule FREQ=${freq} is not supported (DAILY or WEEKLY)` };
  const rule: Rrule = { freq, interval: 1 };
  const interval = parts.get('INTERVAL');
  if (interval !== undefined) {
    if (!/^\d{1,3}$/.test(interval) || Number(interval) < 1)
      return { ok: false, reason: `rrule INTERVAL=${interval}: a whole number 1-999` };
    rule.interval = Number(interval);
  }
  const byDay = parts.get('BYDAY');
  if (byDay !== undefined) {
    const days = byDay.split(',').map((day) => (RRULE_WEEKDAYS as readonly string[]).indexOf(day));
    if (days.some((d) => d < 0)) return { ok: false, reason: `rrule BYDAY=${byDay}: use two-letter weekdays MO,TU,WE,TH,FR,SA,SU` };
    rule.byDay = [...new Set(days)].sort((a, b) => a - b);
  }
  for (const [part, key, max] of [
    ['BYHOUR', 'byHour', 23],
    ['BYMINUTE', 'byMinute', 59],
  ] as const) {
    const value = parts.get(part);
    if (value === undefined) continue;
    const parsed = numbers(part, value, 0, max);
    if (typeof parsed === 'string') return { ok: false, reason: `rrule ${parsed}` };
    rule[key] = parsed;
  }
  const count = parts.get('COUNT');
  const until = parts.get('UNTIL');
  if (count !== undefined && until !== undefined) return { ok: false, reason: 'rrule may have COUNT or UNTIL, not both' };
  if (count !== undefined) {
    if (!/^\d{1,4}$/.test(count) || Number(count) < 1) return { ok: false, reason: `rrule COUNT=${count}: a whole number 1-9999` };
    rule.count = Number(count);
  }
  if (until !== undefined) {
    const ms = parseUntil(until);
    if (ms === undefined) return { ok: false, reason: `rrule UNTIL=${until}: a UTC date-time such as 20270630T000000Z` };
    rule.until = ms;
  }
  const wkst = parts.get('WKST');
  if (wkst !== undefined && wkst !== 'MO') return { ok: false, reason: `rrule WKST=${wkst}: only MO (weeks start on Monday) is supported` };
  return { ok: true, value: rule };
}

/** A recurring window, validated: the rule, its zone, the first occurrence and every occurrence's length. */
export interface Recurrence {
  rule: Rrule;
  timezone: string;
  firstStartMs: number;
  durationMs: number;
  /** The window's own `until` (the earlier of it and the rule's UNTIL applies). */
  untilMs?: number;
}

/** One occurrence: its number (0 = the first), start and end in UTC ms. */
export interface Occurrence {
  index: number;
  start: number;
  end: number;
}

/** The UTC instant of a local wall time; one skipped by a DST change maps past the gap. */
function localToUtc(localMs: number, offsets: ZoneOffsets): number {
  const first = localMs - offsets(localMs) * MINUTE_MS;
  return localMs - offsets(first) * MINUTE_MS;
}

function untilOf(recurrence: Recurrence): number | undefined {
  const { rule, untilMs } = recurrence;
  if (rule.until === undefined) return untilMs;
  return untilMs === undefined ? rule.until : Math.min(rule.until, untilMs);
}

/**
 * The starts of every occurrence in order, the first being `firstStartMs`; strictly increasing
 * (two local times that a DST gap maps to one instant count once).
 */
export function* occurrenceStarts(recurrence: Recurrence, offsets: ZoneOffsets = intlZoneOffsets(recurrence.timezone)): Generator<number> {
  const { rule, firstStartMs } = recurrence;
  const until = untilOf(recurrence);
  const limit = rule.count ?? Number.MAX_SAFE_INTEGER;
  if (until !== undefined && firstStartMs > until) return;
  yield firstStartMs;
  let produced = 1;
  let last = firstStartMs;
  const localStart = firstStartMs + offsets(firstStartMs) * MINUTE_MS;
  const startDay = Math.floor(localStart / DAY_MS);
  const timeOfDay = localStart - startDay * DAY_MS;
  const seconds = timeOfDay % MINUTE_MS;
  const hours = rule.byHour ?? [Math.floor(timeOfDay / HOUR_MS)];
  const minutes = rule.byMinute ?? [Math.floor((timeOfDay % HOUR_MS) / MINUTE_MS)];
  const times = hours.flatMap((h) => minutes.map((m) => h * HOUR_MS + m * MINUTE_MS + seconds)).sort((a, b) => a - b);
  const weekdayOf = (day: number): number => (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
  const days = rule.byDay ?? (rule.freq === 'WEEKLY' ? [weekdayOf(startDay)] : undefined);
  // Weeks start on Monday (WKST=MO): INTERVAL counts weeks from the first occurrence's week.
  const firstWeekMonday = startDay - ((weekdayOf(startDay) + 6) % 7);
  for (let day = startDay; day - startDay <= MAX_SCAN_DAYS; day++) {
    const period = rule.freq === 'DAILY' ? day - startDay : Math.floor((day - firstWeekMonday) / 7);
    if (period % rule.interval !== 0) continue;
    if (days !== undefined && !days.includes(weekdayOf(day))) continue;
    for (const time of times) {
      const start = localToUtc(day * DAY_MS + time, offsets);
      if (start <= last) continue;
      if (until !== undefined && start > until) return;
      if (produced >= limit) return;
      yield start;
      produced += 1;
      last = start;
    }
  }
}

/** The first occurrence that has not ended at `atMs` (it may be running or still to come); undefined when none is left. */
export function occurrenceFrom(recurrence: Recurrence, atMs: number, offsets?: ZoneOffsets): Occurrence | undefined {
  let index = 0;
  for (const start of occurrenceStarts(recurrence, offsets)) {
    if (start + recurrence.durationMs > atMs) return { index, start, end: start + recurrence.durationMs };
    index += 1;
  }
  return undefined;
}

/** The occurrence after `index` (the next one, in order), or undefined. */
export function occurrenceAfter(recurrence: Recurrence, index: number, offsets?: ZoneOffsets): Occurrence | undefined {
  let i = 0;
  for (const start of occurrenceStarts(recurrence, offsets)) {
    if (i === index + 1) return { index: i, start, end: start + recurrence.durationMs };
    i += 1;
  }
  return undefined;
}

/** Why a recurrence cannot be used (occurrences that overlap), checking its first `probe` occurrences; undefined when fine. */
export function overlapProblem(recurrence: Recurrence, probe = 500, offsets?: ZoneOffsets): string | undefined {
  let previous: number | undefined;
  let seen = 0;
  for (const start of occurrenceStarts(recurrence, offsets)) {
    if (previous !== undefined && start - previous < recurrence.durationMs)
      return `occurrences overlap: one starts at ${new Date(start).toISOString()} before the one of ${new Date(previous).toISOString()} ends (the window lasts ${Math.round(recurrence.durationMs / MINUTE_MS)} min)`;
    previous = start;
    if (++seen >= probe) break;
  }
  return undefined;
}
