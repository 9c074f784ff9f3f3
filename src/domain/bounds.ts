/**
 * Bounded state: however busy a report is, what it carries (its live state, the continue-as-new
 * input, the query answer) stays well inside Temporal's payload limits (2 MB per payload, 4 MB per
 * gRPC message; the aim is under 512 KB). Long lists keep their most recent entries, and
 * `trimmed` counts what was dropped per list. Nothing is lost for the audit: every message and
 * every fact is in the workflow histories of the report's runs (`temporal workflow show`), and
 * the status changes, which the resolution clock is computed from, are all kept (older ones
 * without their free text).
 *
 * Pure: the same report in, the same report out; a report within bounds is returned as is.
 */
import { withoutUndefined } from './draft';
import type { HistoryEntry, Report } from './schemas';

export interface ListBound {
  /** At most this many entries are kept (the most recent). */
  entries: number;
  /** And at most about this many characters of their text. */
  chars: number;
}

export const REPORT_BOUNDS = {
  analysis: { entries: 20, chars: 64_000 },
  /** Entries that changed no status; status changes are all kept (the clock needs them). */
  history: { entries: 300, chars: 96_000 },
  rejectedInputs: { entries: 200, chars: 160_000 },
  outsideFailures: { entries: 50, chars: 48_000 },
} as const satisfies Record<string, ListBound>;

export type BoundedList = keyof typeof REPORT_BOUNDS;
export type Trimmed = Partial<Record<BoundedList, number>>;

/** Characters of an entry's own strings: cheap and close enough to its JSON size. */
function textSize(entry: object): number {
  let size = 20;
  for (const value of Object.values(entry)) {
    if (typeof value === 'string') size += value.length + 8;
    else if (value && typeof value === 'object') size += textSize(value);
    else size += 8;
  }
  return size;
}

/**
 * Sizes of entries already measured. Every change bounds the whole report again, and a busy report
 * carries hundreds of entries, so measuring each again was a third of a replayed message's cost.
 * Safe to remember by identity: an entry is complete once its command is (a draft replaces
 * elements, never edits them in place), and a report is only bounded after its command.
 */
const sizes = new WeakMap<object, number>();

function entrySize(entry: object): number {
  let size = sizes.get(entry);
  if (size === undefined) {
    size = textSize(entry);
    sizes.set(entry, size);
  }
  return size;
}

/** How many of the newest entries fit the bound (at least one). */
function keepCount<T extends object>(list: readonly T[], bound: ListBound, counts: (entry: T) => boolean = () => true): number {
  let kept = 0;
  let chars = 0;
  let counted = 0;
  for (let i = list.length - 1; i >= 0; i--) {
    if (!counts(list[i])) {
      kept++;
      continue;
    }
    chars += entrySize(list[i]);
    if (counted > 0 && (counted >= bound.entries || chars > bound.chars)) break;
    counted++;
    kept++;
  }
  return kept;
}

function trimList<T extends object>(list: readonly T[], bound: ListBound): { kept: readonly T[]; dropped: number } {
  if (list.length <= 1) return { kept: list, dropped: 0 };
  const keep = keepCount(list, bound);
  return keep >= list.length ? { kept: list, dropped: 0 } : { kept: list.slice(list.length - keep), dropped: list.length - keep };
}

/** Entries the clocks are computed from: status changes, a child joining or leaving a group, a maintenance hold and its release. */
const CLOCK_ACTIONS: ReadonlySet<string> = new Set(['joinedGroup', 'leftGroup', 'maintenanceHeld', 'maintenanceReleased']);
const changedStatus = (entry: HistoryEntry): boolean => entry.toStatus !== undefined || CLOCK_ACTIONS.has(entry.action);

/** History: the newest entries within bounds; older status changes stay, without their free text. */
function trimHistory(history: readonly HistoryEntry[]): { kept: readonly HistoryEntry[]; dropped: number } {
  const bound = REPORT_BOUNDS.history;
  const keepNewest = keepCount(history, bound, (entry) => !changedStatus(entry));
  if (keepNewest >= history.length) return { kept: history, dropped: 0 };
  const cut = history.length - keepNewest;
  const kept: HistoryEntry[] = [];
  let dropped = 0;
  for (let i = 0; i < cut; i++) {
    const entry = history[i];
    if (!changedStatus(entry)) {
      dropped++;
      continue;
    }
    // Already compact entries keep their identity (the core's status-change memo relies on it).
    const compact = entry.reason === undefined && entry.detail === undefined;
    kept.push(
      compact
        ? entry
        : withoutUndefined({ at: entry.at, by: entry.by, action: entry.action, fromStatus: entry.fromStatus, toStatus: entry.toStatus }),
    );
  }
  for (let i = cut; i < history.length; i++) kept.push(history[i]);
  return { kept, dropped };
}

/** Whether any list is past its entry bound (the cheap check done on every change). */
function mayNeedTrimming(report: Report): boolean {
  return (
    report.analysis.length > REPORT_BOUNDS.analysis.entries / 2 ||
    report.history.length > REPORT_BOUNDS.history.entries / 2 ||
    report.rejectedInputs.length > REPORT_BOUNDS.rejectedInputs.entries / 2 ||
    report.outsideFailures.length > REPORT_BOUNDS.outsideFailures.entries / 2
  );
}

/** The report with its long lists cut to {@link REPORT_BOUNDS}; `trimmed` adds up what was dropped. */
export function boundReport(report: Report): Report {
  if (!mayNeedTrimming(report)) return report;
  const analysis = trimList(report.analysis, REPORT_BOUNDS.analysis);
  const history = trimHistory(report.history);
  const rejectedInputs = trimList(report.rejectedInputs, REPORT_BOUNDS.rejectedInputs);
  const outsideFailures = trimList(report.outsideFailures, REPORT_BOUNDS.outsideFailures);
  if (analysis.dropped + history.dropped + rejectedInputs.dropped + outsideFailures.dropped === 0 && history.kept === report.history)
    return report;
  const before = report.trimmed ?? {};
  const add = (list: BoundedList, dropped: number): number | undefined =>
    dropped + (before[list] ?? 0) > 0 ? dropped + (before[list] ?? 0) : undefined;
  const trimmed: Trimmed = {};
  for (const [list, dropped] of [
    ['analysis', analysis.dropped],
    ['history', history.dropped],
    ['rejectedInputs', rejectedInputs.dropped],
    ['outsideFailures', outsideFailures.dropped],
  ] as const) {
    const total = add(list, dropped);
    if (total !== undefined) trimmed[list] = total;
  }
  return {
    ...report,
    analysis: [...analysis.kept],
    history: [...history.kept],
    rejectedInputs: [...rejectedInputs.kept],
    outsideFailures: [...outsideFailures.kept],
    trimmed,
  };
}
