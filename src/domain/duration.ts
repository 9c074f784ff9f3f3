/**
 * Durations as operators type them ("30m", "4h", "2d", "90s", "1h30m", ISO-8601 "PT4H")
 * or as integrations send them (milliseconds), always turned into milliseconds.
 */
import { z } from 'zod';
import { sharedSchema } from './shared-schema';

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;
const UNIT_ORDER: readonly Unit[] = ['d', 'h', 'm', 's', 'ms'];

const COMPACT_PART = /(\d+(?:\.\d+)?)(ms|d|h|m|s)/gy;
// Years and months are left out on purpose: their length depends on the calendar.
const ISO_DURATION = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Explains which duration formats are understood; part of every duration error message. */
export const DURATION_FORMATS = 'use e.g. "90s", "30m", "4h", "2d", "1h30m", ISO-8601 "PT4H", or a positive number of milliseconds';

function parseCompact(text: string): number | undefined {
  COMPACT_PART.lastIndex = 0;
  let total = 0;
  let lastUnitIndex = -1;
  let match: RegExpExecArray | null;
  while ((match = COMPACT_PART.exec(text)) !== null) {
    const unitIndex = UNIT_ORDER.indexOf(match[2] as Unit);
    // Units must appear largest first and at most once ("1h30m", not "30m1h" or "1h1h").
    if (unitIndex <= lastUnitIndex) return undefined;
    lastUnitIndex = unitIndex;
    total += Number(match[1]) * UNIT_MS[match[2] as Unit];
    if (COMPACT_PART.lastIndex === text.length) return total;
  }
  return undefined;
}

function parseIso(text: string): number | undefined {
  const match = ISO_DURATION.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) return undefined;
  const [, weeks, days, hours, minutes, seconds] = match;
  return (
    Number(weeks ?? 0) * 7 * UNIT_MS.d +
    Number(days ?? 0) * UNIT_MS.d +
    Number(hours ?? 0) * UNIT_MS.h +
    Number(minutes ?? 0) * UNIT_MS.m +
    Number(seconds ?? 0) * UNIT_MS.s
  );
}

/**
 * Parses a duration text into whole milliseconds; `undefined` when the text is not a positive duration.
 * Case-insensitive; surrounding blanks are ignored.
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const ms = /^P/i.test(trimmed) ? parseIso(trimmed.toUpperCase()) : parseCompact(trimmed.toLowerCase());
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) return undefined;
  return Math.round(ms);
}

/** Renders milliseconds compactly ("1h30m"), for history entries and notification texts. */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const unit of UNIT_ORDER) {
    const amount = Math.floor(rest / UNIT_MS[unit]);
    if (amount > 0) {
      out += `${amount}${unit}`;
      rest -= amount * UNIT_MS[unit];
    }
  }
  return out;
}

/**
 * A duration given as text or as a positive number of milliseconds; parses to milliseconds.
 * Numbers pass through, so an already resolved value validates again unchanged.
 */
/** The longest duration a report deals in (a year and a day): beyond it no date is representable safely. */
export const MAX_DURATION_MS = 366 * 86_400_000;

export const DurationSchema = sharedSchema('duration.DurationSchema', () =>
  z.union([z.string().max(100), z.number()]).transform((value, ctx): number => {
    if (typeof value === 'number') {
      if (Number.isFinite(value) && value > 0 && value <= MAX_DURATION_MS) return Math.round(value);
      ctx.issues.push({ code: 'custom', input: value, message: `invalid duration ${value}: ${DURATION_FORMATS}, at most 366 days` });
      return z.NEVER;
    }
    const ms = parseDuration(value);
    if (ms !== undefined && ms <= MAX_DURATION_MS) return ms;
    ctx.issues.push({ code: 'custom', input: value, message: `invalid duration "${value}": ${DURATION_FORMATS}` });
    return z.NEVER;
  }),
);
